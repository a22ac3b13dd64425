package io.fasterapi.aio.servers.mrc;

import io.fasterapi.aio.servers.CaughtErrors;
import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrity under faults (issue #7, item 7): a reduced 1MRC run (100,000 events over 200 client
 * connections, one server loop, per backend) in which about 10% of the client's connections are
 * dropped at a random moment, and the rule "every event the server acknowledged is counted exactly
 * once, none that it did not acknowledge" is checked exactly.
 *
 * <p><b>The client</b> is written here on plain blocking {@code java.net} sockets, one virtual
 * thread per connection, one request at a time (so at most one event is in flight per connection).
 * Each connection, when opened, is doomed with probability 0.1, at a random one of its next 500
 * events (a connection's share), in one of five ways:
 * <ul>
 *   <li>{@code FIN_IN_FLIGHT}: the whole event is sent, then the socket closed before the answer;</li>
 *   <li>{@code RST_IN_FLIGHT}: the same with {@code SO_LINGER 0}, so the close is a reset;</li>
 *   <li>{@code PARTIAL}: a random prefix of the event's request is sent (cut in the head or the body),
 *       then a close or a reset: the server never has the whole request;</li>
 *   <li>{@code BETWEEN}: a close or a reset with nothing in flight;</li>
 *   <li>{@code AFTER_STATUS}: the whole event is sent and the status line {@code HTTP/1.1 200} read,
 *       then a reset, the rest of the answer unread: acknowledged.</li>
 * </ul>
 * The client then opens a new connection and goes on with the next events. Every other event must
 * be answered 200 on its connection.
 *
 * <p><b>The exact check.</b> Every event has its own user id ({@code u<id>}), so {@code uniqueUsers}
 * is the number of distinct events counted and {@code totalRequests} the number of countings. An
 * acknowledged event has the value {@code j * 2^30} micro-units ({@code j = 1 + id % 900}, e.g.
 * 1073.741824); an event sent and then dropped in flight (FIN/RST/PARTIAL) has its own bit,
 * {@code 2^k} micro-units for {@code k < 30} (0.000001, 0.000002, ...), at most 30 per run (later
 * drops are BETWEEN or AFTER_STATUS). Let A be the acknowledged events, F the in-flight ones, C what
 * the server counted. Then:
 * <ol>
 *   <li>{@code totalRequests == uniqueUsers}: no event was counted twice;</li>
 *   <li>so {@code sum} in micro-units is {@code Σ_{C∩A} j·2^30 + Σ_{C∩F} 2^k}, and its low 30 bits
 *       are exactly the set C∩F (the bits are distinct and add up to less than 2^30): each must be
 *       a FIN/RST in-flight event (the server may or may not have read it before the drop), never
 *       a PARTIAL one (an incomplete request must not be counted);</li>
 *   <li>{@code uniqueUsers == |A| + popcount(low bits)}: so |C∩A| = |A|, every acknowledged event
 *       is counted, and nothing else (no event never sent, no phantom) is;</li>
 *   <li>{@code sum >> 30 == Σ_A j}: the acknowledged events were counted with their values.</li>
 * </ol>
 * Stats are read with {@code GET /stats} after every client connection has finished; with one
 * server loop they are read on the thread that records, so the three totals are one snapshot.
 *
 * <p>What the server's loop and its handler-error sink catch is recorded and must be nothing (each
 * run prints the count); a client worker's failure fails the run through its {@code Future}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MrcFaultTest {
    static final int EVENTS = 100_000;
    static final int CONNECTIONS = 200;
    static final double DROP_PROBABILITY = 0.10;
    static final int BITS = 30;
    static final long UNIT = 1L << BITS; // micro-units of an acknowledged event's value step

    enum Drop { FIN_IN_FLIGHT, RST_IN_FLIGHT, PARTIAL, BETWEEN, AFTER_STATUS }

    static java.util.stream.Stream<String> backends() {
        return MrcEndToEndTest.backends();
    }

    /** The shared record of one run. */
    static final class Run {
        final InetSocketAddress address;
        final long seed;
        final int events;
        final int connections;
        final AtomicLong next = new AtomicLong();
        final LongAdder acknowledged = new LongAdder();
        final LongAdder acknowledgedUnits = new LongAdder(); // Σ j over A
        final AtomicInteger bits = new AtomicInteger();
        final Map<Integer, Drop> bitKind = new ConcurrentHashMap<>(); // bit -> how its event was dropped
        final Map<Drop, LongAdder> drops = new EnumMap<>(Drop.class);
        final LongAdder opened = new LongAdder();

        Run(InetSocketAddress address, long seed, int events, int connections) {
            this.address = address;
            this.seed = seed;
            this.events = events;
            this.connections = connections;
            for (Drop d : Drop.values()) drops.put(d, new LongAdder());
        }
    }

    static byte[] event(long id, long micros) {
        String body = "{\"userId\":\"u" + id + "\",\"value\":" + BigDecimal.valueOf(micros, 6).toPlainString() + "}";
        return ("POST /event HTTP/1.1\r\nHost: mrc\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one answer; returns its status. */
    static int readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(160);
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) throw new IOException("end of stream in an answer: " + head);
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(line.substring(15).strip());
        }
        in.readNBytes(length);
        return Integer.parseInt(h.substring(9, 12));
    }

    static Socket open(Run run) throws IOException {
        Socket s = new Socket(run.address.getAddress(), run.address.getPort());
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        run.opened.increment();
        return s;
    }

    /** One client connection after another until the events run out. */
    static void worker(Run run, int index) throws IOException {
        SplittableRandom rnd = new SplittableRandom(run.seed * 1_000_003L + index);
        while (true) {
            Socket s = open(run);
            int dropAt = rnd.nextDouble() < DROP_PROBABILITY ? rnd.nextInt(run.events / run.connections) : -1;
            try {
                InputStream in = new BufferedInputStream(s.getInputStream(), 4096);
                OutputStream out = s.getOutputStream();
                for (int k = 0; ; k++) {
                    long id = run.next.getAndIncrement();
                    if (id >= run.events) return;
                    long j = 1 + id % 900;
                    if (k == dropAt) {
                        drop(run, s, in, out, id, j, rnd);
                        break; // and reconnect
                    }
                    out.write(event(id, j * UNIT));
                    int status = readAnswer(in);
                    if (status != 200) throw new AssertionError("event " + id + " answered " + status);
                    run.acknowledged.increment();
                    run.acknowledgedUnits.add(j);
                }
            } finally {
                s.close();
            }
        }
    }

    static void drop(Run run, Socket s, InputStream in, OutputStream out, long id, long j, SplittableRandom rnd) throws IOException {
        Drop kind = Drop.values()[rnd.nextInt(Drop.values().length)];
        int bit = -1;
        if (kind == Drop.FIN_IN_FLIGHT || kind == Drop.RST_IN_FLIGHT || kind == Drop.PARTIAL) {
            bit = run.bits.getAndIncrement();
            if (bit >= BITS) { // out of distinct bits: drop without an event in flight
                kind = rnd.nextBoolean() ? Drop.BETWEEN : Drop.AFTER_STATUS;
                bit = -1;
            } else {
                run.bitKind.put(bit, kind);
            }
        }
        run.drops.get(kind).increment();
        switch (kind) {
            case FIN_IN_FLIGHT -> out.write(event(id, 1L << bit));
            case RST_IN_FLIGHT -> {
                out.write(event(id, 1L << bit));
                s.setSoLinger(true, 0);
            }
            case PARTIAL -> {
                byte[] e = event(id, 1L << bit);
                out.write(e, 0, 1 + rnd.nextInt(e.length - 1));
                if (rnd.nextBoolean()) s.setSoLinger(true, 0);
            }
            case BETWEEN -> {
                if (rnd.nextBoolean()) s.setSoLinger(true, 0);
            }
            case AFTER_STATUS -> {
                out.write(event(id, j * UNIT));
                byte[] status = in.readNBytes(12);
                String line = new String(status, StandardCharsets.US_ASCII);
                if (!line.equals("HTTP/1.1 200")) throw new AssertionError("event " + id + " answered " + line);
                run.acknowledged.increment();
                run.acknowledgedUnits.add(j);
                s.setSoLinger(true, 0);
            }
        }
        s.close();
    }

    @ParameterizedTest(name = "acknowledgedEventsCountedExactlyOnceWithDrops[{0}]")
    @MethodSource("backends")
    void acknowledgedEventsCountedExactlyOnceWithDrops(String backend) throws Exception {
        Outcome o = run(backend, EVENTS, CONNECTIONS, MrcHandler::new);
        assertTrue(o.dropped >= 5, "too few drops: " + o.dropped); // about 22 expected
        assertEquals(List.of(), o.problems);
    }

    /** The check must see a server that acknowledges events it does not count. */
    @ParameterizedTest(name = "aServerThatLosesAcknowledgedEventsFails[{0}]")
    @MethodSource("backends")
    void aServerThatLosesAcknowledgedEventsFails(String backend) throws Exception {
        AtomicLong n = new AtomicLong();
        Outcome o = run(backend, 20_000, 50, stats -> {
            MrcHandler real = new MrcHandler(stats);
            return (request, response) -> {
                if (request.pathEquals("/event") && n.incrementAndGet() % 997 == 0) response.send(MrcHandler.ACCEPTED);
                else real.handle(request, response);
            };
        });
        assertTrue(o.problems.stream().anyMatch(p -> p.startsWith("acknowledged")), o.problems::toString);
    }

    /** The check must see a server that counts some events twice. */
    @ParameterizedTest(name = "aServerThatCountsTwiceFails[{0}]")
    @MethodSource("backends")
    void aServerThatCountsTwiceFails(String backend) throws Exception {
        AtomicLong n = new AtomicLong();
        Outcome o = run(backend, 20_000, 50, stats -> {
            MrcHandler real = new MrcHandler(stats);
            EventParser parser = new EventParser();
            return (request, response) -> {
                if (request.pathEquals("/event") && n.incrementAndGet() % 997 == 0
                        && parser.parse(request.buffer(), request.bodyOffset(), request.bodyLength())) {
                    stats.record(parser);
                }
                real.handle(request, response);
            };
        });
        assertTrue(o.problems.stream().anyMatch(p -> p.startsWith("counted twice")), o.problems::toString);
    }

    record Outcome(long dropped, List<String> problems) { }

    /** Runs the faulty client against a server of {@code handlers}; returns the drops and every way the stats are wrong. */
    static Outcome run(String backend, int events, int connections, Function<EventStats, HttpHandler> handlers) throws Exception {
        EventStats stats = new EventStats();
        CaughtErrors caught = new CaughtErrors();
        long seed = Long.getLong("mrc.fault.seed", System.nanoTime());
        long t0 = System.nanoTime();
        Run run;
        StatsReport report;
        try (HttpServerGroup server = HttpServerGroup.start(1, caught.config(backend),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpLimits.defaults(),
                i -> handlers.apply(stats), caught.sink("handler"))) {
            run = new Run(server.address(), seed, events, connections);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> workers = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    int index = i;
                    workers.add(pool.submit(() -> {
                        worker(run, index);
                        return null;
                    }));
                }
                for (Future<?> f : workers) f.get(150, TimeUnit.SECONDS); // rethrows a worker's failure
            }
            try (Socket s = open(run)) {
                s.getOutputStream().write("GET /stats HTTP/1.1\r\nHost: mrc\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                report = StatsReport.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertNotNull(report, answer);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;

        long a = run.acknowledged.sum();
        long sumMicros = report.sum().movePointRight(6).longValueExact(); // every value has at most 6 decimals
        long low = sumMicros & (UNIT - 1);
        long high = sumMicros >>> BITS;
        List<Integer> countedInFlight = new ArrayList<>();
        for (int b = 0; b < BITS; b++) if ((low & (1L << b)) != 0) countedInFlight.add(b);
        long dropped = run.drops.values().stream().mapToLong(LongAdder::sum).sum();
        System.out.printf(Locale.ROOT, "MrcFaultTest[%s] seed %d: %,d events over %,d connections, %,d dropped %s; %,d acknowledged;"
                        + " %d in flight at a drop, %d of them counted %s; stats %s; %d caught by the server; %d ms%n",
                backend, seed, events, run.opened.sum() - 1, dropped, run.drops, a, Math.min(run.bits.get(), BITS),
                countedInFlight.size(), countedInFlight, report.json(), caught.count(), ms);
        caught.assertNone(backend + " server (seed " + seed + ")");

        List<String> problems = new ArrayList<>();
        String where = " (seed " + seed + ", -Dmrc.fault.seed=" + seed + " repeats the client's choices)";
        // 1. nothing counted twice (one user id per event)
        if (report.uniqueUsers() != report.totalRequests()) {
            problems.add("counted twice: totalRequests " + report.totalRequests() + ", uniqueUsers " + report.uniqueUsers() + where);
        }
        // 2. the low bits are in-flight events that were whole on the wire: FIN or RST, never PARTIAL
        for (int b : countedInFlight) {
            Drop kind = run.bitKind.get(b);
            if (kind != Drop.FIN_IN_FLIGHT && kind != Drop.RST_IN_FLIGHT) {
                problems.add("in-flight bit " + b + " counted, its event was " + kind + where);
            }
        }
        // 3. every acknowledged event counted, and nothing else
        if (a + countedInFlight.size() != report.uniqueUsers()) {
            problems.add("acknowledged " + a + " + counted in flight " + countedInFlight.size() + " != uniqueUsers "
                    + report.uniqueUsers() + where);
        }
        // 4. with their values
        if (run.acknowledgedUnits.sum() != high) {
            problems.add("sum of acknowledged values " + run.acknowledgedUnits.sum() + " x 2^30 micro-units, counted " + high + where);
        }
        if (report.totalRequests() != stats.totalRequests()) problems.add("GET /stats and EventStats differ" + where);
        return new Outcome(dropped, problems);
    }
}
