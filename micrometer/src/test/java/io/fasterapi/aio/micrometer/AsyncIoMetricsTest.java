package io.fasterapi.aio.micrometer;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.LoopGroup;
import io.fasterapi.aio.servers.EchoServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The binder of issue #16, item 6, read through Micrometer's {@link SimpleMeterRegistry}. */
class AsyncIoMetricsTest {

    /** Every meter and the counter of {@link IoStats} it must show. */
    private static final Map<String, ToLongFunction<IoStats>> METERS = new LinkedHashMap<>();

    static {
        METERS.put("aio.accepts", IoStats::accepts);
        METERS.put("aio.reads", IoStats::reads);
        METERS.put("aio.writes", IoStats::writes);
        METERS.put("aio.connects", IoStats::connects);
        METERS.put("aio.closes", IoStats::closes);
        METERS.put("aio.timers", IoStats::timers);
        METERS.put("aio.polls", IoStats::polls);
        METERS.put("aio.events", IoStats::events);
        METERS.put("aio.errors", IoStats::errors);
        METERS.put("aio.wakes", IoStats::wakes);
        METERS.put("aio.read.bytes", IoStats::bytesRead);
        METERS.put("aio.written.bytes", IoStats::bytesWritten);
        METERS.put("aio.datagrams.received", IoStats::datagramsReceived);
        METERS.put("aio.datagrams.sent", IoStats::datagramsSent);
    }

    /** A loop that is only its statistics (whatever {@code stats} holds) and a backend name; it counts reads of stats(). */
    private static AsyncIo fakeLoop(String backend, AtomicReference<IoStats> stats, AtomicInteger reads) {
        return (AsyncIo) Proxy.newProxyInstance(AsyncIo.class.getClassLoader(), new Class<?>[] {AsyncIo.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "stats" -> {
                        reads.incrementAndGet();
                        yield stats.get();
                    }
                    case "backend" -> backend;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake loop";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static IoStats distinct(long base) { // every counter a different value
        return new IoStats(base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8, base + 9,
                base + 10, base + 11, base + 12, base + 13, base + 14);
    }

    private static long count(MeterRegistry registry, String name, String loop) {
        return (long) registry.get(name).tag("loop", loop).functionCounter().count();
    }

    @Test
    void eachMeterShowsItsOwnCounterAsTheLoopCountsWithNothingReadBeforeAScrape() {
        AtomicReference<IoStats> stats = new AtomicReference<>(distinct(0));
        AtomicInteger reads = new AtomicInteger();
        AsyncIo loop = fakeLoop("epoll", stats, reads);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AsyncIoMetrics(loop).bindTo(registry);

        assertEquals(0, reads.get(), "binding reads no statistics");
        assertEquals(METERS.keySet(), registry.getMeters().stream().map(m -> m.getId().getName())
                .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)));
        for (long base : new long[] {0, 1_000}) { // the same meters follow the loop, no re-binding
            stats.set(distinct(base));
            METERS.forEach((name, counter) -> assertEquals(counter.applyAsLong(stats.get()), count(registry, name, "0"), name));
        }
        assertEquals(2 * METERS.size(), reads.get(), "one snapshot per meter read");
    }

    @Test
    void metersAreTaggedWithBackendAndLoopAndBytesHaveTheirUnit() {
        AsyncIo loop = fakeLoop("io_uring", new AtomicReference<>(distinct(0)), new AtomicInteger());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AsyncIoMetrics(loop, Tags.of("server", "http")).bindTo(registry);
        for (var meter : registry.getMeters()) {
            var id = meter.getId();
            assertEquals(Tags.of("backend", "io_uring", "loop", "0", "server", "http"), Tags.of(id.getTags()), id.getName());
            assertEquals(id.getName().endsWith(".bytes") ? "bytes" : null, id.getBaseUnit(), id.getName());
            assertInstanceOf(FunctionCounter.class, meter, id.getName());
        }
    }

    @Test
    void closeRemovesTheMetersOfItsLoopsOnlyFromEveryRegistry() {
        SimpleMeterRegistry one = new SimpleMeterRegistry(), two = new SimpleMeterRegistry();
        AsyncIo old = fakeLoop("epoll", new AtomicReference<>(distinct(0)), new AtomicInteger());
        AsyncIo other = fakeLoop("epoll", new AtomicReference<>(distinct(500)), new AtomicInteger());
        AsyncIoMetrics replaced = new AsyncIoMetrics(old);
        replaced.bindTo(one);
        replaced.bindTo(two);
        new AsyncIoMetrics(other, Tags.of("server", "admin")).bindTo(one);
        replaced.close();
        assertEquals(0, two.getMeters().size());
        assertEquals(METERS.size(), one.getMeters().size(), "the other binder's meters stay");
        // the loop that replaces the old one shows its own counts, not the old loop's
        AsyncIo next = fakeLoop("epoll", new AtomicReference<>(distinct(1_000)), new AtomicInteger());
        new AsyncIoMetrics(next).bindTo(two);
        assertEquals(1_001, count(two, "aio.accepts", "0"));
    }

    @Test
    void theTagsGivenWinOverTheLoopIndex() {
        AsyncIo loop = fakeLoop("epoll", new AtomicReference<>(distinct(0)), new AtomicInteger());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AsyncIoMetrics(loop, Tags.of("loop", "admin")).bindTo(registry);
        assertEquals(1, count(registry, "aio.accepts", "admin"));
        assertNull(registry.find("aio.accepts").tag("loop", "0").functionCounter());
    }

    static Stream<String> backends() {
        return AsyncIo.backends().stream().filter(BackendInfo::available).map(BackendInfo::name);
    }

    /**
     * Real traffic on a group of two echo servers: one connection to loop 0 sends {@code n} bytes
     * and reads them back. Loop 0's meters count that accept and those bytes, loop 1's nothing, and
     * once the group is closed every meter of each loop equals that loop's own final statistics.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aGroupsMetersCountTheTrafficOfEachLoop(String backend) throws Exception {
        EchoServer[] servers = new EchoServer[2];
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        byte[] sent = new byte[100_000];
        new Random(16).nextBytes(sent);
        LoopGroup group = LoopGroup.start("metrics", 2, AsyncIoConfig.builder().backend(backend).build(), (io, i) -> {
            servers[i] = new EchoServer(io, any, 16 * 1024, null);
            return servers[i]::free;
        });
        try {
            new AsyncIoMetrics(group).bindTo(registry);
            try (Socket client = new Socket()) {
                client.setSoTimeout(30_000);
                client.connect(servers[0].socketAddress());
                client.getOutputStream().write(sent);
                assertArrayEquals(sent, client.getInputStream().readNBytes(sent.length));
            }
            group.loop(0).submit(() -> null).get(30, TimeUnit.SECONDS); // the loop's counting happens-before this point
            assertEquals(1, count(registry, "aio.accepts", "0"));
            assertEquals(sent.length, count(registry, "aio.read.bytes", "0"));
            assertEquals(0, count(registry, "aio.read.bytes", "1"));
            assertEquals(backend, registry.get("aio.reads").tag("loop", "1").functionCounter().getId().getTag("backend"));
        } finally {
            group.close();
        }
        assertEquals(sent.length, count(registry, "aio.written.bytes", "0"));
        for (int i = 0; i < 2; i++) {
            IoStats last = group.loop(i).stats();
            String loop = Integer.toString(i);
            METERS.forEach((name, counter) -> assertEquals(counter.applyAsLong(last), count(registry, name, loop), name + " of loop " + loop));
        }
    }
}
