package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datagrams into buffer pools (issue #14, item 2's high-rate path): {@code receiveFrom(handle, pool,
 * from, ...)} and {@code receive} on a UDP socket, one multishot operation for many datagrams
 * (io_uring's multishot RECVMSG; recvmmsg on Linux's epoll). Every datagram is one call with MORE,
 * its bytes at POOL_DATAGRAM_OFFSET, its sender set just before the call; truncation, empty
 * datagrams, pausing while the caller holds every buffer, cancelling and misuse behave the same on
 * every backend.
 */
class PoolDatagramContractTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int OFFSET = AsyncIo.POOL_DATAGRAM_OFFSET;

    private static int sizeOf(int seq) {
        return 8 + (seq * 53) % 1193;
    }

    private static void fill(MemorySegment s, int seq) {
        s.set(INT, 0, seq);
        for (int i = 4; i < s.byteSize(); i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) (seq * 17 + i));
    }

    private static boolean matches(MemorySegment s, int seq) {
        if (s.byteSize() != sizeOf(seq) || s.get(INT, 0) != seq) return false;
        for (int i = 4; i < s.byteSize(); i++) if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) (seq * 17 + i)) return false;
        return true;
    }

    /**
     * 10,000 datagrams of 8 to 1,200 bytes: the server receives them through a pool and echoes
     * each from its pool buffer (released when the echo is sent), the client receives the echoes
     * through a pool too. Each is checked byte for byte, with its sender, and counted.
     */
    @ContractTest
    void tenThousandDatagramsThroughPoolsBothWays(Backend backend) {
        int count = 10_000;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long server = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long client = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress serverAt = io.localAddress(server), clientAt = io.localAddress(client);
            long serverPool = io.createBufferPool(64, 2048);
            long clientPool = io.createBufferPool(64, 2048);
            String[] failure = {null};
            IoStats before = io.stats();

            DatagramSender peer = new DatagramSender();
            io.receiveFrom(server, serverPool, peer, e -> {
                if ((e.flags() & IoEvent.MORE) == 0) {
                    if (failure[0] == null) failure[0] = "the server's receive ended: " + e;
                    return;
                }
                if (e.result() < 0) return; // a pause notice: the echoes release buffers
                int b = e.bufferId();
                if (!peer.is(clientAt) || e.bufferOffset() != OFFSET) failure[0] = "server got " + e + " from " + peer;
                io.sendTo(server, e.buffer(), peer.socketAddress(), w -> io.releaseBuffer(serverPool, b), 0);
            }, 0);

            BitSet seen = new BitSet(count);
            int window = 32;
            MemorySegment[] out = new MemorySegment[window];
            for (int i = 0; i < window; i++) out[i] = arena.allocate(1200);
            int[] next = {0};
            Runnable sendNext = () -> {
                int seq = next[0]++;
                MemorySegment s = out[seq % window].asSlice(0, sizeOf(seq));
                fill(s, seq);
                io.sendTo(client, s, serverAt, w -> { if (w.result() < 0) failure[0] = "sendTo: " + w; }, seq);
            };
            DatagramSender from = new DatagramSender();
            io.receiveFrom(client, clientPool, from, e -> {
                if ((e.flags() & IoEvent.MORE) == 0) {
                    if (seen.cardinality() < count && failure[0] == null) failure[0] = "the client's receive ended: " + e;
                    return;
                }
                if (e.result() < 0) {
                    failure[0] = "the client holds no buffer, yet: " + e;
                    return;
                }
                MemorySegment d = e.buffer();
                int seq = d.byteSize() >= 4 ? d.get(INT, 0) : -1;
                if (e.flags() != IoEvent.MORE || seq < 0 || seq >= count || !matches(d, seq) || seen.get(seq) || !from.is(serverAt)) {
                    failure[0] = "datagram " + seq + ": " + e + " from " + from;
                } else {
                    seen.set(seq);
                }
                io.releaseBuffer(clientPool, e.bufferId());
                if (next[0] < count) sendNext.run();
            }, 0);
            for (int i = 0; i < window; i++) sendNext.run();
            loop.await(count + " datagrams through pools", Duration.ofSeconds(60),
                    () -> failure[0] != null || seen.cardinality() == count);
            assertNull(failure[0]);
            loop.pollFor(Duration.ofMillis(20)); // the last echo's send completes
            IoStats d = io.stats().minus(before);
            assertEquals(2L * count, d.datagramsReceived(), "server and client each received every datagram");
            assertEquals(2L * count, d.datagramsSent(), "and sent every one");
        }
    }

    /** A datagram longer than a buffer's room is cut and flagged; an empty one is a call with 0 bytes, not an end. */
    @ContractTest
    void truncatedAndEmptyDatagramsGoOn(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long pool = io.createBufferPool(4, OFFSET + 40); // room for 40 bytes
            List<IoEvent.Snapshot> got = new ArrayList<>();
            List<byte[]> bytes = new ArrayList<>();
            DatagramSender from = new DatagramSender();
            List<InetSocketAddress> senders = new ArrayList<>();
            io.receiveFrom(b, pool, from, e -> {
                got.add(e.snapshot());
                if (e.bufferId() >= 0) {
                    assertEquals(OFFSET, e.bufferOffset());
                    bytes.add(e.buffer().toArray(ValueLayout.JAVA_BYTE));
                    senders.add(from.socketAddress());
                    io.releaseBuffer(pool, e.bufferId());
                }
            }, 0);
            MemorySegment big = Bytes.random(arena, 100, 5);
            InetSocketAddress to = io.localAddress(b);
            io.sendTo(a, big, to, new Completion(), 0);
            loop.await("a truncated datagram", () -> got.size() == 1);
            io.sendTo(a, arena.allocate(0), to, new Completion(), 0);
            loop.await("an empty datagram", () -> got.size() == 2);
            io.sendTo(a, big.asSlice(0, 40), to, new Completion(), 0);
            loop.await("a datagram that just fits", () -> got.size() == 3);

            assertEquals(40, got.get(0).result());
            assertEquals(IoEvent.MORE | IoEvent.TRUNCATED, got.get(0).flags(), "cut, said so, and the receive goes on");
            Bytes.assertSame(big.asSlice(0, 40), MemorySegment.ofArray(bytes.get(0)), "the first 40 bytes");
            assertEquals(0, got.get(1).result());
            assertEquals(IoEvent.MORE, got.get(1).flags(), "0 bytes is an empty datagram, not an end");
            assertEquals(0, bytes.get(1).length);
            assertEquals(40, got.get(2).result());
            assertEquals(IoEvent.MORE, got.get(2).flags());
            for (InetSocketAddress s : senders) assertEquals(io.localAddress(a), s);
            assertEquals(3, io.stats().datagramsReceived());
        }
    }

    /**
     * While the caller holds every buffer the receive pauses and says so once (ENOBUFS with MORE);
     * the kernel keeps the datagrams meanwhile, and they arrive after a release.
     */
    @ContractTest
    void pausesWhileEveryBufferIsHeldAndResumes(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long pool = io.createBufferPool(2, 256);
            List<IoEvent.Snapshot> got = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            BitSet seqs = new BitSet();
            io.receive(b, pool, e -> {
                got.add(e.snapshot());
                if (e.bufferId() >= 0) {
                    held.add(e.bufferId());
                    seqs.set(e.buffer().get(INT, 0));
                }
            }, 0);
            MemorySegment d = arena.allocate(8);
            int sent = 0;
            for (int i = 0; i < 5; i++) {
                d.set(INT, 0, i);
                Completion c = new Completion();
                io.sendTo(a, d, io.localAddress(b), c, 0);
                loop.await("send " + i, c::done);
                sent++;
            }
            loop.await("two datagrams and a pause", () -> got.size() == 3);
            loop.pollFor(Duration.ofMillis(50));
            assertEquals(3, got.size(), "nothing more while both buffers are held: " + got);
            assertEquals(-Errno.ENOBUFS.code(), got.get(2).result());
            assertEquals(IoEvent.MORE, got.get(2).flags(), "a pause, not an end");
            while (seqs.cardinality() < sent) {
                int before = got.size();
                for (int id : held) io.releaseBuffer(pool, id);
                held.clear();
                loop.await("datagrams after a release", () -> got.size() > before);
            }
            assertEquals(5, seqs.cardinality(), "all five arrived: " + got);
            for (IoEvent.Snapshot e : got) assertTrue((e.flags() & IoEvent.MORE) != 0, "still receiving: " + e);
        }
    }

    /** Cancelling ends the receive with one last call (ECANCELED, no MORE); closing the socket does too. */
    @ContractTest
    void cancelAndCloseEndTheReceive(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long pool = io.createBufferPool(4, 256);
            for (boolean close : new boolean[] {false, true}) {
                long u = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
                Completion c = new Completion();
                long op = io.receiveFrom(u, pool, new DatagramSender(), c, 0);
                loop.pollFor(Duration.ofMillis(10));
                if (close) io.close(u); else io.cancel(op);
                loop.await(close ? "close" : "cancel", c::done);
                IoEvent.Snapshot e = c.assertFailed(Operation.READ, Errno.ECANCELED);
                assertEquals(0, e.flags() & IoEvent.MORE, "the last call");
                assertEquals(op, e.operationId());
                if (!close) io.close(u);
            }
            loop.assertStillWorks();
        }
    }

    /** A connected UDP socket takes {@code receive} with a pool: datagrams, with no senders. */
    @ContractTest
    void aConnectedSocketReceivesDatagramsIntoAPool(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            io.connectDatagram(a, io.localAddress(b));
            io.connectDatagram(b, io.localAddress(a));
            long pool = io.createBufferPool(8, 512);
            List<Long> sizes = new ArrayList<>();
            io.receive(b, pool, e -> {
                if (e.bufferId() < 0) return;
                sizes.add(e.result());
                io.releaseBuffer(pool, e.bufferId());
            }, 0);
            io.write(a, Bytes.random(arena, 300, 1), new Completion());
            io.write(a, Bytes.random(arena, 200, 2), new Completion());
            loop.await("two datagrams", () -> sizes.size() == 2);
            assertEquals(List.of(300L, 200L), sizes, "one call per datagram, never the stream of both");
        }
    }

    @ContractTest
    void misuseIsRefusedAtTheCall(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            long u = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long pool = io.createBufferPool(4, 256);
            long small = io.createBufferPool(4, OFFSET);
            Completion c = new Completion();
            DatagramSender from = new DatagramSender();
            assertThrows(IllegalArgumentException.class, () -> io.receiveFrom(p.client(), pool, from, c, 0), "on TCP");
            var tooSmall = assertThrows(IllegalArgumentException.class, () -> io.receiveFrom(u, small, from, c, 0));
            assertTrue(tooSmall.getMessage().contains("POOL_DATAGRAM_OFFSET"), tooSmall.getMessage());
            assertThrows(IllegalArgumentException.class, () -> io.receive(u, small, c, 0), "receive with too small a pool");
            assertThrows(NullPointerException.class, () -> io.receiveFrom(u, pool, null, c, 0));
            assertThrows(NullPointerException.class, () -> io.receiveFrom(u, pool, from, null, 0));
            assertThrows(IllegalArgumentException.class, () -> io.receiveFrom(u, 12345L, from, c, 0), "no pool");
            assertEquals(0, c.calls());
            io.close(u);
            Completion stale = new Completion();
            io.receiveFrom(u, pool, from, stale, 0);
            loop.await("a receive on a closed handle", stale::done);
            stale.assertFailed(Operation.READ, Errno.EBADF);
            loop.assertStillWorks();
        }
    }
}
