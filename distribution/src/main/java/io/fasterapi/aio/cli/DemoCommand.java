package io.fasterapi.aio.cli;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.IoStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code aio demo}: echo round trips between a server and clients on one loop, every byte verified. */
@Command(name = "demo",
        header = "Echo round trips on one loop, every byte verified; prints throughput and statistics.",
        mixinStandardHelpOptions = true,
        version = "aio 0.1.0",
        sortOptions = false,
        description = "Runs a TCP echo server on 127.0.0.1 (a free port; with --unix, on a Unix domain socket) and N client connections on the same"
                + " loop. Each client sends M messages of S bytes, one at a time: write, read the whole echo,"
                + " compare every byte, next. Prints the round trips per second, the verification and the"
                + " loop's statistics. The clock starts once every client is connected. Exit status 1 when"
                + " any byte differs or a connection fails.",
        footer = {"%nExamples:",
                "  aio demo",
                "  aio demo --connections 1000 --messages 100 --size 4096",
                "  aio demo --unix",
                "  aio demo --all-backends"})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "100",
            description = "Client connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-m", "--messages"}, paramLabel = "M", defaultValue = "1000",
            description = "Round trips per connection (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64",
            description = "Bytes per message (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME",
            description = "Backend to use (see 'aio backends'); default: the best available.")
    String backend;

    @Option(names = "--all-backends",
            description = "Run on every available backend in turn and print one row per backend.")
    boolean allBackends;

    @Option(names = "--unix",
            description = "Serve and connect over a Unix domain socket (in a new temporary directory) instead of TCP.")
    boolean unix;

    @Option(names = "--udp",
            description = "Echo UDP datagrams instead: each client is a connected UDP socket, each message one datagram.")
    boolean udp;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up (and fail) after this many seconds (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        check(connections >= 1, "--connections must be at least 1");
        check(messages >= 1, "--messages must be at least 1");
        check(size >= 1, "--size must be at least 1");
        check(timeoutSeconds >= 1, "--timeout must be at least 1 second");
        check(!(allBackends && backend != null), "--backend and --all-backends cannot be used together");
        check(!(unix && udp), "--unix and --udp cannot be used together");
        check(!udp || size <= 65_000, "--size must be at most 65000 with --udp (one datagram per message)");
        return Main.guard(spec, allBackends ? this::runAll : this::runOne);
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private Demo.Result demo(String backendName) {
        Demo demo = new Demo(connections, messages, size, Duration.ofSeconds(timeoutSeconds));
        if (udp) return demo.overUdp().run(backendName);
        if (!unix) return demo.run(backendName);
        java.nio.file.Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("aio-demo");
            return demo.overUnixSocket(java.net.UnixDomainSocketAddress.of(dir.resolve("echo.sock"))).run(backendName);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("aio demo --unix: cannot make a temporary directory", e);
        } finally {
            if (dir != null) {
                try {
                    java.nio.file.Files.deleteIfExists(dir); // the socket file went with the listener's close
                } catch (java.io.IOException ignored) {
                    // left in the temporary directory
                }
            }
        }
    }

    private int runOne() {
        PrintWriter out = spec.commandLine().getOut();
        Demo.Result r = demo(backend);
        long bytes = (long) r.connections() * r.messages() * r.size();
        out.println("aio demo: " + (unix ? "Unix domain socket" : udp ? "UDP datagram" : "TCP")
                + " echo round trips, server and clients on one loop");
        out.println();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{"backend", r.backend()});
        lines.add(new String[]{"server", Table.address(r.server())});
        lines.add(new String[]{"connections", Table.count(r.connections())});
        lines.add(new String[]{"messages", Table.count(r.messages()) + " per connection, "
                + Table.count(r.expectedRoundTrips()) + " in all"});
        lines.add(new String[]{"message size", Table.bytes(r.size())});
        lines.add(new String[]{"bytes", Table.count(bytes) + " each way (" + Table.bytes(bytes) + ")"});
        lines.add(new String[]{"elapsed", Table.seconds(r.elapsedNanos())});
        lines.add(new String[]{"round trips/s", Table.count(Math.round(r.roundTripsPerSecond()))});
        lines.add(new String[]{"throughput", Table.decimal(r.mibPerSecond()) + " MiB/s each way"});
        lines.add(new String[]{"verification", r.ok()
                ? "OK: " + Table.count(r.bytesVerified()) + " bytes echoed and checked, no mismatch"
                : "FAILED: " + r.failure()});
        int w = lines.stream().mapToInt(l -> l[0].length()).max().orElse(0);
        for (String[] l : lines) {
            out.println("  " + l[0] + " ".repeat(w - l[0].length() + 2) + l[1]);
        }
        out.println();
        out.println("loop statistics (IoStats: server and clients, connection setup included)");
        statsTable(r.stats(), r.roundTrips()).print(out, "  ");
        out.flush();
        if (!r.ok()) {
            spec.commandLine().getErr().println("aio: demo failed: " + r.failure());
            spec.commandLine().getErr().flush();
        }
        return r.ok() ? Main.OK : Main.FAILED;
    }

    /** The counters as a table; with a "per round trip" column when {@code roundTrips > 0}. */
    static Table statsTable(IoStats s, long roundTrips) {
        boolean per = roundTrips > 0;
        Table t = per ? new Table("COUNTER", ">VALUE", ">PER ROUND TRIP") : new Table("COUNTER", ">VALUE");
        Object[][] rows = {
                {"accepts", s.accepts()}, {"connects", s.connects()}, {"reads", s.reads()}, {"writes", s.writes()},
                {"closes", s.closes()}, {"timers", s.timers()}, {"polls", s.polls()}, {"events", s.events()},
                {"errors", s.errors()}, {"wakes", s.wakes()}, {"bytes read", s.bytesRead()},
                {"bytes written", s.bytesWritten()}, {"datagrams received", s.datagramsReceived()},
                {"datagrams sent", s.datagramsSent()}};
        for (Object[] row : rows) {
            long v = (Long) row[1];
            if (per) {
                t.row(row[0], Table.count(v), v == 0 ? "0" : String.format(java.util.Locale.ROOT, "%,.3f", (double) v / roundTrips));
            } else {
                t.row(row[0], Table.count(v));
            }
        }
        return t;
    }

    private int runAll() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendInfo> backends = AsyncIo.backends();
        if (backends.stream().noneMatch(BackendInfo::available)) {
            throw new io.fasterapi.aio.AsyncIoException("no available backend"
                    + (backends.isEmpty() ? " (none found on the module or class path)" : ": "
                    + String.join("; ", backends.stream().map(b -> b.name() + ": " + b.reason()).toList())), 0);
        }
        out.printf("aio demo: %s connections x %s messages x %s on every available backend%n%n",
                Table.count(connections), Table.count(messages), Table.bytes(size));
        out.flush();
        Table t = new Table("BACKEND", ">CONNECTIONS", ">MESSAGES", ">BYTES", ">ELAPSED", ">ROUND TRIPS/S",
                ">MiB/s", "VERIFIED");
        List<String> skipped = new ArrayList<>();
        boolean allOk = true;
        for (BackendInfo b : backends) {
            if (!b.available()) {
                skipped.add(b.name() + ": " + b.reason());
                continue;
            }
            try {
                Demo.Result r = demo(b.name());
                allOk &= r.ok();
                t.row(r.backend(), Table.count(r.connections()), Table.count(r.expectedRoundTrips()),
                        Table.count(r.expectedRoundTrips() * r.size()), Table.seconds(r.elapsedNanos()),
                        Table.count(Math.round(r.roundTripsPerSecond())), Table.decimal(r.mibPerSecond()),
                        r.ok() ? "OK" : "FAILED: " + r.failure());
            } catch (RuntimeException e) {
                allOk = false;
                t.row(b.name(), "-", "-", "-", "-", "-", "-", "ERROR: " + Main.message(e));
            }
        }
        t.print(out, "  ");
        if (!skipped.isEmpty()) {
            out.println();
            out.println("skipped (not available here):");
            for (String s : skipped) {
                out.println("  " + s);
            }
        }
        out.flush();
        return allOk ? Main.OK : Main.FAILED;
    }
}
