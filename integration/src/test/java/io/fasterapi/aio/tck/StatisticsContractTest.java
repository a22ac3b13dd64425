package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IoStats}: per its Javadoc each counter counts completions delivered to handlers
 * (successful or not); {@code closes} counts handles closed; {@code errors} counts completions
 * with a negative result; {@code wakes} only wake-ups from other threads.
 */
class StatisticsContractTest {

    /** Counts what its handlers saw, to compare with the loop's own counters. */
    private static final class Observed {
        long reads;
        long bytesRead;

        /** Reads exactly {@code n} bytes, counting each READ completion. */
        MemorySegment readExactly(TestLoop loop, long handle, long n, Arena arena) {
            MemorySegment into = arena.allocate(n);
            long got = 0;
            while (got < n) {
                Completion r = new Completion();
                loop.io().read(handle, into.asSlice(got), r);
                loop.await("a read", r::done);
                long k = r.assertSucceeded(Operation.READ);
                reads++;
                bytesRead += k;
                assertTrue(k > 0, "unexpected end of stream");
                got += k;
            }
            return into;
        }
    }

    @ContractTest
    void statisticsAreExactAfterScriptedScenario(Backend backend) {
        long[] upSizes = {100, 1000, 5000};
        long downSize = 777;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            IoStats before = io.stats();
            Observed seen = new Observed();

            long listener = io.listen(new java.net.InetSocketAddress(TestLoop.IPV4, 0));
            List<Pair> pairs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pairs.add(loop.connectPair(listener)); // 1 accept + 1 connect each
            }
            long written = 0;
            for (int i = 0; i < 3; i++) {
                Pair p = pairs.get(i);
                for (long size : upSizes) {
                    MemorySegment m = Bytes.random(arena, size, i * 10 + size);
                    loop.writeAll(p.client(), m); // 1 write each
                    written += size;
                    Bytes.assertSame(m, seen.readExactly(loop, p.server(), size, arena), "message");
                }
                MemorySegment reply = Bytes.random(arena, downSize, i);
                loop.writeAll(p.server(), reply);
                written += downSize;
                Bytes.assertSame(reply, seen.readExactly(loop, p.client(), downSize, arena), "reply");
            }
            Completion t1 = new Completion();
            Completion t2 = new Completion();
            io.schedule(Duration.ofMillis(1), t1);
            io.schedule(0, t2, 0);
            loop.await("2 timers", () -> t1.done() && t2.done());

            // Close the clients: each server end reads end of stream (a READ completion of 0 bytes).
            for (Pair p : pairs) {
                assertTrue(io.close(p.client()));
                Completion eof = new Completion();
                io.read(p.server(), arena.allocate(16), eof);
                loop.await("end of stream", eof::done);
                assertEquals(0, eof.assertSucceeded(Operation.READ));
                seen.reads++;
            }
            assertTrue(io.close(pairs.get(0).server()));
            assertTrue(io.close(pairs.get(1).server()));
            Completion closed = new Completion();
            io.close(pairs.get(2).server(), closed, 0); // the completing form counts once too
            loop.await("CLOSE completion", closed::done);
            assertTrue(io.close(listener));

