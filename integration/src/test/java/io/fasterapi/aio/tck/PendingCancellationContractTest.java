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
import java.util.List;

import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * cancel() of every kind of operation that can stay pending (write, accept, connect), and close()
 * of a loop with thousands pending: each completes exactly once with ECANCELED, the loop goes on.
 */
class PendingCancellationContractTest {

    /** More than any loopback socket buffers hold: a write of it stays pending while the peer does not read. */
    static final long HUGE = 64L << 20;

    @ContractTest
    void cancelPendingWriteCompletesWithEcanceled(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion w = new Completion();
            long op = io.write(p.client(), arena.allocate(HUGE), w, 5);
            loop.pollFor(Duration.ofMillis(100));
            assertFalse(w.done(), "a 64 MiB write to a peer that does not read stays pending: " + w);
            assertTrue(io.cancel(op), "cancel of a pending write returns true");
            loop.await("the cancelled write's completion", w::done);
            IoEvent.Snapshot e = w.assertFailed(Operation.WRITE, Errno.ECANCELED);
            assertEquals(p.client(), e.handle());
            assertEquals(op, e.operationId());
            assertEquals(5, e.userData());
            assertFalse(io.cancel(op), "cancel of a completed operation returns false");
            loop.pollFor(Duration.ofMillis(30));
            assertEquals(1, w.calls(), "the cancelled write completes exactly once");
            // The stream's content is unknown after a cancelled write: close it; the loop goes on.
            assertTrue(io.close(p.client()));
            assertTrue(io.close(p.server()));
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void cancelPendingWriteLetsTheNextWriteRun(Backend backend) {
        // A write queued behind the cancelled one is not cancelled with it: it runs (or stays
        // pending until the peer reads) and completes once, with its own result.
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion first = new Completion();
            Completion second = new Completion();
            long op = io.write(p.client(), arena.allocate(HUGE), first, 1);
            io.write(p.client(), arena.allocate(1000), second, 2);
            loop.pollFor(Duration.ofMillis(100));
            assertFalse(first.done() || second.done(), "both writes pending");
            assertTrue(io.cancel(op));
            loop.await("the cancelled write", first::done);
            first.assertFailed(Operation.WRITE, Errno.ECANCELED);
            // Drain the peer so the second write can finish.
            MemorySegment sink = arena.allocate(1 << 20);
            boolean[] eof = {false};
            CompletionHandler drain = new CompletionHandler() {
                @Override
                public void completed(IoEvent e) {
                    if (e.result() <= 0) {
                        eof[0] = true;
                    } else if (!second.done()) {
                        io.read(p.server(), sink, this);
                    }
                }
            };
            io.read(p.server(), sink, drain);
            loop.await("the write behind the cancelled one", () -> second.done() || eof[0]);
            assertEquals(1000, second.assertSucceeded(Operation.WRITE), "the second write completes with its size");
            assertEquals(1, first.calls());
        }
    }

