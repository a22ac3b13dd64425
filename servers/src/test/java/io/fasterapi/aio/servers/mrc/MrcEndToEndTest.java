package io.fasterapi.aio.servers.mrc;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.servers.CaughtErrors;
import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The 1MRC on a reduced run (50,000 events, 200 connections), server and client on each backend.
 * The server's loops record what they catch and every run asserts nothing was; the client records
 * its own exceptions among its problems, and none may be there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MrcEndToEndTest {

    static Stream<String> backends() {
        return AsyncIo.backends().stream().filter(BackendInfo::available).map(BackendInfo::name);
    }

    static MrcResult run(String backend, int serverLoops, long requests, int connections, HttpHandler override) {
        EventStats stats = new EventStats();
        CaughtErrors caught = new CaughtErrors();
        MrcResult r;
        try (HttpServerGroup server = HttpServerGroup.start(serverLoops, caught.config(backend),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpLimits.defaults(),
                i -> override != null ? override : new MrcHandler(stats), caught.sink("handler"))) {
            r = new MrcClient(server.address(), requests, connections, Duration.ofSeconds(90), null, Duration.ofSeconds(1))
                    .run(backend);
        }
        caught.assertNone(backend + " server");
        assertTrue(r.problems().stream().noneMatch(p -> p.startsWith("exception in the client")), r.problems()::toString);
        return r;
    }

    @ParameterizedTest(name = "reducedRunIsExact[{0}]")
    @MethodSource("backends")
    void reducedRunIsExact(String backend) {
        MrcResult r = run(backend, 1, 50_000, 200, null);
        assertTrue(r.correct(), () -> "problems: " + r.problems());
        assertEquals(50_000, r.acknowledged());
        assertEquals(0, r.errors());
        assertEquals(50_000, r.stats().totalRequests());
        assertEquals(50_000, r.stats().uniqueUsers());
        assertEquals(0, r.stats().sum().compareTo(Expected.after(50_000).sum()));
        assertEquals(50_000, r.latency().getTotalCount());
    }

    @ParameterizedTest(name = "reducedRunOnTwoLoopsIsExact[{0}]")
    @MethodSource("backends")
    void reducedRunOnTwoLoopsIsExact(String backend) {
        // Two loops on one port need SO_REUSEPORT, which Windows lacks (HttpServerGroupTest asserts the refusal).
        assumeTrue(OS.current() != OS.WINDOWS, "two server loops on one port need SO_REUSEPORT: not on Windows");
        MrcResult r = run(backend, 2, 100_000, 200, null);
        assertTrue(r.correct(), () -> "problems: " + r.problems());
        assertEquals(75_000, r.stats().uniqueUsers());
    }

    @ParameterizedTest(name = "clientReportsADroppedEvent[{0}]")
    @MethodSource("backends")
    void clientReportsADroppedEvent(String backend) {
        EventStats stats = new EventStats();
        MrcHandler real = new MrcHandler(stats);
        AtomicLong events = new AtomicLong();
        HttpHandler dropping = (request, response) -> {
            if (request.pathEquals("/event") && events.incrementAndGet() % 1000 == 0) {
                response.send(MrcHandler.ACCEPTED); // acknowledged, never counted
            } else {
                real.handle(request, response);
            }
        };
        MrcResult r = run(backend, 1, 20_000, 50, dropping);
        assertFalse(r.correct(), "a server that loses every 1000th event passed the check");
        assertEquals(20_000, r.acknowledged());
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("totalRequests 19980, expected 20000")), r.problems()::toString);
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("sum ")), r.problems()::toString);
    }
}
