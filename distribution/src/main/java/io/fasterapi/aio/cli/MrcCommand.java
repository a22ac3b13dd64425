package io.fasterapi.aio.cli;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.ThreadPerConnection;
import io.fasterapi.aio.servers.http.ChannelHttpServer;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import io.fasterapi.aio.sockets.AioServerSocket;
import io.fasterapi.aio.sockets.AioSockets;
import io.fasterapi.aio.servers.mrc.EventStats;
import io.fasterapi.aio.servers.mrc.MrcClient;
import io.fasterapi.aio.servers.mrc.MrcHandler;
import io.fasterapi.aio.servers.mrc.MrcResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** {@code aio 1mrc}: the 1 Million Request Challenge, server and client in this process, per backend. */
@Command(name = "1mrc",
        header = "The 1 Million Request Challenge: HTTP server and load client in one process, on every backend.",
        mixinStandardHelpOptions = true,
        version = "aio 0.1.0",
        sortOptions = false,
        description = "Starts the 1MRC HTTP server (POST /event, GET /stats) on 127.0.0.1 on its own loop thread(s)"
                + " and the client on another: N events over C keep-alive connections, event i with"
                + " userId \"user_\" + (i %% 75000) and value (i %% 1000) + 0.5. Then checks GET /stats against the"
                + " exact expected totals. Runs on every available backend in turn (or the one named) and prints"
                + " one row per backend. What the server's loops or handlers throw is reported on standard error"
                + " and makes the run not correct. Exit status 1 when any run is not exactly correct.",
        footer = {"%nExamples:",
                "  aio 1mrc",
                "  aio 1mrc --backend epoll --requests 100000 --connections 200",
                "  aio 1mrc --server-loops 2",
                "  aio 1mrc --style virtual-threads --backend io_uring"})
