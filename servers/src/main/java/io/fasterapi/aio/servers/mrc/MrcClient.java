package io.fasterapi.aio.servers.mrc;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import org.HdrHistogram.Histogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The 1MRC load: {@code requests} events {@code POST /event} over {@code connections} keep-alive
 * connections, each connection sending its next event once the previous one was answered; then
 * {@code GET /stats} on a fresh connection, checked against {@link Expected}. Runs on a loop of its
 * own, on the calling thread, and closes it.
 */
public final class MrcClient {
    private static final int CONNECT_WINDOW = 256;
    private static final long HIGHEST_LATENCY = TimeUnit.SECONDS.toNanos(60);
    private static final byte[] EVENT_HEAD = ("POST /event HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATS = "GET /stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** Progress reports, on the client's thread. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total, long elapsedNanos);
    }

    private final InetSocketAddress server;
    private final long requests;
    private final int connections;
    private final Duration timeout;
    private final Progress progress;
    private final long progressNanos;

    private AsyncIo io;
    private final Histogram latency = new Histogram(HIGHEST_LATENCY, 3);
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String fatal;
    private Conn[] conns;
    private long next;
    private long acknowledged, errors;
    private int nextToConnect, active;
    private long startNanos, endNanos;
    private String statsBody;
    private boolean statsDone;

    /**
     * @param progress called about every {@code progressInterval} while running and once at the
     *                 end, or null
     */
    public MrcClient(InetSocketAddress server, long requests, int connections, Duration timeout,
                     Progress progress, Duration progressInterval) {
        if (requests < 1 || connections < 1) throw new IllegalArgumentException("requests and connections must be >= 1");
        this.server = server;
        this.requests = requests;
        this.connections = (int) Math.min(connections, requests);
        this.timeout = timeout;
        this.progress = progress;
        this.progressNanos = progressInterval.toNanos();
    }

