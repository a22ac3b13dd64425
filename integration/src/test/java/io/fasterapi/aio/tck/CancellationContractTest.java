package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cancel(), close(handle) and close() of the loop: pending operations end with ECANCELED, once. */
class CancellationContractTest {

    @ContractTest
    void cancelPendingReadCompletesWithEcanceled(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion r = new Completion();
            long op = io.read(p.server(), arena.allocate(16), r, 7);
            loop.pollFor(Duration.ofMillis(20));
            assertFalse(r.done(), "a read with nothing to read stays pending");
            assertTrue(io.cancel(op), "cancel of a pending read returns true");
            loop.await("the cancelled read's completion", r::done);
            IoEvent.Snapshot e = r.assertFailed(Operation.READ, Errno.ECANCELED);
            assertEquals(p.server(), e.handle());
            assertEquals(op, e.operationId());
            assertEquals(7, e.userData());
            assertFalse(io.cancel(op), "cancel of a completed operation returns false");
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(1, r.calls(), "the cancelled read completes exactly once");
            // The connection still works and the cancelled read took none of its bytes.
            loop.exchange(p, 8);
        }
    }

    @ContractTest
    void closeWithReadPendingCompletesReadOnceWithEcanceled(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<IoEvent.Snapshot> order = new ArrayList<>();
            io.read(p.server(), arena.allocate(16), e -> order.add(e.snapshot()), 1);
            io.read(p.server(), arena.allocate(16), e -> order.add(e.snapshot()), 2);
            loop.pollFor(Duration.ofMillis(10));
            assertTrue(order.isEmpty(), "reads with nothing to read stay pending: " + order);
            assertTrue(io.close(p.server()), "close of an open handle returns true");
            loop.await("the pending reads' completions", () -> order.size() >= 2);
            loop.pollFor(Duration.ofMillis(30));
            assertEquals(2, order.size(), "each pending read completes exactly once: " + order);
            for (int i = 0; i < 2; i++) {
                IoEvent.Snapshot e = order.get(i);
                assertEquals(i + 1, e.userData(), "reads of one handle complete in submission order: " + order);
                assertEquals(Operation.READ, e.operation());
                assertEquals(-Errno.ECANCELED.code(), e.result(), () -> "expected ECANCELED: " + e);
                assertEquals(p.server(), e.handle());
            }
            assertFalse(io.close(p.server()), "closing a closed handle returns false");
            loop.assertEndOfStream(p.client(), arena); // the socket really was closed
        }
    }

    /**
     * cancel() of reads that a close already cancelled, while the first of them is still in the
     * kernel (a completion backend): each read still completes exactly once with ECANCELED, in
     * order, and none is lost when slots are reused meanwhile. (Found by MisuseFuzzIT: the
     * cancelled read was completed at once but stayed linked behind the one in the kernel; its slot,
     * reused, cut that chain and the reads after it never completed.)
     */
    @ContractTest
    void cancelOfReadsAClosePutBehindOneInTheKernelLosesNone(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<IoEvent.Snapshot> order = new ArrayList<>();
            long[] reads = new long[4];
            for (int i = 0; i < reads.length; i++) {
                reads[i] = io.read(p.server(), arena.allocate(16), e -> order.add(e.snapshot()), i);
            }
            assertTrue(io.close(p.server()));
            for (int i = 1; i < reads.length - 1; i++) {
                io.cancel(reads[i]); // true while it waits behind the read in the kernel, false once completed
            }
            List<Completion> timers = new ArrayList<>();
            for (int i = 0; i < 8; i++) { // operations that may take the slots of completed ones
                Completion t = new Completion();
                io.schedule(0, t, 100 + i);
                timers.add(t);
            }
            loop.await("the four reads' completions", () -> order.size() >= reads.length);
            loop.await("the timers", () -> timers.stream().allMatch(Completion::done));
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(reads.length, order.size(), "each read exactly once: " + order);
            for (int i = 0; i < reads.length; i++) {
                assertEquals(i, order.get(i).userData(), "in submission order: " + order);
                assertEquals(-Errno.ECANCELED.code(), order.get(i).result(), () -> "ECANCELED: " + order);
            }
            for (Completion t : timers) assertEquals(1, t.calls(), "a timer fired once: " + t);
            loop.assertStillWorks();
        }
    }

    /**
     * A CLOSE is not cancellable: cancel() of it returns false and changes nothing, even while it
     * waits (on a completion backend) for the kernel to give back the read it cancelled. (Found by
     * MisuseFuzzIT: it used to index the handle table with the CLOSE's handle slot, -1.)
     */
    @ContractTest
    void cancelOfAPendingCloseReturnsFalseAndTheCloseCompletesOnce(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<IoEvent.Snapshot> order = new ArrayList<>();
            io.read(p.server(), arena.allocate(16), e -> order.add(e.snapshot()), 1);
            long closeOp = io.close(p.server(), e -> order.add(e.snapshot()), 2);
            assertFalse(io.cancel(closeOp), "cancel of a CLOSE");
            assertFalse(io.cancel(closeOp), "cancel of a CLOSE, again");
            loop.await("the CLOSE completion", () -> order.size() == 2);
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(2, order.size(), "the cancelled read and the CLOSE, once each: " + order);
            assertEquals(-Errno.ECANCELED.code(), order.get(0).result(), "the read: " + order.get(0));
            assertEquals(Operation.CLOSE, order.get(1).operation());
            assertEquals(0, order.get(1).result(), "the close happened: " + order.get(1));
            assertFalse(io.cancel(closeOp), "cancel of a completed CLOSE");
            loop.assertEndOfStream(p.client(), arena);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void closeCompletionArrivesAfterCancelledOperations(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<IoEvent.Snapshot> order = new ArrayList<>();
            io.read(p.server(), arena.allocate(16), e -> order.add(e.snapshot()), 1);
            io.accept(p.listener(), e -> order.add(e.snapshot()), 2);
            long closeOp = io.close(p.server(), e -> order.add(e.snapshot()), 3);
            loop.await("the CLOSE completion", () -> order.stream().anyMatch(e -> e.operation() == Operation.CLOSE));
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(2, order.size(), "the cancelled read, then CLOSE; the accept on another handle stays pending: " + order);
            assertEquals(Operation.READ, order.get(0).operation());
            assertEquals(-Errno.ECANCELED.code(), order.get(0).result());
            IoEvent.Snapshot close = order.get(1);
            assertEquals(Operation.CLOSE, close.operation());
            assertEquals(0, close.result(), "CLOSE of an open handle");
            assertEquals(p.server(), close.handle());
            assertEquals(3, close.userData());
            assertEquals(closeOp, close.operationId());

            Completion again = new Completion();
            io.close(p.server(), again, 4);
            loop.await("CLOSE of a closed handle", again::done);
            again.assertFailed(Operation.CLOSE, Errno.EBADF);
        }
    }

    @ContractTest
    void staleHandleAfterCloseFailsWithEbadf(Backend backend) {
        warmUp(backend); // so no class loading opens a jar on the descriptor number this test watches
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair old = loop.connectPair();
            boolean countable = Fds.countable();
            Set<Integer> before = countable ? Fds.open() : Set.of();
            assertTrue(io.close(old.client()));
            Set<Integer> freed = new TreeSet<>(before);
            if (countable) {
                freed.removeAll(Fds.open());
            }

            // New connections: the OS hands out the lowest free descriptor, so one of these sockets
            // reuses the closed handle's descriptor number.
            List<Pair> fresh = new ArrayList<>();
            boolean reused = freed.isEmpty();
            for (int i = 0; i < 8 && (fresh.size() < 2 || !reused); i++) {
                Set<Integer> pre = countable ? Fds.open() : Set.of();
                fresh.add(loop.connectPair(old.listener()));
                if (countable) {
                    Set<Integer> added = new TreeSet<>(Fds.open());
                    added.removeAll(pre);
                    reused |= added.stream().anyMatch(freed::contains);
                }
            }
            assertTrue(reused, "none of " + fresh.size() + " new connections reused descriptor(s) " + freed
                    + " of the closed handle: the test could not set up the reuse it checks");

            // Every operation on the stale handle completes with EBADF and reaches no socket.
            Completion r = new Completion();
            Completion w = new Completion();
            Completion c = new Completion();
            io.read(old.client(), arena.allocate(64), r, 1);
            io.write(old.client(), Bytes.random(arena, 64, 9), w, 2);
            io.close(old.client(), c, 3);
            loop.await("operations on a stale handle", () -> r.done() && w.done() && c.done());
            assertEquals(old.client(), r.assertFailed(Operation.READ, Errno.EBADF).handle());
            w.assertFailed(Operation.WRITE, Errno.EBADF);
            c.assertFailed(Operation.CLOSE, Errno.EBADF);
            assertFalse(io.close(old.client()), "close of a stale handle returns false");

            // The new connections are untouched: nothing arrived from the stale write...
            List<Completion> pending = new ArrayList<>();
            List<MemorySegment> into = new ArrayList<>();
            for (Pair f : fresh) {
                for (long end : new long[] {f.server(), f.client()}) {
                    Completion x = new Completion();
                    MemorySegment buffer = arena.allocate(64);
                    io.read(end, buffer, x);
                    pending.add(x);
                    into.add(buffer);
                }
            }
            loop.pollFor(Duration.ofMillis(100));
            for (Completion x : pending) {
                assertFalse(x.done(), "a new connection received data after an operation on a stale handle: " + x);
            }
            // ...and each still carries exactly its own bytes (the stale read consumed nothing).
            List<MemorySegment> sent = new ArrayList<>();
            for (int i = 0; i < fresh.size(); i++) {
                MemorySegment up = Bytes.random(arena, 64, 100 + i);
                MemorySegment down = Bytes.random(arena, 64, 200 + i);
                loop.writeAll(fresh.get(i).client(), up);
                loop.writeAll(fresh.get(i).server(), down);
                sent.add(up);
                sent.add(down);
            }
            loop.await("the new connections' reads", () -> pending.stream().allMatch(Completion::done));
            for (int i = 0; i < pending.size(); i++) {
                long n = pending.get(i).assertSucceeded(Operation.READ);
                assertTrue(n > 0);
                MemorySegment expected = sent.get(i).asSlice(0, n);
                Bytes.assertSame(expected, into.get(i).asSlice(0, n), "new connection " + i / 2 + (i % 2 == 0 ? " up" : " down"));
                if (n < 64) {
                    Bytes.assertSame(sent.get(i).asSlice(n), loop.readExactly(i % 2 == 0 ? fresh.get(i / 2).server()
                            : fresh.get(i / 2).client(), 64 - n, arena), "rest of new connection " + i / 2);
                }
            }
        }
    }

    @ContractTest
    void closeOfLoopCancelsPendingOperationsExactlyOnce(Backend backend) {
        warmUp(backend);
        int fdsBefore = Fds.count();
        Arena arena = Arena.ofConfined();
        try {
            TestLoop loop = backend.open();
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Pair q = loop.connectPair(p.listener());
            Completion readClient = new Completion();
            Completion readServer1 = new Completion();
            Completion readServer2 = new Completion();
            Completion accept = new Completion();
            Completion timer = new Completion();
            Completion write = new Completion();
            io.read(p.client(), arena.allocate(64), readClient);
            io.read(p.server(), arena.allocate(64), readServer1);
            io.read(p.server(), arena.allocate(64), readServer2);
            io.accept(p.listener(), accept);
            io.schedule(Duration.ofHours(1), timer);
            // Nobody reads q's server end: 64 MiB cannot fit in the socket buffers, the write stays pending.
            io.write(q.client(), arena.allocate(64L << 20), write);
            loop.pollFor(Duration.ofMillis(100));
            List<Completion> all = List.of(readClient, readServer1, readServer2, accept, timer, write);
            for (Completion c : all) {
                assertFalse(c.done(), "precondition: the operation is pending: " + c);
            }

            io.close(); // completes everything pending with ECANCELED during this call
            assertFalse(io.isOpen(), "isOpen() after close()");
            readClient.assertFailed(Operation.READ, Errno.ECANCELED);
            readServer1.assertFailed(Operation.READ, Errno.ECANCELED);
            readServer2.assertFailed(Operation.READ, Errno.ECANCELED);
            accept.assertFailed(Operation.ACCEPT, Errno.ECANCELED);
            timer.assertFailed(Operation.TIMER, Errno.ECANCELED);
            write.assertFailed(Operation.WRITE, Errno.ECANCELED);

            io.close(); // closing twice does nothing
            for (Completion c : all) {
                assertEquals(1, c.calls(), "completed exactly once: " + c);
            }
            backend.checkHandlerFailures();
            Fds.assertCount(fdsBefore, "open descriptors after the loop closed: every socket and the loop's own closed");
        } finally {
            arena.close();
        }
    }

    /** Loads every class a loop uses (class loading opens jar files), so descriptor counts compare. */
    static void warmUp(Backend backend) {
        try (TestLoop loop = backend.open()) {
            Pair p = loop.connectPair();
            loop.exchange(p, 1);
            loop.io().schedule(0, e -> { }, 0);
            loop.pollFor(Duration.ofMillis(1));
        }
    }
}
