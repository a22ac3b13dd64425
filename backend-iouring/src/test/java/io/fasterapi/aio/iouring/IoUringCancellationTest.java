package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Cancellation of every kind of pending operation on io_uring, where each is a request in the
 * kernel: exactly one ECANCELED completion, no request left behind, the loop keeps working.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class IoUringCancellationTest {

    /** Requests the kernel still owes a final completion, as the loop's submission queue counts them. */
    static int kernelOwned(AsyncIo io) {
        return IoUringKernelTest.kernelOf(io).inFlight();
    }

    @Test
    void cancelEveryPendingKind() {
        Drive d = new Drive();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0);
            long listener = d.listen(16);
            long[] p = d.pair(listener);

            Drive.Rec accept = new Drive.Rec();
            Drive.Rec read = new Drive.Rec();
            Drive.Rec write = new Drive.Rec();
            Drive.Rec timer = new Drive.Rec();
            long acceptOp = io.accept(listener, accept, 1);
            long readOp = io.read(p[0], arena.allocate(64), read, 2); // p[1] never writes
            long writeOp = io.write(p[0], arena.allocate(64L << 20), write, 4);
            long timerOp = io.schedule(Duration.ofHours(1).toNanos(), timer, 5);
            // connect: only close(handle) can cancel it (connect() returns no operation id)
            Drive.Rec connect = new Drive.Rec();
            long listener1 = io.listen(new InetSocketAddress(Drive.LOOPBACK, 0), ListenOptions.defaults().withBacklog(1));
            List<Long> fillers = new ArrayList<>();
            long connecting = -1;
            for (int i = 0; i < 16 && connecting < 0; i++) {
                Drive.Rec r = i == 0 ? connect : new Drive.Rec();
                long h = io.connect(io.localAddress(listener1), r, 3);
                d.pollFor(Duration.ofMillis(200));
                if (!r.done()) {
                    connecting = h;
                    if (r != connect) connect = r;
                } else {
                    assertEquals(0, r.one().result(), () -> "CONNECT to the backlog-1 listener: " + r);
                    fillers.add(h);
                }
            }
            assertTrue(connecting > 0, "could not keep a connect pending on loopback");
            Drive.Rec pendingConnect = connect;
            d.pollFor(Duration.ofMillis(50));
            for (Drive.Rec r : List.of(accept, read, write, timer, pendingConnect)) {
                assertFalse(r.done(), "precondition: pending: " + r);
            }

            assertTrue(io.cancel(acceptOp), "cancel(accept)");
            assertTrue(io.cancel(readOp), "cancel(read)");
            assertTrue(io.cancel(writeOp), "cancel(write)");
            assertTrue(io.cancel(timerOp), "cancel(timer)");
            assertTrue(io.close(connecting), "close(connecting handle)");
            d.await("five cancelled operations", () -> accept.done() && read.done() && write.done() && timer.done()
                    && pendingConnect.done());
            d.pollFor(Duration.ofMillis(100));
            accept.assertCancelled(Operation.ACCEPT);
            read.assertCancelled(Operation.READ);
            write.assertCancelled(Operation.WRITE);
            timer.assertCancelled(Operation.TIMER);
            pendingConnect.assertCancelled(Operation.CONNECT);
            assertEquals(List.of(1L, 2L, 4L, 5L, 3L), List.of(accept.one().userData(), read.one().userData(),
                    write.one().userData(), timer.one().userData(), pendingConnect.one().userData()));
            for (long op : new long[] {acceptOp, readOp, writeOp, timerOp}) assertFalse(io.cancel(op), "stale after completion");

            // The loop goes on; then with every handle closed, the kernel holds only the wake-up read.
            IoUringKernelTest.exerciseLoop(d, "after cancelling every kind");
            for (long h : fillers) assertTrue(io.close(h));
            assertTrue(io.close(listener1) && io.close(p[0]) && io.close(p[1]) && io.close(listener));
            d.pollFor(Duration.ofMillis(100));
            assertEquals(1, kernelOwned(io), "requests still owned by the kernel (only the wake-up read should be)");
        } finally {
            d.close();
        }
    }

    /**
     * A read whose bytes the kernel already delivered (its CQE posted, not yet reaped) is no
     * longer cancellable: the bytes are out of the socket. queueDepth 2 makes the loop submit in
     * the middle of a turn (the SQ is full), where a RECV with data waiting completes at once.
     * cancel() then must not turn that completion into ECANCELED, or the bytes are lost.
     */
    @Test
    void cancelAfterTheKernelCompletedAReadLosesNoBytes() throws Exception {
        Drive d = new Drive(AsyncIoConfig.builder().queueDepth(2));
        List<Socket> peers = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0);
            long listener = d.listen(16);
            int port = io.localAddress(listener).getPort();
            List<Long> servers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Drive.Rec a = new Drive.Rec();
                io.accept(listener, a);
                Socket s = new Socket();
                s.connect(new InetSocketAddress(Drive.LOOPBACK, port), 10_000);
                s.setSoTimeout(10_000);
                peers.add(s);
                d.await("accept " + i, a::done);
                servers.add(a.one().result());
            }
            byte[] msg = "sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII);
            peers.get(0).getOutputStream().write(msg);
            Thread.sleep(20); // the bytes wait in the server end's receive buffer

            MemorySegment into = arena.allocate(64);
            Drive.Rec r0 = new Drive.Rec();
            long op = io.read(servers.get(0), into, r0);           // SQE 1 of 2
            io.read(servers.get(1), arena.allocate(64), new Drive.Rec()); // SQE 2: the SQ is full
            io.read(servers.get(2), arena.allocate(64), new Drive.Rec()); // submits 1 and 2 now: read 0 completes in the kernel
            boolean cancelled = io.cancel(op);
            d.await("read 0", r0::done);
            d.pollFor(Duration.ofMillis(20));
            long result = r0.one().result();
            byte[] got;
            if (result == -Errno.ECANCELED.code()) {
                Drive.Rec again = new Drive.Rec();
                io.read(servers.get(0), into, again);
                d.pollFor(Duration.ofMillis(200));
                if (!again.done()) {
                    fail("bytes lost: cancel() returned " + cancelled + " and the read completed with ECANCELED, but the kernel"
                            + " had already received the " + msg.length + " bytes into its buffer ('"
                            + new String(into.asSlice(0, msg.length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)
                            + "'); the next read gets nothing");
                }
                got = into.asSlice(0, again.one().result()).toArray(ValueLayout.JAVA_BYTE);
            } else {
                got = into.asSlice(0, result).toArray(ValueLayout.JAVA_BYTE);
            }
            assertEquals(new String(msg, StandardCharsets.US_ASCII), new String(got, StandardCharsets.US_ASCII));
        } finally {
            for (Socket s : peers) s.close();
            d.close();
        }
    }

    /**
     * close() of a loop with a tiny ring (8 SQEs, CQ 1024) and 2,000 reads in the kernel: 2,000
     * cancels and 2,000 ECANCELED completions overflow the CQ while the loop drains it.
     */
    @Test
    void closeWithThousandsInTheKernelAndATinyRing() {
        int pairs = 1000;
        File fdDir = new File("/proc/self/fd");
        int fdsBefore = fdDir.list().length;
        Drive d = new Drive(AsyncIoConfig.builder().queueDepth(8));
        Arena arena = Arena.ofConfined();
        try {
            AsyncIo io = d.io;
            io.poll(0);
            long listener = io.listen(new InetSocketAddress(Drive.LOOPBACK, 0), ListenOptions.defaults().withBacklog(2048));
            InetSocketAddress at = io.localAddress(listener);
            List<Long> ends = new ArrayList<>();
            int[] connected = {0};
            for (int i = 0; i < pairs; i++) {
                io.accept(listener, e -> ends.add(e.result()));
                ends.add(io.connect(at, e -> {
                    assertEquals(0, e.result());
                    connected[0]++;
                }));
            }
            d.await(pairs + " pairs", () -> connected[0] == pairs && ends.size() == 2 * pairs);
            List<Drive.Rec> reads = new ArrayList<>();
            MemorySegment buf = arena.allocate(64L * 2 * pairs);
            for (int i = 0; i < ends.size(); i++) {
                Drive.Rec r = new Drive.Rec();
                io.read(ends.get(i), buf.asSlice(64L * i, 64), r);
                reads.add(r);
            }
            d.pollFor(Duration.ofMillis(100));
            assertTrue(kernelOwned(io) >= 2 * pairs, "every read is in the kernel");
            io.close();
            int bad = 0;
            String first = null;
            for (Drive.Rec r : reads) {
                if (r.events.size() != 1 || r.events.getFirst().result() != -Errno.ECANCELED.code()) {
                    bad++;
                    if (first == null) first = r.toString();
                }
            }
            assertEquals(0, bad, "reads not completed exactly once with ECANCELED during close(); first: " + first);
            io.close();
            d.check();
            assertEquals(fdsBefore, fdDir.list().length, "descriptors after close");
        } finally {
            arena.close();
        }
    }

    // ---- cancel() that comes too late: the real result is delivered (the AsyncIo contract) -------

    /**
     * A write that fits the socket's buffer completes in the kernel at submission, before the
     * ASYNC_CANCEL queued right behind it can reach it: it reports its full length, and the peer
     * gets every byte.
     */
    @Test
    void aWriteTheKernelFinishedBeforeItsCancelReportsItsLength() {
        Drive d = new Drive();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0);
            long[] p = d.pair(d.listen(16));
            MemorySegment msg = arena.allocateFrom("sixteen bytes!!!", StandardCharsets.US_ASCII).asSlice(0, 16);
            Drive.Rec w = new Drive.Rec();
            long op = io.write(p[1], msg, w);
            assertTrue(io.cancel(op), "the write is pending");
            d.await("write", w::done);
            assertEquals(16, w.one().result(), () -> "the kernel sent it all: " + w);
            MemorySegment into = arena.allocate(16);
            Drive.Rec r = new Drive.Rec();
            io.read(p[0], into, r);
            d.await("read", r::done);
            assertEquals(16, r.one().result());
            assertEquals("sixteen bytes!!!", new String(into.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        } finally {
            d.close();
        }
    }

    /**
     * A pool receive issued on a socket with bytes waiting takes a chunk at once; the cancel right
     * behind it then ends the receive. The chunk is delivered (with MORE, its buffer the user's),
     * then the receive's ECANCELED: cancelling loses no byte.
     */
    @Test
    void aReceiveCancelledAfterItTookAChunkDeliversTheChunkThenEnds() {
        Drive d = new Drive();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0);
            long[] p = d.pair(d.listen(16));
            MemorySegment msg = arena.allocate(32);
            for (int i = 0; i < 32; i++) msg.set(ValueLayout.JAVA_BYTE, i, (byte) ('a' + i % 26));
            Drive.Rec w = new Drive.Rec();
            io.write(p[0], msg, w); // one send: the 32 bytes arrive together
            Drive.Rec first = new Drive.Rec();
            io.read(p[1], arena.allocate(16), first);
            d.await("write and the first 16 bytes", () -> w.done() && first.done());
            assertEquals(16, first.one().result(), "16 of the 32 bytes read: the other 16 wait in the socket");

            long pool = io.createBufferPool(4, 64);
            Drive.Rec rec = new Drive.Rec();
            long op = io.receive(p[1], pool, rec, 0);
            assertTrue(io.cancel(op), "the receive is pending");
            d.await("the receive's end", () -> rec.events.stream().anyMatch(e -> (e.flags() & IoEvent.MORE) == 0));
            assertEquals(2, rec.events.size(), () -> "a chunk, then the end: " + rec);
            IoEvent.Snapshot chunk = rec.events.get(0);
            assertEquals(16, chunk.result(), () -> "the 16 waiting bytes, delivered: " + rec);
            assertEquals(IoEvent.MORE, chunk.flags() & IoEvent.MORE, () -> "a chunk goes on: " + chunk);
            assertEquals(op, chunk.operationId());
            assertEquals(-Errno.ECANCELED.code(), rec.events.get(1).result(), () -> "then the receive ends: " + rec);
        } finally {
            d.close();
        }
    }

    /**
     * An ACCEPT is never in the kernel itself (the listener's multishot accept is): cancelling it
     * is immediate, and a connection the kernel accepted meanwhile goes to the next ACCEPT.
     */
    @Test
    void aCancelledAcceptLosesNoConnection() throws Exception {
        Drive d = new Drive();
        try (Socket client = new Socket()) {
            AsyncIo io = d.io;
            io.poll(0);
            long listener = d.listen(16);
            client.connect(io.localAddress(listener), 10_000); // waits in the listen queue
            Drive.Rec a = new Drive.Rec();
            long op = io.accept(listener, a);
            assertTrue(io.cancel(op));
            d.await("the cancelled accept", a::done);
            a.assertCancelled(Operation.ACCEPT);
            Drive.Rec again = new Drive.Rec();
            io.accept(listener, again);
            d.await("the next accept", again::done);
            long server = again.one().result();
            assertTrue(server > 0, () -> "the connection is delivered: " + again);
            assertEquals(client.getLocalPort(), io.remoteAddress(server).getPort(), "it is the client's connection");
        } finally {
            d.close();
        }
    }
}
