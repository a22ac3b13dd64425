package io.fasterapi.aio.cli;

import io.fasterapi.aio.servers.DatagramEchoServer;
import io.fasterapi.aio.servers.EchoServer;
import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

/** {@code aio echo-server}: a TCP echo server on one loop, until Ctrl-C. */
@Command(name = "echo-server",
        header = "Serve TCP (or Unix domain socket) echo on one loop until Ctrl-C.",
        mixinStandardHelpOptions = true,
        version = "aio 0.1.0",
        sortOptions = false,
        description = "Serves TCP echo on one loop until Ctrl-C: each connection gets back every byte it sends."
                + " Port 0 picks a free port; the real one is printed.",
        footer = {"%nExamples:", "  aio echo-server --port 7000 &  then: nc 127.0.0.1 7000",
                "  aio echo-server --unix /tmp/echo.sock &  then: socat - UNIX-CONNECT:/tmp/echo.sock",
                "  aio echo-server --udp --port 7000 &  then: socat - UDP:127.0.0.1:7000"})
final class EchoServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "-1",
            description = "TCP port to listen on; 0 picks a free one. Required unless --unix is given.")
    int port;

    @Option(names = "--udp",
            description = "Echo UDP datagrams on --port instead of TCP connections (each datagram goes back to its sender).")
    boolean udp;

    @Option(names = "--unix", paramLabel = "PATH",
            description = "Listen on a Unix domain socket at PATH instead of TCP (an existing file is an error;"
                    + " the socket file is removed at exit).")
    java.nio.file.Path unixPath;

    @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME",
            description = "Backend to use (see 'aio backends'); default: the best available.")
    String backend;

    @Option(names = "--buffer-size", paramLabel = "BYTES", defaultValue = "16384",
            description = "Native buffer per connection; with --udp, the largest datagram echoed whole"
                    + " (default: ${DEFAULT-VALUE}).")
    int bufferSize;

    @Option(names = {"-v", "--verbose"}, description = "Print a line when a connection opens or closes.")
    boolean verbose;

    /** Completed with the bound address once the server listens (for tests and embedders). */
    final CompletableFuture<java.net.SocketAddress> bound = new CompletableFuture<>();

    private volatile AsyncIo loop;
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (unixPath != null && port != -1) {
            throw new ParameterException(spec.commandLine(), "--port and --unix cannot be used together");
        }
        if (unixPath != null && udp) {
            throw new ParameterException(spec.commandLine(), "--udp and --unix cannot be used together");
        }
        if (unixPath == null && (port < 0 || port > 65535)) {
            throw new ParameterException(spec.commandLine(), port == -1 ? "--port or --unix is required"
                    : "--port must be in 0..65535, was " + port);
        }
        if (bufferSize < 1) {
            throw new ParameterException(spec.commandLine(), "--buffer-size must be at least 1");
        }
        int status = Main.guard(spec, this::serve);
        if (!bound.isDone()) {
            bound.completeExceptionally(new IllegalStateException("the echo server did not start"));
        }
        return status;
    }

    /** What {@link #serve} runs: a TCP or Unix domain {@link EchoServer}, or a {@link DatagramEchoServer}. */
    private record Running(java.net.SocketAddress address, String where, java.util.function.LongSupplier served,
                           String unit, Runnable free) {
    }

    private int serve() {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress address = null;
        if (unixPath == null) {
            try {
                address = new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown host: " + host);
            }
        }
        AsyncIo io = AsyncIo.create(AsyncIoConfig.builder().backend(backend).uncaughtHandler(
                t -> log(spec.commandLine().getErr(), "exception in a handler: " + Main.message(t))).build());
        Running server = null;
        Thread hook = new Thread(this::requestStop, "aio-echo-server-shutdown");
        try {
            if (udp) {
                // The high-rate path: one multishot receive into a pool, each buffer with room for a whole --buffer-size datagram.
                DatagramEchoServer d = DatagramEchoServer.pooled(io, address, bufferSize + AsyncIo.POOL_DATAGRAM_OFFSET, 64);
                server = new Running(d.address(), "echoing UDP datagrams on udp:", d::datagrams, "datagram", d::free);
            } else {
                java.util.function.Consumer<String> logger = verbose ? line -> log(out, line) : null;
                EchoServer e = unixPath != null ? new EchoServer(io, java.net.UnixDomainSocketAddress.of(unixPath), bufferSize, logger)
                        : new EchoServer(io, address, bufferSize, logger);
                server = new Running(e.socketAddress(), "listening on ", e::acceptedConnections, "connection", e::free);
            }
            loop = io;
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("aio echo-server: backend %s, %s%s (Ctrl-C to stop)%n", io.backend(), server.where(),
                    Table.address(server.address()));
            out.flush();
            bound.complete(server.address());
            io.run();
            long served = server.served().getAsLong();
            var stats = io.stats();
            io.close(); // cancels the pending reads and closes every connection
            out.println();
            out.printf("aio echo-server: stopped after %s %s%s%n", Table.count(served), server.unit(), served == 1 ? "" : "s");
            DemoCommand.statsTable(stats, 0).print(out, "  ");
            out.flush();
            return Main.OK;
        } finally {
            loop = null;
            io.close();
            if (server != null) {
                server.free().run();
            }
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down (the hook is running) or never added
            }
        }
    }

    /** Stops the server from any thread, and waits a little for its loop to close (Ctrl-C does this). */
    void requestStop() {
        AsyncIo io = loop;
        if (io != null) {
            try {
                io.stop();
                io.execute(io::stop); // in case run() had not started yet
            } catch (IllegalStateException e) {
                // already closed
            }
        }
        try {
            closed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(PrintWriter w, String line) {
        w.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
        w.flush();
    }
}