    @ContractTest
    void cancelPendingAcceptCompletesWithEcanceled(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Completion a = new Completion();
            long op = io.accept(listener, a, 9);
            loop.pollFor(Duration.ofMillis(20));
            assertFalse(a.done(), "an accept with nobody connecting stays pending");
            assertTrue(io.cancel(op), "cancel of a pending accept returns true");
            loop.await("the cancelled accept's completion", a::done);
            IoEvent.Snapshot e = a.assertFailed(Operation.ACCEPT, Errno.ECANCELED);
            assertEquals(listener, e.handle());
            assertEquals(op, e.operationId());
            assertEquals(9, e.userData());
            assertFalse(io.cancel(op));
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(1, a.calls(), "exactly once");
            // The listener still accepts: a connection made now reaches the next accept, not the cancelled one.
            Pair p = loop.connectPair(listener);
            loop.exchange(p, 11);
            assertEquals(1, a.calls(), "the cancelled accept never receives a connection");
            loop.assertStillWorks();
        }
    }

    /**
     * An accept cancelled while a connection waits must not lose it: either the accept had taken
     * it (cancel came too late, and the accept delivers it), or the next accept gets it. On
     * io_uring and IOCP an ACCEPT is never in the kernel itself (one request per listener is), so
     * cancel() always wins there and the connection waits for the next accept.
     */
    @ContractTest
    void cancelledAcceptLosesNoConnection(Backend backend) throws Exception {
        try (TestLoop loop = backend.open(); java.net.Socket client = new java.net.Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            client.connect(io.localAddress(listener), 10_000); // in the listen queue before the accept
            Completion a = new Completion();
            long op = io.accept(listener, a);
            boolean cancelled = io.cancel(op);
            loop.await("the cancelled accept", a::done);
            long server = a.event().result();
            if (server == -Errno.ECANCELED.code()) {
                assertTrue(cancelled, "ECANCELED although cancel() returned false");
                Completion next = new Completion();
                io.accept(listener, next);
                loop.await("the next accept", next::done);
                server = next.assertSucceeded(Operation.ACCEPT);
            } else {
                assertTrue(server > 0, () -> "the accept ended with " + a);
            }
            assertEquals(client.getLocalPort(), io.remoteAddress(server).getPort(), "the client's connection, delivered once");
            loop.assertStillWorks();
        }
    }

    /**
     * connect() returns the new socket's handle, not an operation id, so cancel(op) cannot name a
     * pending CONNECT; close(handle) is the contract's way to cancel it (see
     * {@link #cancelWithAHandleIdIsRefusedAndCancelsNoOperation} for what cancel(handle) does instead).
     */
    @ContractTest
    void cancelPendingConnectCompletesWithEcanceled(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            PendingConnect pc = PendingConnect.open(loop);
            assertTrue(io.close(pc.handle()), "close of a connecting handle returns true");
            loop.await("the cancelled connect's completion", pc.completion()::done);
            IoEvent.Snapshot e = pc.completion().assertFailed(Operation.CONNECT, Errno.ECANCELED);
            assertEquals(pc.handle(), e.handle());
            assertEquals(3, e.userData());
            loop.pollFor(Duration.ofMillis(50));
            assertEquals(1, pc.completion().calls(), "exactly once");
            assertFalse(io.close(pc.handle()), "the handle is closed");
            for (long h : pc.fillers()) assertTrue(io.close(h));
            assertTrue(io.close(pc.listener()));
            loop.assertStillWorks();
        }
    }

    /**
     * Handle ids and operation ids have the same shape ([loop][generation][index]); cancel() takes
     * an operation id. Passing a handle id (for example the one connect() returns) is refused with
     * IllegalArgumentException, as the Javadoc of cancel says, and cancels nothing: not whatever
     * operation happens to sit in the slot with that index and generation.
     */
    @ContractTest
    void cancelWithAHandleIdIsRefusedAndCancelsNoOperation(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Completion a = new Completion();
            long op = io.accept(listener, a);
            String ids = " (listener handle 0x" + Long.toHexString(listener) + ", accept operation 0x" + Long.toHexString(op) + ")";
            assertThrows(IllegalArgumentException.class, () -> io.cancel(listener), "cancel(a handle id)" + ids);
            loop.pollFor(Duration.ofMillis(20));
            assertFalse(a.done(), "cancel(listener's handle id) cancelled the pending accept" + ids + ": " + a);
            assertTrue(io.cancel(op), "the accept is still pending and its own id cancels it");
            loop.await("the accept's cancellation", a::done);
            a.assertFailed(Operation.ACCEPT, Errno.ECANCELED);
        }
    }

    /**
     * A read cancelled after its bytes reached the socket (but before the loop polled again) must
     * not swallow them: either it did not take them (ECANCELED, and the next read gets them) or
     * it did (and then its completion must carry them). Bytes come from a plain blocking socket,
     * so nothing the loop does in between can deliver the read first.
     */
    @ContractTest
    void cancelledReadLosesNoBytes(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Completion a = new Completion();
            io.accept(listener, a);
            try (java.net.Socket peer = new java.net.Socket()) {
                peer.connect(io.localAddress(listener), 10_000);
                loop.await("accept", a::done);
                long server = a.assertSucceeded(Operation.ACCEPT);
                MemorySegment into = arena.allocate(64);
                for (int round = 0; round < 20; round++) {
                    Completion r = new Completion();
                    long op = io.read(server, into, r);
                    loop.pollFor(Duration.ofMillis(5)); // the read is waiting (in the kernel, for io_uring)
                    byte[] msg = ("round-" + round + "-bytes").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    peer.getOutputStream().write(msg);
                    Thread.sleep(10); // the bytes are in the server's socket buffer now
                    boolean cancelled = io.cancel(op);
                    loop.await("the cancelled read", r::done);
                    long result = r.event().result();
                    byte[] got;
                    if (result == -Errno.ECANCELED.code()) {
                        assertTrue(cancelled, "ECANCELED although cancel() returned false");
                        got = loop.readExactly(server, msg.length, arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    } else {
                        assertTrue(result > 0, () -> "the read ended with " + r);
                        byte[] first = into.asSlice(0, result).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        byte[] rest = loop.readExactly(server, msg.length - result, arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        got = new byte[msg.length];
                        System.arraycopy(first, 0, got, 0, first.length);
                        System.arraycopy(rest, 0, got, first.length, rest.length);
                    }
                    assertEquals(new String(msg, java.nio.charset.StandardCharsets.US_ASCII),
                            new String(got, java.nio.charset.StandardCharsets.US_ASCII),
                            "round " + round + ": the peer's bytes, after a read cancelled (cancel returned " + cancelled
                                    + ", the read completed with " + r.event().result() + ")");
                }
            }
        }
    }

    @ContractTest
    void closeOfLoopWithThousandsOfPendingOperations(Backend backend) {
        CancellationContractTest.warmUp(backend);
        int pairs = 1000;
        int timers = 2000;
        int fdsBefore = Fds.count();
        Arena arena = Arena.ofConfined();
        try {
            TestLoop loop = backend.open();
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(2048));
            InetSocketAddress at = io.localAddress(listener);
            List<Long> ends = new ArrayList<>();
            int[] connected = {0};
            for (int i = 0; i < pairs; i++) {
                io.accept(listener, e -> {
                    assertTrue(e.result() > 0, () -> "ACCEPT " + e.snapshot());
                    ends.add(e.result());
                });
                ends.add(io.connect(at, e -> {
                    assertEquals(0, e.result(), () -> "CONNECT " + e.snapshot());
                    connected[0]++;
                }));
            }
            loop.await(pairs + " connections", () -> connected[0] == pairs && ends.size() == 2 * pairs);

            List<Completion> all = new ArrayList<>();
            List<Operation> kinds = new ArrayList<>();
            MemorySegment buffers = arena.allocate(64L * ends.size() * 2);
            long slot = 0;
            for (int i = 0; i < ends.size(); i++) {
                int reads = i < 200 ? 2 : 1; // some handles with a read queued behind the one in flight
                for (int k = 0; k < reads; k++) {
                    Completion c = new Completion();
                    io.read(ends.get(i), buffers.asSlice(64 * slot++, 64), c);
                    all.add(c);
                    kinds.add(Operation.READ);
                }
            }
            for (int i = 0; i < timers; i++) {
                Completion c = new Completion();
                io.schedule(Duration.ofHours(1).plusMillis(i), c);
                all.add(c);
                kinds.add(Operation.TIMER);
            }
            for (int i = 0; i < 3; i++) {
                Completion c = new Completion();
                io.accept(listener, c);
                all.add(c);
                kinds.add(Operation.ACCEPT);
            }
            if (PendingConnect.POSSIBLE) { // not on Windows: see PendingConnect
                PendingConnect pc = PendingConnect.open(loop);
                all.add(pc.completion());
                kinds.add(Operation.CONNECT);
            }
            loop.pollFor(Duration.ofMillis(100));
            for (Completion c : all) {
                if (c.done()) fail("precondition: every operation is pending, but " + c);
            }

            io.close();
            assertFalse(io.isOpen());
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Completion c = all.get(i);
                List<IoEvent.Snapshot> ev = c.events();
                if (ev.size() != 1 || ev.getFirst().operation() != kinds.get(i)
                        || ev.getFirst().result() != -Errno.ECANCELED.code()) {
                    wrong.add(kinds.get(i) + " #" + i + ": " + ev);
                }
            }
            if (!wrong.isEmpty()) {
                fail(wrong.size() + " of " + all.size() + " pending operations did not complete exactly once with ECANCELED "
                        + "during close(); first: " + wrong.subList(0, Math.min(5, wrong.size())));
            }
            io.close(); // a second close does nothing
            for (Completion c : all) assertEquals(1, c.calls());
            backend.checkHandlerFailures();
            Fds.assertCount(fdsBefore, "open descriptors after the loop closed");
        } finally {
            arena.close();
        }
    }

    /**
     * A connect to a listener whose accept queue is full: what {@code AsyncIo.connect} documents
     * per OS. Linux, macOS and FreeBSD drop the SYN and the connect stays pending (the kernel
     * retransmits); Windows refuses it with ECONNREFUSED.
     */
    @ContractTest
    void connectToAFullAcceptQueueWaitsOrIsRefusedAsTheOsDocuments(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            if (PendingConnect.POSSIBLE) {
                PendingConnect pc = PendingConnect.open(loop);
                loop.pollFor(Duration.ofMillis(300));
                assertFalse(pc.completion().done(), () -> "the connect to a full accept queue completed: " + pc.completion());
                assertTrue(io.close(pc.handle()));
                loop.await("the cancelled connect", pc.completion()::done);
                pc.completion().assertFailed(Operation.CONNECT, Errno.ECANCELED);
                for (long h : pc.fillers()) assertTrue(io.close(h));
                assertTrue(io.close(pc.listener()));
            } else {
                long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(1));
                InetSocketAddress at = io.localAddress(listener);
                List<Completion> connects = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    Completion c = new Completion();
                    io.connect(at, c, i);
                    connects.add(c);
                }
                loop.await("16 connects to a backlog-1 listener that never accepts", Duration.ofSeconds(30),
                        () -> connects.stream().allMatch(Completion::done));
                long refused = connects.stream().filter(c -> c.result() == -Errno.ECONNREFUSED.code()).count();
                assertTrue(refused >= 1, () -> "no connect to the full accept queue was refused: " + connects);
                for (Completion c : connects) {
                    if (c.result() == 0) assertTrue(io.close(c.events().getFirst().handle()));
                }
                assertTrue(io.close(listener));
            }
            loop.assertStillWorks();
        }
    }

    /**
     * A connect that stays pending on loopback: a listener with backlog 1 that never accepts,
     * its accept queue filled first; once full, Linux, macOS and FreeBSD drop further SYNs and the
     * connect waits for the retransmission (1 s, 3 s, ...). Windows refuses such a connect (its
     * {@code listen} documentation: "the client will receive an error with an indication of
     * WSAECONNREFUSED"), so there no connect can be kept pending on loopback, and the tests that
     * need one assert what Windows does instead. The pending connect has user data 3.
     */
    record PendingConnect(long listener, long handle, Completion completion, List<Long> fillers) {
        static final boolean POSSIBLE = OS.current() != OS.WINDOWS;

        static PendingConnect open(TestLoop loop) {
            assumeTrue(POSSIBLE, "Windows refuses a connect to a full accept queue: no connect can be kept pending on "
                    + "loopback (connectToAFullAcceptQueueWaitsOrIsRefusedAsTheOsDocuments asserts the refusal)");
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(1));
            InetSocketAddress at = io.localAddress(listener);
            List<Long> fillers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Completion c = new Completion();
                long h = io.connect(at, c, 3);
                loop.pollFor(Duration.ofMillis(200));
                if (!c.done()) return new PendingConnect(listener, h, c, fillers);
                assertEquals(0, c.result(), () -> "CONNECT to a listener that does not accept: " + c);
                fillers.add(h);
            }
            fail("16 connects to a backlog-1 listener that never accepts all completed within 200 ms each: "
                    + "a connect cannot be kept pending on loopback here");
            return null;
        }
    }
}