            IoStats d = io.stats().minus(before);
            long expectedWritten = written;
            long writes = 3L * (upSizes.length + 1);
            assertAll("IoStats deltas after the scenario: " + d,
                    () -> assertEquals(3, d.accepts(), "accepts"),
                    () -> assertEquals(3, d.connects(), "connects"),
                    () -> assertEquals(writes, d.writes(), "writes"),
                    () -> assertEquals(seen.reads, d.reads(), "reads (READ completions delivered)"),
                    () -> assertEquals(expectedWritten, d.bytesWritten(), "bytesWritten"),
                    () -> assertEquals(expectedWritten, d.bytesRead(), "bytesRead"),
                    () -> assertEquals(seen.bytesRead, d.bytesRead(), "bytesRead (as the handlers saw)"),
                    () -> assertEquals(7, d.closes(), "closes: 3 clients, 3 server ends, 1 listener"),
                    () -> assertEquals(2, d.timers(), "timers"),
                    () -> assertEquals(0, d.errors(), "errors"),
                    () -> assertEquals(0, d.wakes(), "wakes: no other thread called wake()"),
                    () -> assertTrue(d.polls() > 0, "polls > 0"),
                    () -> assertTrue(d.events() > 0, "events > 0"));
        }
    }

    @ContractTest
    void statisticsCountFailedCompletionsAsErrors(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            IoStats before = io.stats();
            Completion refused = new Completion();
            io.connect(RoundTripContractTest.closedPort(), refused);      // CONNECT -ECONNREFUSED, handle closed by the loop
            Completion cancelled = new Completion();
            long timer = io.schedule(Duration.ofHours(1), cancelled);
            assertTrue(io.cancel(timer));                                   // TIMER -ECANCELED
            assertTrue(io.close(p.client()));                               // 1 close
            Completion stale = new Completion();
            io.read(p.client(), arena.allocate(8), stale);                  // READ -EBADF
            loop.await("three failed completions", () -> refused.done() && cancelled.done() && stale.done());
            refused.assertFailed(Operation.CONNECT, Errno.ECONNREFUSED);
            cancelled.assertFailed(Operation.TIMER, Errno.ECANCELED);
            stale.assertFailed(Operation.READ, Errno.EBADF);

            IoStats d = io.stats().minus(before);
            assertAll("IoStats deltas: " + d,
                    () -> assertEquals(1, d.connects(), "connects (failed ones count)"),
                    () -> assertEquals(1, d.timers(), "timers (a cancelled timer's completion counts)"),
                    () -> assertEquals(1, d.reads(), "reads (a failed read counts)"),
                    () -> assertEquals(0, d.bytesRead(), "bytesRead"),
                    () -> assertEquals(3, d.errors(), "errors: one per completion with a negative result"),
                    () -> assertEquals(2, d.closes(), "closes: the client, and the refused socket the loop closed"),
                    () -> assertEquals(0, d.accepts()),
                    () -> assertEquals(0, d.writes()));
        }
    }

    @ContractTest
    void statsFromAnotherThreadSeeRecentCounters(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Completion t = new Completion();
            io.schedule(0, t, 0);
            loop.await("a timer", t::done);
            IoStats[] seen = new IoStats[1];
            Thread other = new Thread(() -> seen[0] = io.stats());
            other.start();
            other.join();
            assertTrue(seen[0] != null && seen[0].timers() >= 1, "stats() from another thread: " + seen[0]);
        }
    }

    /**
     * stats() from another thread while the loop runs: each counter only grows between snapshots
     * (never a torn or older value), and once run() has returned (a latch: happens-before) the
     * snapshot is exact.
     */
    @ContractTest
    void statsReadFromAnotherThreadNeverGoBackwardsAndEndExact(Backend backend) throws Exception {
        AsyncIo io = backend.create();
        int timers = 20_000;
        long[] fired = {0};
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closeNow = new java.util.concurrent.CountDownLatch(1);
        Thread loopThread = Thread.ofPlatform().name("stats-loop").start(() -> {
            io.execute(() -> {
                for (int i = 0; i < timers; i++) {
                    io.schedule(0, e -> {
                        if (++fired[0] == timers) io.stop();
                    }, i);
                }
            });
            io.run();
            ran.countDown();
            try {
                closeNow.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            io.close(); // on its own thread
        });
        IoStats last = io.stats();
        do { // at least once, even if the loop was quicker than this thread
            IoStats now = io.stats();
            IoStats d = now.minus(last);
            assertTrue(d.timers() >= 0 && d.polls() >= 0 && d.wakes() >= 0 && d.events() >= 0,
                    () -> "a counter went back between two snapshots: " + d);
            last = now;
        } while (ran.getCount() > 0);
        ran.await();
        IoStats end = io.stats();
        closeNow.countDown();
        loopThread.join(30_000);
        assertEquals(timers, end.timers(), "TIMER completions once run() returned");
        assertTrue(end.timers() >= last.timers(), "the final snapshot is not behind the last one seen while running");
        assertTrue(!io.isOpen(), "the loop thread closed the loop");
    }
}