final class MrcCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--requests"}, paramLabel = "N", defaultValue = "1000000",
            description = "Events to send (default: ${DEFAULT-VALUE}).")
    long requests;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "1000",
            description = "Keep-alive client connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME",
            description = "Run on this backend only (see 'aio backends'); default: every available one.")
    String backend;

    @Option(names = "--server-loops", paramLabel = "L", defaultValue = "1",
            description = "Server loops, one thread each, sharing the port with SO_REUSEPORT (default: ${DEFAULT-VALUE}).")
    int serverLoops;

    /** How the server is written. */
    enum Style { callbacks, virtual_threads }

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callbacks", converter = StyleConverter.class,
            description = "How the server is written: callbacks (the loop's handlers, the default), virtual-threads"
                    + " (blocking code, a virtual thread per connection, on the blocking sockets over the same backend),"
                    + " or all (both, a row each).")
    List<Style> styles;

    static final class StyleConverter implements picocli.CommandLine.ITypeConverter<List<Style>> {
        @Override
        public List<Style> convert(String value) {
            return switch (value) {
                case "callbacks" -> List.of(Style.callbacks);
                case "virtual-threads" -> List.of(Style.virtual_threads);
                case "all" -> List.of(Style.callbacks, Style.virtual_threads);
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not a style: callbacks, virtual-threads or all");
            };
        }
    }

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up on a run after this many seconds (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show progress: a bar on a terminal, a few lines otherwise (default: on).")
    boolean progress;

    /** What the server's loops and handlers threw during the current run; each is also reported on the error output. */
    private final LongAdder serverErrors = new LongAdder();

    /** Called with each run's server once it listens (tests plant faults there). */
    Consumer<HttpServerGroup> serverStarted = server -> { };

    @Override
    public Integer call() {
        check(requests >= 1, "--requests must be at least 1");
        check(connections >= 1, "--connections must be at least 1");
        check(serverLoops >= 1, "--server-loops must be at least 1");
        check(timeoutSeconds >= 1, "--timeout must be at least 1 second");
        return Main.guard(spec, this::runAll);
    }

    private void check(boolean ok, String message) {
        if (!ok) throw new ParameterException(spec.commandLine(), message);
    }

    private int runAll() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> names = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (BackendInfo b : AsyncIo.backends()) {
            if (backend != null && !b.name().equals(backend)) continue;
            if (b.available()) names.add(b.name());
            else skipped.add(b.name() + ": " + b.reason());
        }
        if (names.isEmpty()) {
            throw new AsyncIoException(backend != null
                    ? "backend " + backend + (skipped.isEmpty() ? " not found" : " not available: " + skipped.getFirst())
                    : "no available backend: " + String.join("; ", skipped), 0);
        }
        out.printf("aio 1mrc: %s events over %s connections, %d server loop(s) + 1 client loop, %d cores, %s servers%n",
                Table.count(requests), Table.count(connections), serverLoops, Runtime.getRuntime().availableProcessors(),
                styles.size() > 1 ? "callback and virtual-thread" : styles.getFirst() == Style.callbacks ? "callback" : "virtual-thread");
        out.flush();
        Table t = new Table("BACKEND", ">TIME", ">REQ/S", ">P50", ">P99", ">P99.9", ">ERRORS", "CORRECT");
        boolean allOk = true;
        for (String name : names) for (Style style : styles) {
            String row = style == Style.callbacks ? name : name + " (virtual threads)";
            out.printf("%n%s:%n", row);
            out.flush();
            serverErrors.reset();
            try {
                MrcResult r = runOne(name, style, out);
                List<String> problems = new ArrayList<>(r.problems());
                String caught = caughtInServer();
                if (caught != null) problems.add(caught);
                boolean correct = problems.isEmpty();
                allOk &= correct;
                t.row(row, Table.seconds(r.elapsedNanos()), Table.count(Math.round(r.requestsPerSecond())),
                        micros(r.latencyMicros(50)), micros(r.latencyMicros(99)), micros(r.latencyMicros(99.9)),
                        Table.count(r.errors()), correct ? "yes" : "NO: " + String.join("; ", problems));
                out.printf("  stats: %s%n", r.stats() != null ? r.stats().json() : "(not read)");
                out.printf("  %s%n", correct ? "correct: every event acknowledged and counted exactly once"
                        : "NOT correct: " + String.join("; ", problems));
            } catch (RuntimeException e) {
                allOk = false;
                String caught = caughtInServer();
                t.row(row, "-", "-", "-", "-", "-", "-", "ERROR: " + Main.message(e) + (caught != null ? "; " + caught : ""));
            }
        }
        out.println();
        t.print(out, "  ");
        if (!skipped.isEmpty()) {
            out.println();
            out.println("skipped (not available here):");
            skipped.forEach(s -> out.println("  " + s));
        }
        out.flush();
        return allOk ? Main.OK : Main.FAILED;
    }

    /** How many errors the server's loops and handlers threw in this run, or null when none. */
    private String caughtInServer() {
        long n = serverErrors.sum();
        return n == 0 ? null : n + (n == 1 ? " error" : " errors") + " caught in the server (reported on standard error)";
    }

    private void serverError(String where, Throwable t) {
        serverErrors.increment();
        Main.report(spec.commandLine().getErr(), where, t);
    }

    private MrcResult runOne(String name, Style style, PrintWriter out) {
        EventStats stats = new EventStats();
        // the client's loop has its own handler: what it catches makes its result not correct
        AsyncIoConfig config = AsyncIoConfig.builder().backend(name)
                .uncaughtHandler(t -> serverError("exception in a server loop", t)).build();
        ProgressBar bar = progress ? ProgressBar.forTerminal(out) : null;
        if (style == Style.virtual_threads) return runVirtualThreads(name, stats, config, bar);
        try (HttpServerGroup server = HttpServerGroup.start(serverLoops, config,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpLimits.defaults(),
                i -> new MrcHandler(stats), t -> serverError("exception in a server handler", t))) {
            serverStarted.accept(server);
            MrcClient client = new MrcClient(server.address(), requests, connections, Duration.ofSeconds(timeoutSeconds),
                    bar, bar != null ? bar.interval() : Duration.ofSeconds(1));
            MrcResult r = client.run(name);
            if (bar != null) bar.finish();
            return r;
        }
    }

    /**
     * The same run against the 1MRC server written in blocking style: a virtual thread per
     * connection, reading and writing through the blocking sockets on the same backend, with the
     * same HTTP code ({@link ChannelHttpServer}) and handler.
     */
    private MrcResult runVirtualThreads(String name, EventStats stats, AsyncIoConfig config, ProgressBar bar) {
        ChannelHttpServer http = new ChannelHttpServer(() -> new MrcHandler(stats), HttpLimits.defaults(),
                t -> serverError("exception in a server handler", t));
        try (AioSockets sockets = AioSockets.open(config, serverLoops)) {
            AioServerSocket listener = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            ThreadPerConnection.Acceptor accept = () -> {
                var s = listener.accept();
                s.setReadTimeout(HttpLimits.defaults().idleTimeout()); // the limits' idle timeout, on the socket
                return s;
            };
            try (ThreadPerConnection server = ThreadPerConnection.start(accept, listener, http::serve,
                    t -> serverError("exception in a server thread", t))) {
                MrcClient client = new MrcClient((InetSocketAddress) listener.getLocalAddress(), requests, connections,
                        Duration.ofSeconds(timeoutSeconds), bar, bar != null ? bar.interval() : Duration.ofSeconds(1));
                MrcResult r = client.run(name);
                if (bar != null) bar.finish();
                return r;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String micros(double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.2f ms", us / 1000) : String.format(Locale.ROOT, "%.0f us", us);
    }
}
