package io.fasterapi.aio.bench;

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
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The one load client used for every server: our library on the epoll backend, one loop, closed
 * loop. Each of {@code --connections} connections writes {@code --pipeline} requests at once
 * (echo: that many {@code --size}-byte messages; http: that many {@link Http#REQUEST}s), reads
 * until every byte of their answers arrived, records the time from the write to the last byte
 * for each of those requests in an HdrHistogram, and sends the next batch.
 *
 * <p>Warm-up for {@code --warmup} seconds after every connection is up (nothing recorded), then
 * {@code --duration} seconds measured. Prints one line:
 * <pre>CLIENT requests=... seconds=... rps=... p50_us=... p99_us=... p999_us=... max_us=... errors=...</pre>
 * An error is a failed connect, read or write, an early end of stream, or more bytes than asked
 * for; the connection it happened on stops.
 */
public final class LoadClient {
    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final AsyncIo io;
    private final InetSocketAddress server;
    private final int connections;
    private final int pipeline;
    private final MemorySegment request;
    /** Bytes of the answers to one send; in HTTP mode learnt from the first answer (0 until then). */
    private int expected;
    private final long warmupNanos;
    private final long durationNanos;
    private final Arena arena = Arena.ofConfined();
    private final Histogram histogram = new Histogram(MAX_LATENCY_NANOS, 3);
    private final Conn[] conns;

    private int connected;
    private int ended;
    private boolean measuring;
    private long completed;
    private long errors;
    private long startNanos;
    private long endNanos;

    private LoadClient(Args a) {
        Args.Mode mode = Args.mode(a.get("mode", "echo"));
        server = new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000));
        connections = a.getInt("connections", 100);
        pipeline = a.getInt("pipeline", 1);
        warmupNanos = (long) (a.getDouble("warmup", 2) * 1e9);
        durationNanos = (long) (a.getDouble("duration", 8) * 1e9);
        io = AsyncIo.create(AsyncIoConfig.builder().backend(a.get("backend", "epoll")).build());
        byte[] one;
        if (mode == Args.Mode.ECHO) {
            one = new byte[a.getInt("size", 64)];
            for (int i = 0; i < one.length; i++) {
                one[i] = (byte) ('a' + i % 26);
            }
            expected = one.length * pipeline;
        } else {
            one = Http.REQUEST;
            expected = 0; // the servers' answers differ in length (ours carry a Date): learnt from the first
        }
        request = arena.allocate((long) one.length * pipeline, 64);
        for (int i = 0; i < pipeline; i++) {
            MemorySegment.copy(one, 0, request, ValueLayout.JAVA_BYTE, (long) i * one.length, one.length);
        }
        conns = new Conn[connections];
    }

    public static void main(String[] args) {
        LoadClient c = new LoadClient(new Args(args,
                "host", "port", "mode", "size", "connections", "pipeline", "warmup", "duration", "backend"));
        c.run();
    }

    private void run() {
        for (int i = 0; i < connections; i++) {
            conns[i] = new Conn();
            conns[i].handle = io.connect(server, conns[i]);
        }
        io.run();
        double seconds = (endNanos - startNanos) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "CLIENT backend=%s connections=%d pipeline=%d requests=%d seconds=%.3f rps=%.1f p50_us=%.1f p99_us=%.1f "
                        + "p999_us=%.1f max_us=%.1f errors=%d",
                io.backend(), connections, pipeline, completed, seconds, completed / seconds,
                histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, errors));
        io.close();
        arena.close();
    }

    private void allConnected() {
        io.schedule(warmupNanos, t -> {
            histogram.reset();
            completed = 0;
            errors = 0;
            measuring = true;
            startNanos = System.nanoTime();
            io.schedule(durationNanos, t2 -> {
                endNanos = System.nanoTime();
                measuring = false;
                io.stop();
            }, 0);
        }, 0);
        for (Conn c : conns) {
            if (c.open) {
                c.send();
            }
        }
    }

    private void connectDone() {
        if (++connected == connections) {
            allConnected();
        }
    }

    /**
     * The length of the HTTP answer at the start of {@code m}'s first {@code n} bytes (head up to its
     * empty line, then Content-Length bytes), or 0 when its head is not all there.
     */
    static int answerBytes(MemorySegment m, long n) {
        String s = new String(m.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) return 0;
        java.util.regex.Matcher cl = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(s.substring(0, end));
        return cl.find() ? end + 4 + Integer.parseInt(cl.group(1)) : 0;
    }

    private final class Conn implements CompletionHandler {
        private final MemorySegment scratch = arena.allocate(64 * 1024, 64);
        long handle;
        boolean open;
        private int got;
        private long sentAt;

        void send() {
            got = 0;
            sentAt = System.nanoTime();
            io.write(handle, request, this);
            io.read(handle, scratch, this);
        }

        private void fail() {
            errors++;
            if (open) {
                open = false;
                io.close(handle);
            }
        }

        @Override
        public void completed(IoEvent e) {
            long n = e.result();
            Operation op = e.operation();
            if (op == Operation.CONNECT) {
                open = n == 0;
                if (!open) {
                    errors++;
                }
                connectDone();
                return;
            }
            if (!open || !io.isRunning()) {
                return;
            }
            if (op == Operation.WRITE) {
                if (n < 0) {
                    fail();
                }
                return;
            }
            if (n <= 0) {
                fail();
                return;
            }
            if (expected == 0 && (expected = answerBytes(scratch, n) * pipeline) == 0) {
                fail(); // the first answer's head did not come in one read: cannot tell its length
                return;
            }
            got += (int) n;
            if (got < expected) {
                io.read(handle, scratch, this);
                return;
            }
            if (got > expected) {
                fail();
                return;
            }
            if (measuring) {
                long latency = Math.min(System.nanoTime() - sentAt, MAX_LATENCY_NANOS);
                histogram.recordValueWithCount(latency, pipeline);
                completed += pipeline;
            }
            send();
        }
    }
}
