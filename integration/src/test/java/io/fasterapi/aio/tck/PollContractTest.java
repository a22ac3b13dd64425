package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What one {@link AsyncIo#poll(long)} returns, and how long it waits. Times are bounds, never
 * measures of speed: a poll never returns before its timeout when nothing happens (a lower bound,
 * safe on any machine), and returns well before a long timeout when something does (an upper
 * bound with seconds of slack for a loaded machine).
 */
class PollContractTest {

    /** A timeout the tests never expect to reach: a poll that waits it out has missed the event. */
    private static final long LONG_WAIT_MILLIS = 30_000;
    /** How much later than the event a poll may return on a loaded machine and still count as early. */
    private static final long SLACK_MILLIS = 10_000;
    /** After this the other thread acts: long enough for the loop thread to be blocked in its poll. */
    private static final long DELAY_MILLIS = 200;

    /** Counts each handler call, task and onWake callback; checks each poll's result against it. */
    private static final class Calls {
        final AtomicInteger made = new AtomicInteger();
        final CompletionHandler handler = e -> made.incrementAndGet();
        final Runnable task = made::incrementAndGet;

        /** One poll: its result must be the number of calls it made. Returns that number. */
        int poll(AsyncIo io, long timeoutMillis) {
            int before = made.get();
            int returned = io.poll(timeoutMillis);
            int madeNow = made.get() - before;
            assertEquals(madeNow, returned, "poll(" + timeoutMillis + ") must return the number of handler, task and "
                    + "onWake calls it made");
            return returned;
        }

        void pollUntil(TestLoop loop, String what, BooleanSupplier done) {
            long deadline = System.nanoTime() + TestLoop.TIMEOUT.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) fail("timed out waiting for " + what + "; " + loop.io().stats());
                poll(loop.io(), 20);
                loop.backend().checkHandlerFailures();
            }
        }
    }

    @ContractTest
    void pollReturnsTheNumberOfHandlerAndTaskCallsItMade(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Calls calls = new Calls();
            assertEquals(0, calls.poll(io, 0), "a poll with nothing to deliver returns 0");

            // Three timers due now and two tasks: the next poll delivers all five.
            for (int i = 0; i < 3; i++) {
                io.schedule(0, calls.handler, i);
            }
            io.execute(calls.task);
            io.execute(calls.task);
            assertEquals(5, calls.poll(io, 0), "one poll delivers the due timers and the queued tasks");

            // A read and a write, then a receive's chunks and its end: counted poll by poll.
            io.read(p.server(), arena.allocate(1000), calls.handler);
            io.write(p.client(), Bytes.random(arena, 100, 1), calls.handler);
            calls.pollUntil(loop, "a read and a write", () -> calls.made.get() == 7);
            long pool = io.createBufferPool(4, 256);
            AtomicReference<IoEvent.Snapshot> end = new AtomicReference<>();
            long receive = io.receive(p.server(), pool, e -> {
                calls.made.incrementAndGet();
                if (e.bufferId() >= 0) io.releaseBuffer(pool, e.bufferId());
                if ((e.flags() & IoEvent.MORE) == 0) end.set(e.snapshot());
            }, 0);
            for (int i = 0; i < 3; i++) {
                int before = calls.made.get();
                io.write(p.client(), Bytes.random(arena, 50, 2 + i), calls.handler);
                calls.pollUntil(loop, "a write and its chunk", () -> calls.made.get() >= before + 2);
            }
            assertTrue(io.cancel(receive));
            calls.pollUntil(loop, "the receive's end", () -> end.get() != null);

            // An onWake callback is a call too; a wake-up without one is not.
            io.onWake(calls.task);
            Thread waker = new Thread(io::wake, "tck-waker");
            waker.start();
            waker.join(10_000);
            int before = calls.made.get();
            calls.pollUntil(loop, "the onWake callback", () -> calls.made.get() > before);
            io.onWake(null);
            io.wake();
            assertEquals(0, calls.poll(io, 1000), "a wake-up with no onWake callback delivers nothing");
            assertEquals(0, calls.poll(io, 0), "a poll with nothing to deliver returns 0");
        }
    }

    @ContractTest
    void pollWithNothingToDoWaitsItsTimeoutAndReturnsZero(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion read = new Completion();
            Completion farTimer = new Completion();
            io.read(p.server(), arena.allocate(64), read); // pending: the peer sends nothing
            io.schedule(Duration.ofHours(1), farTimer);    // pending, far beyond the timeout
            loop.pollFor(Duration.ofMillis(50));          // let anything the setup left settle

            for (long timeout : new long[] {0, 100, 300}) {
                long start = System.nanoTime();
                int n = io.poll(timeout);
                long took = (System.nanoTime() - start) / 1_000_000;
                assertEquals(0, n, "poll(" + timeout + ") with nothing to deliver");
                assertTrue(took >= timeout - 5, "poll(" + timeout + ") with nothing to deliver returned after " + took
                        + " ms, before its timeout");
                assertTrue(took < timeout + SLACK_MILLIS, "poll(" + timeout + ") took " + took + " ms");
            }
            assertFalse(read.done() || farTimer.done(), "nothing completed: " + read + farTimer);
        }
    }

    @ContractTest
    void pollReturnsEarlyWhenACompletionArrives(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(); Socket peer = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            long server = loop.acceptPeer(listener, peer);
            Completion read = new Completion();
            io.read(server, arena.allocate(64), read);

            AtomicReference<Throwable> peerError = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(DELAY_MILLIS);
                    OutputStream out = peer.getOutputStream();
                    out.write(new byte[] {1, 2, 3});
                    out.flush();
                } catch (InterruptedException | IOException e) {
                    peerError.set(e);
                }
            }, "tck-late-writer");
            assertEarlyReturn(io, writer, read::done, "the read completed by a peer's write");
            assertNull(peerError.get());
            assertEquals(3, read.assertSucceeded(Operation.READ));
        }
    }

    @ContractTest
    void pollReturnsEarlyWhenATimerFallsDueOrAnotherThreadWakesIt(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            io.poll(0); // the loop is this thread's

            Completion timer = new Completion();
            io.schedule(Duration.ofMillis(DELAY_MILLIS), timer);
            long start = System.nanoTime();
            assertEarlyReturn(io, new Thread(() -> { }), timer::done, "a timer due in " + DELAY_MILLIS + " ms");
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took >= DELAY_MILLIS - 5, "the timer fired after " + took + " ms, before its delay");

            AtomicInteger tasks = new AtomicInteger();
            assertEarlyReturn(io, later(() -> io.execute(tasks::incrementAndGet)), () -> tasks.get() == 1,
                    "a task executed from another thread");

            AtomicInteger wakes = new AtomicInteger();
            io.onWake(wakes::incrementAndGet);
            assertEarlyReturn(io, later(io::wake), () -> wakes.get() == 1, "a wake() from another thread");
        }
    }

    /** A thread that runs {@code action} after {@link #DELAY_MILLIS}. */
    private static Thread later(Runnable action) {
        return new Thread(() -> {
            try {
                Thread.sleep(DELAY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            action.run();
        }, "tck-later");
    }

    /**
     * Starts {@code cause}, then polls with a long timeout until {@code happened}: the polls must end
     * long before that timeout, the one that delivered the event returning at least 1.
     */
    private static void assertEarlyReturn(AsyncIo io, Thread cause, BooleanSupplier happened, String what)
            throws InterruptedException {
        cause.setDaemon(true);
        cause.start();
        long start = System.nanoTime();
        int returned = 0;
        while (!happened.getAsBoolean()) {
            if ((System.nanoTime() - start) / 1_000_000 > 2 * LONG_WAIT_MILLIS) fail("never saw " + what);
            returned = io.poll(LONG_WAIT_MILLIS);
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        cause.join(10_000);
        assertTrue(took < DELAY_MILLIS + SLACK_MILLIS, "poll(" + LONG_WAIT_MILLIS + ") returned " + took + " ms after "
                + "starting, though " + what + " happened after about " + DELAY_MILLIS + " ms");
        assertTrue(returned >= 1, "the poll that delivered " + what + " returned " + returned);
    }

    /**
     * AsyncIoConfig.maxEvents bounds what one poll takes from the kernel (issue #13, item 5): eight
     * sockets become readable at once, and with maxEvents 2 no poll completes more than two reads,
     * while all eight complete over the next polls.
     */
    @ContractTest
    void maxEventsBoundsWhatOnePollTakes(Backend backend) throws Exception {
        int sockets = 8;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(backend.config().maxEvents(2).build())) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Socket[] peers = new Socket[sockets];
            Completion[] reads = new Completion[sockets];
            try {
                for (int i = 0; i < sockets; i++) {
                    peers[i] = new Socket();
                    long server = loop.acceptPeer(listener, peers[i]);
                    reads[i] = new Completion();
                    io.read(server, arena.allocate(16), reads[i]);
                }
                io.poll(0); // the reads are in the kernel
                for (Socket p : peers) p.getOutputStream().write(1);
                try (Socket probe = new Socket()) { // a loopback round trip: the bytes above have landed
                    probe.connect(io.localAddress(listener), 10_000);
                }
                int most = 0;
                int polls = 0;
                while (java.util.Arrays.stream(reads).anyMatch(r -> !r.done())) {
                    int before = (int) java.util.Arrays.stream(reads).filter(Completion::done).count();
                    io.poll(100);
                    int now = (int) java.util.Arrays.stream(reads).filter(Completion::done).count();
                    most = Math.max(most, now - before);
                    assertTrue(++polls < 1_000, "the reads never all completed");
                }
                assertTrue(most <= 2, "one poll completed " + most + " reads with maxEvents 2");
                assertTrue(polls >= sockets / 2, polls + " polls for " + sockets + " reads with maxEvents 2");
                for (Completion r : reads) assertEquals(1, r.assertSucceeded(Operation.READ));
            } finally {
                for (Socket p : peers) if (p != null) p.close();
            }
        }
    }
}
