package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 8: stop() from another thread with thousands of operations pending (reads on 1,000
 * handles, 1,000 timers, 500 accepts, writes to peers that do not read, connects stuck behind a full
 * backlog). run() returns; close() on the loop thread completes every pending operation exactly
 * once with ECANCELED (and what handlers submit while it closes, too); every descriptor closes; a
 * second stop() and close(), from either thread, are harmless.
 */
class ShutdownIT {

    static final int PAIRS = Reliability.scaled(500);
    static final int TIMERS = Reliability.scaled(1000);
    static final int ACCEPTS = 500;
    static final int STALLED_PAIRS = 20;
    static final int WRITES_PER_STALLED = 10;
    static final int STUCK_CONNECTS = 50;

    /** Every completion, by operation id (loop thread only). */
    private final Map<Long, List<IoEvent.Snapshot>> completions = new HashMap<>();
    private final Set<Long> submitted = new HashSet<>();
    /** Ids submitted by handlers while the loop closed. */
    private final Set<Long> submittedWhileClosing = new HashSet<>();
    private final Map<Long, Operation> kinds = new HashMap<>();

    private CompletionHandler recorder(boolean resubmitTimer, AsyncIo[] io) {
        return new CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                completions.computeIfAbsent(e.operationId(), k -> new ArrayList<>()).add(e.snapshot());
                if (resubmitTimer && e.result() == -Errno.ECANCELED.code()) {
                    long id = io[0].schedule(Duration.ofHours(1).toNanos(), recorder(false, io), 0);
                    submittedWhileClosing.add(id);
                    kinds.put(id, Operation.TIMER);
                }
            }
        };
    }

    private long track(long id, Operation kind) {
        submitted.add(id);
        kinds.put(id, kind);
        return id;
    }

    @ContractTest
    void stopWithThousandsPendingCancelsEachExactlyOnce(Backend backend) throws Exception {
        CancellationContractTest.warmUp(backend);
        int fdsBefore = Fds.count();
        AsyncIo[] io = new AsyncIo[1];
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<Throwable> loopFailure = new AtomicReference<>();
        Map<Long, List<IoEvent.Snapshot>> beforeClose = new HashMap<>();
        int[] pendingAtStop = {0};
        boolean[] runReturned = {false};
        Thread loopThread = Thread.ofPlatform().name("shutdown-loop").start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                TestLoop loop = backend.open();
                io[0] = loop.io();
                AsyncIo a = io[0];
                long listener = a.listen(new InetSocketAddress(TestLoop.IPV4, 0));
                CompletionHandler plain = recorder(false, io);
                for (int i = 0; i < PAIRS; i++) {
                    Pair p = loop.connectPair(listener);
                    track(a.read(p.client(), arena.allocate(64), plain, i), Operation.READ);
                    track(a.read(p.server(), arena.allocate(64), plain, i), Operation.READ);
                }
                for (int i = 0; i < TIMERS; i++) {
                    track(a.schedule(Duration.ofHours(1).toNanos(), recorder(i % 10 == 0, io), i), Operation.TIMER);
                }
                long idle = a.listen(new InetSocketAddress(TestLoop.IPV4, 0));
                for (int i = 0; i < ACCEPTS; i++) {
                    track(a.accept(idle, plain, i), Operation.ACCEPT);
                }
                MemorySegment huge = arena.allocate(8L << 20);
                for (int i = 0; i < STALLED_PAIRS; i++) {
                    Pair p = loop.connectPair(listener);
                    for (int k = 0; k < WRITES_PER_STALLED; k++) {
                        track(a.write(p.client(), huge, plain, k), Operation.WRITE);
                    }
                }
                long full = a.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(1));
                InetSocketAddress fullAt = a.localAddress(full);
                for (int i = 0; i < STUCK_CONNECTS; i++) {
                    long h = a.connect(fullAt, plain, i);
                    submitted.add(h); // a CONNECT completion's operationId: recorded under its handle below
                    kinds.put(h, Operation.CONNECT);
                }
                loop.pollFor(Duration.ofMillis(300));
                ready.countDown();
                a.run();
                runReturned[0] = true;
                pendingAtStop[0] = Reliability.pendingOperations(a);
                completions.forEach((k, v) -> beforeClose.put(k, List.copyOf(v)));
                a.close();
                a.close(); // harmless
            } catch (Throwable t) {
                loopFailure.set(t);
                ready.countDown();
            }
        });
        assertTrue(ready.await(2, TimeUnit.MINUTES), "the loop thread's set-up");
        assertEquals(null, loopFailure.get(), "set-up failed");
        Thread.sleep(100);
        AsyncIo a = io[0];
        assertTrue(a.isRunning(), "run() is executing");
        a.stop();
        a.stop(); // harmless
        loopThread.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(loopThread.isAlive(), "run() returned and close() finished");
        if (loopFailure.get() != null) throw new AssertionError("on the loop thread", loopFailure.get());
        assertTrue(runReturned[0], "run() returned after stop()");
        assertFalse(a.isOpen(), "closed");
        assertFalse(a.isRunning(), "not running");
        assertDoesNotThrow(() -> a.stop(), "stop() after close");
        assertDoesNotThrow(() -> a.close(), "close() from another thread after close");
        assertDoesNotThrow(() -> a.wake(), "wake() after close");
        backend.checkHandlerFailures();

        // Every operation completed exactly once; those still pending at stop() with ECANCELED.
        Map<Operation, Integer> cancelledByKind = new EnumMap<>(Operation.class);
        int cancelled = 0;
        int connectsMade = 0;
        for (long id : submitted) {
            Operation kind = kinds.get(id);
            List<IoEvent.Snapshot> got = kind == Operation.CONNECT ? connectCompletions(id) : completions.get(id);
            assertTrue(got != null && got.size() == 1, () -> kind + " " + Long.toHexString(id) + " completed "
                    + (got == null ? 0 : got.size()) + " times: " + got);
            IoEvent.Snapshot e = got.getFirst();
            boolean wasDone = kind == Operation.CONNECT ? beforeCloseConnect(beforeClose, id) : beforeClose.containsKey(id);
            if (kind == Operation.CONNECT && e.result() == 0) {
                connectsMade++;
            } else {
                assertTrue(!wasDone || kind == Operation.CONNECT, () -> kind + " completed before stop(): " + e);
                assertEquals(-Errno.ECANCELED.code(), e.result(), () -> "pending " + kind + " at close: " + e);
                cancelledByKind.merge(kind, 1, Integer::sum);
                cancelled++;
            }
        }
        for (long id : submittedWhileClosing) {
            List<IoEvent.Snapshot> got = completions.get(id);
            assertTrue(got != null && got.size() == 1, () -> "timer scheduled while closing completed " + got);
            assertEquals(-Errno.ECANCELED.code(), got.getFirst().result(), "timer scheduled while closing");
        }
        assertTrue(cancelled >= 2000, "thousands pending: " + cancelled);
        Fds.assertCount(fdsBefore, "descriptors after the loop closed");
        Reliability.report(backend.name(), "stop() with " + pendingAtStop[0] + " operations pending: " + cancelled
                + " completed once with ECANCELED " + cancelledByKind + " (+ " + submittedWhileClosing.size()
                + " timers scheduled by handlers while closing, cancelled too; " + connectsMade
                + " connects had got through the backlog); descriptors back to " + fdsBefore);
    }

    /** CONNECT completions carry the new handle, not an operation id: find them by handle. */
    private List<IoEvent.Snapshot> connectCompletions(long handle) {
        List<IoEvent.Snapshot> out = new ArrayList<>();
        for (List<IoEvent.Snapshot> l : completions.values()) {
            for (IoEvent.Snapshot e : l) {
                if (e.operation() == Operation.CONNECT && e.handle() == handle) out.add(e);
            }
        }
        return out;
    }

    private static boolean beforeCloseConnect(Map<Long, List<IoEvent.Snapshot>> before, long handle) {
        return before.values().stream().flatMap(List::stream)
                .anyMatch(e -> e.operation() == Operation.CONNECT && e.handle() == handle);
    }
}
