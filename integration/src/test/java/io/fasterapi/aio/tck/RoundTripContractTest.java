package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.Resolver;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Connecting, accepting, reading and writing: the data path, end to end through the library. */
class RoundTripContractTest {

    @ContractTest
    void roundTripIpv4(Backend backend) {
        roundTrip(backend, TestLoop.IPV4);
    }

    @ContractTest
    void roundTripIpv6(Backend backend) {
        InetAddress v6 = TestLoop.address("::1");
        assumeTrue(loopbackWorks(v6), "no IPv6 loopback (::1) on this machine");
        roundTrip(backend, v6);
    }

    private static void roundTrip(Backend backend, InetAddress host) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair(host);
            InetSocketAddress listening = io.localAddress(p.listener());
            assertEquals(host, listening.getAddress(), "listener's local address");
            assertEquals(listening.getPort(), io.remoteAddress(p.client()).getPort(), "client's peer is the listener's port");
            assertEquals(io.localAddress(p.client()), io.remoteAddress(p.server()), "server end sees the client's address");
            assertEquals(io.localAddress(p.server()), io.remoteAddress(p.client()), "client end sees the server end's address");

            MemorySegment request = Bytes.random(arena, 10_000, 1);
            loop.writeAll(p.client(), request);
            Bytes.assertSame(request, loop.readExactly(p.server(), request.byteSize(), arena), "request, client -> server");

            MemorySegment reply = Bytes.random(arena, 7_777, 2);
            loop.writeAll(p.server(), reply);
            Bytes.assertSame(reply, loop.readExactly(p.client(), reply.byteSize(), arena), "reply, server -> client");