    /** Runs the load on a new loop of {@code backend} (null: the best here) and checks /stats. */
    public MrcResult run(String backend) {
        AsyncIoConfig config = AsyncIoConfig.builder().backend(backend)
                .uncaughtHandler(t -> problem("exception in the client: " + t)).build();
        io = AsyncIo.create(config);
        String backendName = io.backend();
        try (Arena arena = Arena.ofConfined()) {
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                startNanos = System.nanoTime();
                conns = new Conn[connections];
                for (int i = 0; i < connections; i++) {
                    conns[i] = new Conn(arena.allocate(512), arena.allocate(4096));
                }
                while (nextToConnect < Math.min(connections, CONNECT_WINDOW)) {
                    conns[nextToConnect++].connect();
                }
                if (progress != null) io.schedule(progressNanos, this::tick, 0);
                drive(deadline, () -> active == 0 && nextToConnect == connections, "the events");
                endNanos = System.nanoTime();
                if (progress != null) progress.update(acknowledged + errors, requests, endNanos - startNanos);
                if (fatal == null) {
                    Conn stats = new Conn(arena.allocate(512), arena.allocate(64 * 1024));
                    stats.fetchStats();
                    drive(deadline, () -> statsDone, "GET /stats");
                }
            } finally {
                io.close();
            }
        }
        long unsent = requests - acknowledged - errors;
        if (unsent > 0) {
            errors += unsent;
        }
        if (errors > 0) {
            problems.addFirst(errors + " of " + requests + " events not acknowledged");
            problems.addAll(1, notes);
        }
        Expected expected = Expected.after(requests);
        StatsReport report = statsBody == null ? null : StatsReport.parse(statsBody);
        if (statsBody != null && report == null) problems.add("GET /stats answered an unexpected body: " + statsBody);
        if (report != null) problems.addAll(report.differences(expected));
        return new MrcResult(backendName, requests, connections, acknowledged, errors,
                (endNanos == 0 ? System.nanoTime() : endNanos) - startNanos, latency, report, expected, List.copyOf(problems));
    }

    private void drive(long deadline, java.util.function.BooleanSupplier done, String what) {
        while (!done.getAsBoolean() && fatal == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                problem("timed out waiting for " + what + " after " + timeout.toSeconds() + " s: "
                        + acknowledged + " acknowledged, " + errors + " errors");
                return;
            }
            io.poll(Math.clamp(left / 1_000_000, 1, 1000));
        }
    }

    private void tick(IoEvent e) {
        if (e.failed() || endNanos != 0) return;
        progress.update(acknowledged + errors, requests, System.nanoTime() - startNanos);
        io.schedule(progressNanos, this::tick, 0);
    }

    /** Ends the run. */
    private void problem(String p) {
        if (fatal == null) fatal = p;
        if (problems.size() < 20) problems.add(p);
    }

    /** Encodes event {@code i} as a whole request into {@code m}; returns its length. */
    static int encodeEvent(MemorySegment m, long i) {
        long user = Expected.user(i), whole = Expected.valueTenths(i) / 10;
        // {"userId":"user_<user>","value":<whole>.5}
        int bodyLength = 16 + digits(user) + 10 + digits(whole) + 3;
        int at = put(m, 0, EVENT_HEAD);
        at = putLong(m, at, bodyLength);
        at = putAscii(m, at, "\r\n\r\n{\"userId\":\"user_");
        at = putLong(m, at, user);
        at = putAscii(m, at, "\",\"value\":");
        at = putLong(m, at, whole);
        return putAscii(m, at, ".5}");
    }

    private static int digits(long v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    private static int put(MemorySegment m, int at, byte[] b) {
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, at, b.length);
        return at + b.length;
    }

    private static int putAscii(MemorySegment m, int at, String s) {
        for (int i = 0; i < s.length(); i++) m.set(ValueLayout.JAVA_BYTE, at++, (byte) s.charAt(i));
        return at;
    }

    private static int putLong(MemorySegment m, int at, long v) {
        int d = digits(v);
        for (int i = d - 1; i >= 0; i--) {
            m.set(ValueLayout.JAVA_BYTE, at + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        return at + d;
    }

    /** One keep-alive connection: one event at a time. */
    private final class Conn implements CompletionHandler {
        private final MemorySegment out, in;
        private long handle;
        private boolean connected, writeDone, stats;
        private long got, sentAt;
        private final ResponseFraming framing = new ResponseFraming();

        Conn(MemorySegment out, MemorySegment in) {
            this.out = out;
            this.in = in;
        }

        void connect() {
            active++;
            handle = io.connect(server, this);
        }

        void fetchStats() {
            stats = true;
            handle = io.connect(server, this);
        }

        @Override
        public void completed(IoEvent e) {
            if (fatal != null && !stats) return;
            long n = e.result();
            if (e.operation() == Operation.CONNECT) {
                if (!stats && nextToConnect < connections) conns[nextToConnect++].connect();
                if (n < 0) {
                    lost("connect failed: " + e.error());
                    return;
                }
                connected = true;
                if (stats) send(put(out, 0, STATS));
                else sendNext();
            } else if (e.operation() == Operation.WRITE) {
                if (n < 0) {
                    lost("write failed: " + e.error());
                    return;
                }
                writeDone = true;
                answered();
            } else if (e.operation() == Operation.READ) {
                if (n <= 0) {
                    lost(n == 0 ? "the server closed the connection" : "read failed: " + e.error());
                    return;
                }
                got += n;
                int state = framing.frame(in, got);
                if (state < 0) {
                    lost("malformed response");
                } else if (state == 0) {
                    if (got == in.byteSize()) lost("response larger than " + in.byteSize() + " bytes");
                    else io.read(handle, in.asSlice(got), this);
                } else {
                    answered();
                }
            }
        }

        private void sendNext() {
            if (next >= requests) {
                io.close(handle);
                active--;
                return;
            }
            long i = next++;
            send(encodeEvent(out, i));
        }

        private void send(int length) {
            writeDone = false;
            got = 0;
            framing.reset();
            sentAt = System.nanoTime();
            io.write(handle, out.asSlice(0, length), this);
            io.read(handle, in, this);
        }

        private void answered() {
            if (!writeDone || !framing.complete()) return;
            if (stats) {
                statsBody = framing.status() == 200 ? framing.body(in) : null;
                if (statsBody == null) problem("GET /stats answered " + framing.status());
                statsDone = true;
                io.close(handle);
                return;
            }
            latency.recordValue(Math.min(System.nanoTime() - sentAt, HIGHEST_LATENCY));
            if (framing.status() == 200) acknowledged++;
            else errors++;
            if (framing.closes()) {
                lost("the server closed the connection after answering " + framing.status());
                return;
            }
            sendNext();
        }

        /** The connection failed: its event is an error; the others go on. */
        private void lost(String why) {
            if (stats) {
                problem("GET /stats: " + why);
                statsDone = true;
                io.close(handle);
                return;
            }
            if (connected && !(writeDone && framing.complete())) errors++;
            if (notes.size() < 3) notes.add(why);
            io.close(handle);
            active--;
        }
    }
}
