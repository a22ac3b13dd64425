package io.fasterapi.aio.cli;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.LoopGroup;
import io.fasterapi.aio.servers.EchoServer;
import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import io.fasterapi.aio.servers.http.PreparedResponse;
import io.fasterapi.aio.servers.mrc.EventStats;
import io.fasterapi.aio.servers.mrc.MrcHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code aio serve http|echo|1mrc}: one of the servers on its own, for clients that are not ours
 * (curl, wrk, the challenge's own clients), until SIGINT or SIGTERM; then it stops gracefully and
 * prints its statistics.
 */
@Command(name = "serve",
        header = "Serves HTTP, echo or the 1MRC until Ctrl-C or SIGTERM, then stops gracefully.",
        mixinStandardHelpOptions = true,
        version = "aio 0.1.0",
        sortOptions = false,
        description = "http: GET / answers \"Hello, World!\", GET /stats the server's statistics as JSON. "
                + "1mrc: POST /event and GET /stats of the 1 Million Request Challenge. echo: every byte back. "
                + "On SIGINT or SIGTERM it stops accepting, lets the requests in progress finish (at most "
                + "--drain-seconds), closes the rest and prints its statistics. Started by systemd with socket "
                + "activation (LISTEN_FDS, LISTEN_PID), http and 1mrc serve the sockets handed over, a loop each.",
        footer = {"%nExamples:",
                "  aio serve http --port 8080 &   then: curl http://127.0.0.1:8080/ ; wrk -c 100 -d 5s http://127.0.0.1:8080/",
                "  aio serve 1mrc --port 8080 --loops 2",
                "  aio serve echo --unix /tmp/echo.sock"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVER", description = "http, echo or 1mrc.")
    String what;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one, printed at start).")
    int port;

    @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME", description = "Backend (see 'aio backends'); default: the best available.")
    String backend;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = "Loops, one thread each, sharing the port with SO_REUSEPORT (http, 1mrc; default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--unix", paramLabel = "PATH", description = "echo only: listen on a Unix domain socket at PATH instead of TCP.")
    java.nio.file.Path unixPath;

    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "10",
            description = "At SIGINT or SIGTERM, how long the requests in progress may take to finish (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Also serve the loops' statistics as Micrometer meters in Prometheus format at "
                    + "http://ADDRESS:PORT/metrics (0 picks a free port, printed at start).")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS",
            description = "Address of the metrics endpoint (default: that of --host).")
    String metricsHost;

    /** Completed with the bound address once the server listens (for tests and embedders). */
    final CompletableFuture<java.net.SocketAddress> bound = new CompletableFuture<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (!what.equals("http") && !what.equals("echo") && !what.equals("1mrc")) {
            throw new ParameterException(spec.commandLine(), "SERVER must be http, echo or 1mrc, not '" + what + "'");
        }
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be in 0..65535");
        if (loops < 1) throw new ParameterException(spec.commandLine(), "--loops must be at least 1");
        if (drainSeconds < 0) throw new ParameterException(spec.commandLine(), "--drain-seconds must be 0 or more");
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "--metrics-port must be in 0..65535");
        }
        if (metricsHost != null && metricsPort == null) throw new ParameterException(spec.commandLine(), "--metrics-host needs --metrics-port");
        if (unixPath != null && !what.equals("echo")) throw new ParameterException(spec.commandLine(), "--unix is for echo only");
        if (what.equals("echo") && loops != 1) throw new ParameterException(spec.commandLine(), "echo runs on one loop");
        if (what.equals("echo") && systemdSockets().length > 0) {
            throw new ParameterException(spec.commandLine(), "socket activation (LISTEN_FDS) serves http and 1mrc, not echo");
        }
        Thread hook = new Thread(this::requestStop, "aio-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return Main.guard(spec, what.equals("echo") ? this::serveEcho : this::serveHttp);
        } finally {
            if (!bound.isDone()) bound.completeExceptionally(new IllegalStateException("the server did not start"));
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the hook is running (SIGTERM): it waits for stopped
            }
        }
    }

    private AsyncIoConfig config() {
        return AsyncIoConfig.builder().backend(backend)
                .uncaughtHandler(t -> Main.report(spec.commandLine().getErr(), "exception in a server loop", t)).build();
    }

    private static InetSocketAddress address(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host: " + host);
        }
    }

    /** With --metrics-port: the endpoint serving {@code loops}' meters; else null. */
    private MetricsEndpoint metrics(LoopGroup loops) throws java.io.IOException {
        return metricsPort == null ? null
                : new MetricsEndpoint(address(metricsHost != null ? metricsHost : host, metricsPort), loops, what);
    }

    /** The line after the server's own (which comes first: launchers read the server's port from it). */
    private void announce(MetricsEndpoint metrics, PrintWriter out) {
        if (metrics != null) out.printf("aio serve %s: metrics (Prometheus) on http://%s/metrics%n", what, Table.address(metrics.address()));
    }

    private int serveHttp() throws InterruptedException, java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        LongAdder served = new LongAdder();
        EventStats events = new EventStats();
        String[] backendName = {""};
        HttpServerGroup[] group = {null};
        java.util.function.IntFunction<HttpHandler> handlers = what.equals("1mrc")
                ? i -> new MrcHandler(events)
                : i -> helloAndStats(served, () -> group[0], backendName);
        long[] inherited = systemdSockets();
        java.util.function.Consumer<Throwable> errors = t -> Main.report(spec.commandLine().getErr(), "exception in a handler", t);
        try (HttpServerGroup g = inherited.length > 0
                ? HttpServerGroup.adopting(config(), inherited, HttpLimits.defaults(), handlers, errors)
                : HttpServerGroup.start(loops, config(), address(host, port), HttpLimits.defaults(), handlers, errors);
             MetricsEndpoint metrics = metrics(g.loops())) {
            group[0] = g;
            backendName[0] = g.loops().loop(0).backend();
            out.printf("aio serve %s: backend %s, %d loop(s), %s http://%s/ (Ctrl-C to stop)%n", what,
                    backendName[0], g.loops().size(),
                    inherited.length > 0 ? "serving " + inherited.length + " socket(s) from systemd (LISTEN_FDS), the first on"
                            : "listening on", Table.address(g.address()));
            announce(metrics, out);
            out.flush();
            bound.complete(g.address());
            stop.await();
            int left = g.drain(Duration.ofSeconds(drainSeconds));
            long requests = g.requests();
            IoStats stats = sum(g.loops());
            out.println();
            out.printf("aio serve %s: stopped after %s requests%s%n", what, Table.count(requests),
                    left == 0 ? "" : "; " + left + " connection(s) still busy after " + drainSeconds + " s were closed");
            if (what.equals("1mrc")) out.printf("  1mrc stats: %s%n", events.json());
            DemoCommand.statsTable(stats, 0).print(out, "  ");
            out.flush();
            return Main.OK;
        }
    }

    /**
     * The listening sockets systemd hands over (socket activation): descriptors 3 to 3 +
     * {@code LISTEN_FDS} - 1 when {@code LISTEN_PID} is this process; else none. One loop serves each.
     */
    static long[] systemdSockets() {
        String pid = System.getenv("LISTEN_PID");
        String fds = System.getenv("LISTEN_FDS");
        if (pid == null || fds == null || !pid.equals(Long.toString(ProcessHandle.current().pid()))) return new long[0];
        int n;
        try {
            n = Integer.parseInt(fds.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LISTEN_FDS is not a number: " + fds);
        }
        long[] sockets = new long[Math.max(0, n)];
        for (int i = 0; i < sockets.length; i++) sockets[i] = 3 + i; // SD_LISTEN_FDS_START
        return sockets;
    }

    /** GET / answers hello; GET /stats the server's counters (requests and the loops' statistics) as JSON. */
    private static HttpHandler helloAndStats(LongAdder served, java.util.function.Supplier<HttpServerGroup> group, String[] backend) {
        PreparedResponse hello = PreparedResponse.of(200, "text/plain", "Hello, World!");
        return (request, response) -> {
            served.increment();
            if (request.pathEquals("/stats")) {
                IoStats s = sum(group.get().loops());
                String json = String.format(java.util.Locale.ROOT,
                        "{\"backend\":\"%s\",\"requests\":%d,\"accepts\":%d,\"reads\":%d,\"writes\":%d,\"polls\":%d,"
                                + "\"wakes\":%d,\"errors\":%d,\"bytesRead\":%d,\"bytesWritten\":%d}",
                        backend[0], served.sum(), s.accepts(), s.reads(), s.writes(), s.polls(), s.wakes(), s.errors(),
                        s.bytesRead(), s.bytesWritten());
                response.send(200, "application/json", json.getBytes(StandardCharsets.US_ASCII));
            } else {
                response.send(hello);
            }
        };
    }

    private static IoStats sum(LoopGroup loops) {
        IoStats s = loops.loop(0).stats();
        for (int i = 1; i < loops.size(); i++) s = s.plus(loops.loop(i).stats());
        return s;
    }

    private int serveEcho() throws InterruptedException, java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        EchoServer[] server = {null};
        java.net.SocketAddress at = unixPath != null ? java.net.UnixDomainSocketAddress.of(unixPath) : address(host, port);
        try (LoopGroup g = LoopGroup.start("echo", 1, config(), (io, i) -> {
            server[0] = at instanceof java.net.UnixDomainSocketAddress u ? new EchoServer(io, u, 16 * 1024, null)
                    : new EchoServer(io, (InetSocketAddress) at, 16 * 1024, null);
            return server[0]::free;
        });
             MetricsEndpoint metrics = metrics(g)) {
            AsyncIo io = g.loop(0);
            out.printf("aio serve echo: backend %s, listening on %s (Ctrl-C to stop)%n", io.backend(),
                    Table.address(server[0].socketAddress()));
            announce(metrics, out);
            out.flush();
            bound.complete(server[0].socketAddress());
            stop.await();
            io.execute(server[0]::stopAccepting);
            long deadline = System.nanoTime() + Duration.ofSeconds(drainSeconds).toNanos();
            while (System.nanoTime() - deadline < 0 && onLoop(io, server[0]::openConnections) > 0) Thread.sleep(10);
            long accepted = onLoop(io, server[0]::acceptedConnections);
            IoStats stats = io.stats();
            out.println();
            out.printf("aio serve echo: stopped after %s connection(s)%n", Table.count(accepted));
            DemoCommand.statsTable(stats, 0).print(out, "  ");
            out.flush();
            return Main.OK;
        }
    }

    private static <T> T onLoop(AsyncIo io, java.util.function.Supplier<T> read) throws InterruptedException {
        try {
            return io.submit(read).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the loop did not answer", e);
        }
    }

    /** Stops gracefully from any thread (SIGINT and SIGTERM do this), and waits for the statistics to be printed. */
    void requestStop() {
        stop.countDown();
        try {
            stopped.await(drainSeconds + 10L, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