            assertTrue(io.close(p.client()), "close of an open handle returns true");
            loop.assertEndOfStream(p.server(), arena);
            assertTrue(io.close(p.server()));
            assertTrue(io.close(p.listener()));
        }
    }

    @ContractTest
    void readCompletesWithZeroAtPeerClose(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            MemorySegment last = Bytes.random(arena, 100, 3);
            loop.writeAll(p.client(), last);
            assertTrue(io.close(p.client()));

            // The bytes sent before the close arrive first, then a read completes with 0.
            Bytes.assertSame(last, loop.readExactly(p.server(), 100, arena), "bytes sent before the close");
            loop.assertEndOfStream(p.server(), arena);
            // End of stream stays end of stream.
            loop.assertEndOfStream(p.server(), arena);
        }
    }

    @ContractTest
    void shutdownOutputMakesPeerReadZeroAndReadsStillWork(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            io.shutdownOutput(p.client());
            loop.assertEndOfStream(p.server(), arena);
            MemorySegment reply = Bytes.random(arena, 5000, 4);
            loop.writeAll(p.server(), reply);
            Bytes.assertSame(reply, loop.readExactly(p.client(), reply.byteSize(), arena), "read after shutdownOutput");
        }
    }

    @ContractTest
    void connectToClosedPortCompletesWithEconnrefused(Backend backend) throws IOException {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            InetSocketAddress closed = closedPort();
            Completion c = new Completion();
            long handle = io.connect(closed, c, 42);
            assertTrue(handle > 0, "connect returns the new socket's handle at once");
            loop.await("the CONNECT completion to closed port " + closed, c::done);
            IoEvent.Snapshot e = c.assertFailed(Operation.CONNECT, Errno.ECONNREFUSED);
            assertEquals(handle, e.handle(), "CONNECT completion's handle");
            assertEquals(42, e.userData(), "CONNECT userData");
            assertEquals(Errno.ECONNREFUSED, e.error());
            loop.pollFor(Duration.ofMillis(30));
            assertEquals(1, c.calls(), "the CONNECT handler runs exactly once");

            // "in which case the loop has already closed the handle"
            assertFalse(io.close(handle), "after a failed connect the handle must already be closed (close returns false)");
            Completion r = new Completion();
            io.read(handle, arena.allocate(16), r);
            loop.await("a read on the failed connect's handle", r::done);
            r.assertFailed(Operation.READ, Errno.EBADF);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void writesOnOneHandleCompleteInOrder(Backend backend) {
        int n = 40;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<MemorySegment> parts = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < n; i++) {
                MemorySegment part = Bytes.random(arena, 1 + (i * 7919L) % 300_000, 100 + i);
                parts.add(part);
                total += part.byteSize();
            }
            MemorySegment expected = arena.allocate(total);
            long at = 0;
            for (MemorySegment part : parts) {
                MemorySegment.copy(part, 0, expected, at, part.byteSize());
                at += part.byteSize();
            }
            List<IoEvent.Snapshot> order = new ArrayList<>();
            for (int i = 0; i < n; i++) { // all submitted at once: most must wait for the peer to read
                io.write(p.client(), parts.get(i), e -> order.add(e.snapshot()), i);
            }
            MemorySegment received = arena.allocate(total);
            StreamReader reader = new StreamReader(io, p.server(), total, arena.allocate(64 * 1024), received).start();
            loop.await(n + " writes (" + total + " bytes) and their reading", () -> order.size() == n && reader.done());
            assertNull(reader.failure());
            for (int i = 0; i < n; i++) {
                IoEvent.Snapshot e = order.get(i);
                assertEquals(i, e.userData(), "write #" + i + " completed in position " + i + "; order: "
                        + order.stream().map(IoEvent::userData).toList());
                assertEquals(parts.get(i).byteSize(), e.result(), "write #" + i + " result (partial-write rule)");
            }
            Bytes.assertSame(expected, received, "the concatenation of " + n + " writes");
        }
    }

    @ContractTest
    void byteBufferPositionAdvances(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 64; i++) {
                out.put(i, (byte) i);
            }
            out.position(3).limit(13);
            Completion w = new Completion();
            io.write(p.client(), out, w);
            loop.await("a ByteBuffer write", w::done);
            assertEquals(10, w.assertSucceeded(Operation.WRITE), "write covers position to limit");
            assertEquals(13, out.position(), "write advances the position by the bytes sent");
            assertEquals(13, out.limit(), "write leaves the limit alone");

            ByteBuffer in = ByteBuffer.allocateDirect(100);
            for (int i = 0; i < 100; i++) {
                in.put(i, (byte) 0x55);
            }
            in.position(5);
            int reads = 0;
            while (in.position() < 15 && reads++ < 10) {
                int before = in.position();
                Completion r = new Completion();
                io.read(p.server(), in, r);
                loop.await("a ByteBuffer read", r::done);
                long k = r.assertSucceeded(Operation.READ);
                assertTrue(k > 0);
                assertEquals(before + k, in.position(), "read advances the position by the bytes read");
                assertEquals(100, in.limit(), "read leaves the limit alone");
            }
            assertEquals(15, in.position());
            for (int i = 0; i < 100; i++) {
                byte expected = i >= 5 && i < 15 ? (byte) (i - 2) : (byte) 0x55;
                assertEquals(expected, in.get(i), "byte " + i + " of the read buffer");
            }
        }
    }

    @ContractTest
    void pendingReadsCompleteInSubmissionOrderAsDataArrives(Backend backend) {
        int n = 6;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            List<Completion> reads = new ArrayList<>();
            List<MemorySegment> buffers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Completion r = new Completion();
                MemorySegment b = arena.allocate(64);
                io.read(p.server(), b, r, i);
                reads.add(r);
                buffers.add(b);
            }
            loop.pollFor(Duration.ofMillis(20));
            assertTrue(reads.stream().noneMatch(Completion::done), "a read completed before any data was sent: " + reads);
            // One stamped chunk at a time: each arrives whole (a few bytes on loopback) and must
            // complete the oldest pending read, and only it.
            for (int i = 0; i < n; i++) {
                MemorySegment chunk = arena.allocateFrom("chunk " + i + " of " + n);
                chunk = chunk.asSlice(0, chunk.byteSize() - 1); // without the C string's terminating zero
                loop.writeAll(p.client(), chunk);
                int sent = i + 1;
                loop.await("a read to complete after chunk #" + i + " was sent",
                        () -> reads.stream().filter(Completion::done).count() == sent);
                loop.pollFor(Duration.ofMillis(10));
                assertTrue(reads.get(i).done(), "chunk #" + i + " did not complete read #" + i + ": " + reads);
                for (int j = i + 1; j < n; j++) {
                    assertFalse(reads.get(j).done(), "read #" + j + " completed when only chunks 0.." + i + " were sent: "
                            + reads.get(j));
                }
                IoEvent.Snapshot e = reads.get(i).event();
                assertEquals(i, e.userData(), "read #" + i + "'s completion");
                assertEquals(chunk.byteSize(), reads.get(i).assertSucceeded(Operation.READ), "read #" + i + " gets chunk #" + i);
                Bytes.assertSame(chunk, buffers.get(i).asSlice(0, chunk.byteSize()), "read #" + i + "'s bytes");
            }
        }
    }

    /**
     * "The buffer's position advances by the bytes moved when the operation succeeds": when it
     * fails it stays where it was, even after part of a large write went out before the peer reset
     * the connection (and at end of stream, when no byte moved).
     */
    @ContractTest
    void byteBufferPositionIsUnchangedWhenItsOperationFails(Backend backend) throws IOException {
        try (TestLoop loop = backend.open(); Socket peer = new Socket()) {
            AsyncIo io = loop.io();
            Pair stale = loop.connectPair();
            assertTrue(io.close(stale.client()));
            ByteBuffer b = ByteBuffer.allocateDirect(64).position(7).limit(50);
            Completion r = new Completion();
            Completion w = new Completion();
            io.read(stale.client(), b, r);
            io.write(stale.client(), b, w);
            loop.await("a read and a write on a closed handle", () -> r.done() && w.done());
            r.assertFailed(Operation.READ, Errno.EBADF);
            w.assertFailed(Operation.WRITE, Errno.EBADF);
            assertEquals(7, b.position(), "position after failed operations on a closed handle");
            assertEquals(50, b.limit());

            // A peer that never reads, then resets the connection while a read and a large write are pending.
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            long server = loop.acceptPeer(listener, peer);
            ByteBuffer in = ByteBuffer.allocateDirect(1000).position(10);
            ByteBuffer out = ByteBuffer.allocateDirect((int) PendingCancellationContractTest.HUGE).position(100);
            Completion read = new Completion();
            Completion write = new Completion();
            io.read(server, in, read);
            io.write(server, out, write);
            loop.pollFor(Duration.ofMillis(100));
            assertFalse(write.done(), "a 64 MiB write to a peer that does not read stays pending: " + write);
            assertFalse(read.done(), "a read from a peer that sends nothing stays pending: " + read);
            peer.setSoLinger(true, 0);
            peer.close(); // a reset
            loop.await("the read and the write to end at the reset", () -> read.done() && write.done());
            // The kernel reports the reset to one call (here the write); the other then sees end of stream.
            assertTrue(write.event().failed(), "the write fails at the reset: " + write);
            assertTrue(read.event().result() <= 0, "the read fails or sees end of stream at the reset: " + read);
            assertEquals(10, in.position(), "the buffer position of the read ended by the reset");
            assertEquals(1000, in.limit());
            assertEquals(100, out.position(), "the failed write's buffer position, though some bytes were sent");
            assertEquals(out.capacity(), out.limit());
        }
    }

    @ContractTest
    void byteBufferPositionIsUnchangedWhenItsOperationIsCancelled(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            ByteBuffer in = ByteBuffer.allocateDirect(100).position(5);
            Completion read = new Completion();
            long readOp = io.read(p.server(), in, read);
            ByteBuffer out = ByteBuffer.allocateDirect((int) PendingCancellationContractTest.HUGE).position(3);
            Completion write = new Completion();
            long writeOp = io.write(p.server(), out, write); // to the client, which does not read
            loop.pollFor(Duration.ofMillis(100));
            assertFalse(write.done(), "a 64 MiB write to a peer that does not read stays pending: " + write);
            assertTrue(io.cancel(readOp), "cancel of a pending read");
            assertTrue(io.cancel(writeOp), "cancel of a pending write");
            loop.await("the cancelled read and write", () -> read.done() && write.done());
            read.assertFailed(Operation.READ, Errno.ECANCELED);
            write.assertFailed(Operation.WRITE, Errno.ECANCELED);
            assertEquals(5, in.position(), "the cancelled read's buffer position");
            assertEquals(3, out.position(), "the cancelled write's buffer position, though some bytes were sent");

            // Cancelled by closing the handle.
            Completion closed = new Completion();
            io.read(p.server(), in, closed);
            assertTrue(io.close(p.server()));
            loop.await("the read cancelled by close", closed::done);
            closed.assertFailed(Operation.READ, Errno.ECANCELED);
            assertEquals(5, in.position(), "the buffer position of a read cancelled by closing its handle");
        }
    }

    /**
     * A socket whose connect has not completed is not connected: shutdownOutput throws
     * AsyncIoException with ENOTCONN and changes nothing; the connect goes on and the connection
     * then sends both ways. (The kernels disagree here: Linux and BSD abort a connecting socket.)
     */
    @ContractTest
    void shutdownOutputBeforeConnectCompletesThrowsEnotconnAndChangesNothing(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(1));
            InetSocketAddress at = io.localAddress(listener);
            // Nobody accepts: once the accept queue is full, the next connect stays pending.
            List<Long> queued = new ArrayList<>();
            long pending = 0;
            Completion connect = null;
            for (int i = 0; i < 8 && pending == 0; i++) {
                Completion c = new Completion();
                long h = io.connect(at, c, i);
                loop.pollFor(Duration.ofMillis(200));
                if (c.done()) {
                    c.assertSucceeded(Operation.CONNECT);
                    queued.add(h);
                } else {
                    pending = h;
                    connect = c;
                }
            }
            assumeTrue(pending != 0, "every connect to a listener with a full accept queue completed at once here");
            long notConnected = pending;
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> io.shutdownOutput(notConnected),
                    "shutdownOutput of a socket whose connect is pending");
            assertEquals(Errno.ENOTCONN, e.error(), "shutdownOutput before the connect completed: " + e);

            // The connect goes on: accept everything, and it completes (at the SYN's retransmission).
            List<Completion> accepts = new ArrayList<>();
            for (int i = 0; i <= queued.size(); i++) {
                Completion a = new Completion();
                io.accept(listener, a);
                accepts.add(a);
            }
            Completion connected = connect;
            loop.await("the pending connect, once the accept queue has room", () -> connected.done()
                    && accepts.stream().allMatch(Completion::done));
            connected.assertSucceeded(Operation.CONNECT);
            long server = 0;
            for (Completion a : accepts) {
                long h = a.assertSucceeded(Operation.ACCEPT);
                if (io.remoteAddress(h).equals(io.localAddress(pending))) server = h;
            }
            assertTrue(server != 0, "the pending connect was accepted");
            loop.exchange(new Pair(0, pending, server), 8); // its sending side was not shut down
        }
    }

    @ContractTest
    void shutdownOutputOfAListenerOrAClosedHandleIsRefused(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            assertThrows(IllegalArgumentException.class, () -> io.shutdownOutput(listener), "a listener");
            Pair p = loop.connectPair(listener); // it still listens
            loop.exchange(p, 3);
            assertTrue(io.close(p.client()));
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> io.shutdownOutput(p.client()), "a closed handle");
            assertEquals(Errno.EBADF, e.error());
        }
    }

    @ContractTest
    void completionsNeverRunInsideTheSubmittingCall(Backend backend) throws IOException {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Pair stale = loop.connectPair(p.listener());
            assertTrue(io.close(stale.client()));
            // Make every operation below able to finish at once: data waiting, a connection queued.
            MemorySegment data = Bytes.random(arena, 100, 5);
            loop.writeAll(p.client(), data);
            loop.pollFor(Duration.ofMillis(20));
            long queued = io.connect(io.localAddress(p.listener()), new Completion());
            loop.pollFor(Duration.ofMillis(20));

            AtomicBoolean inCall = new AtomicBoolean();
            AtomicInteger reentrant = new AtomicInteger();
            AtomicInteger calls = new AtomicInteger();
            List<String> reentered = new ArrayList<>();
            CompletionHandler handler = e -> {
                calls.incrementAndGet();
                if (inCall.get()) {
                    reentrant.incrementAndGet();
                    reentered.add(e.toString());
                }
            };
            inCall.set(true);
            io.schedule(0, handler, 1);
            io.read(p.server(), arena.allocate(1000), handler, 2);
            io.write(p.client(), Bytes.random(arena, 10, 6), handler, 3);
            io.accept(p.listener(), handler, 4);
            io.read(stale.client(), arena.allocate(10), handler, 5);
            io.write(stale.client(), arena.allocate(10), handler, 6);
            io.connect(closedPort(), handler, 7);
            io.close(stale.server(), handler, 8);
            inCall.set(false); // no poll ran in between: any completion so far ran inside a submitting call
            loop.await("8 completions", () -> calls.get() == 8);
            assertEquals(0, reentrant.get(), "completions ran inside the submitting call: " + reentered);
            assertTrue(queued > 0);
        }
    }

    static InetSocketAddress closedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, TestLoop.IPV4)) {
            port = s.getLocalPort();
        }
        return new InetSocketAddress(TestLoop.IPV4, port);
    }

    static boolean loopbackWorks(InetAddress address) {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A host name, resolved off the loop (issue #13, item 6): "localhost" connects; a bad name fails the future only. */
    @ContractTest
    void aHostNameIsResolvedOffTheLoopThenConnected(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Completion accepted = new Completion();
            io.accept(listener, accepted);
            Completion connected = new Completion();
            java.util.concurrent.CompletableFuture<Long> started =
                    Resolver.connect(io, "localhost", io.localAddress(listener).getPort(), connected);
            loop.await("the connect to localhost", connected::done); // the loop runs the connect as a task
            connected.assertSucceeded(Operation.CONNECT);
            long client = connected.event().handle();
            assertEquals(client, started.getNow(-2L), "the future has the handle the completion names");
            loop.await("the accept", accepted::done);
            accepted.assertSucceeded(Operation.ACCEPT);

            Completion never = new Completion();
            var bad = Resolver.connect(io, "[::1", 80, never); // an invalid literal: no lookup needed
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> bad.get(10, java.util.concurrent.TimeUnit.SECONDS));
            org.junit.jupiter.api.Assertions.assertInstanceOf(java.net.UnknownHostException.class, e.getCause());
            loop.pollFor(java.time.Duration.ofMillis(50));
            org.junit.jupiter.api.Assertions.assertFalse(never.done(), "no connect was started for a name that did not resolve");
        }
    }
}
