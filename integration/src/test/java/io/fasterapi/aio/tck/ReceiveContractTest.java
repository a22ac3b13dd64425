package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The opt-in multishot receive into library-owned buffer pools (io_uring: a provided buffer ring). */
class ReceiveContractTest {

    /** Collects a receive's calls: chunks (copied, then released or held) and the final call. */
    private static final class Receiver {
        final AsyncIo io;
        final long pool;
        final boolean release;
        final CRC32 crc = new CRC32();
        final List<Integer> held = new ArrayList<>();
        long bytes;
        int chunks;
        int enobufs;
        long operation;
        IoEvent.Snapshot last;
        String problem;

        Receiver(AsyncIo io, long pool, boolean release) {
            this.io = io;
            this.pool = pool;
            this.release = release;
        }

        void start(long handle) {
            last = null;
            operation = io.receive(handle, pool, e -> {
                if (e.operationId() != operation) problem = "chunk reported op 0x" + Long.toHexString(e.operationId());
                if ((e.flags() & IoEvent.MORE) != 0 && e.result() == -Errno.ENOBUFS.code()) {
                    if (e.bufferId() >= 0) problem = "the ENOBUFS notice carries a buffer: " + e;
                    enobufs++;
                } else if ((e.flags() & IoEvent.MORE) != 0) {
                    if (e.result() <= 0 || e.bufferId() < 0) problem = "a MORE chunk without data: " + e;
                    MemorySegment data = e.buffer();
                    if (data == null || data.byteSize() != e.result()) problem = "chunk's buffer() does not hold its bytes: " + e;
                    crc.update(data.asByteBuffer());
                    bytes += e.result();
                    chunks++;
                    if (release) io.releaseBuffer(pool, e.bufferId()); else held.add(e.bufferId());
                } else {
                    if (e.bufferId() >= 0) problem = "the final call carries a buffer: " + e;
                    last = e.snapshot();
                }
            }, 7);
        }
    }

    @ContractTest
    void receiveDeliversChunksUntilEndOfStream(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            long pool = io.createBufferPool(16, 4096);
            Receiver r = new Receiver(io, pool, true);
            r.start(p.server());
            MemorySegment data = Bytes.random(arena, 1 << 20, 11);
            loop.writeAll(p.client(), data);
            io.shutdownOutput(p.client());
            loop.await("the receive to end", () -> r.last != null);
            assertEquals(null, r.problem);
            assertEquals(0, r.last.result(), "the receive ends with 0 at end of stream: " + r.last);
            assertEquals(Operation.READ, r.last.operation());
            assertEquals(7, r.last.userData());
            assertEquals(data.byteSize(), r.bytes, "every byte arrives in chunks");
            assertEquals(Bytes.crc(data), r.crc.getValue(), "chunks hold the bytes sent, in order");
            assertTrue(r.chunks >= (1 << 20) / 4096, "chunks are at most one buffer each: " + r.chunks);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void receivePausesWithEnobufsWhenEveryBufferIsHeldAndResumesOnRelease(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            long pool = io.createBufferPool(4, 1024);
            Receiver r = new Receiver(io, pool, false);
            r.start(p.server());
            MemorySegment data = Bytes.random(arena, 64 * 1024, 12);
            io.write(p.client(), data, e -> { });
            loop.await("the receive to run out of buffers", () -> r.enobufs > 0);
            assertEquals(null, r.problem);
            assertEquals(4, r.chunks, "every buffer delivered before the pause");
            loop.pollFor(java.time.Duration.ofMillis(50));
            assertEquals(4, r.chunks, "no chunk while every buffer is held");
            assertEquals(1, r.enobufs, "the pause is reported once");
            while (r.bytes < data.byteSize()) {
                int before = r.chunks;
                for (int b : r.held) io.releaseBuffer(pool, b);
                r.held.clear();
                loop.await("more chunks after releasing the buffers", () -> r.chunks > before);
                loop.pollFor(java.time.Duration.ofMillis(5));
            }
            assertEquals(null, r.problem);
            assertEquals(null, r.last, "the receive goes on: it never ended");
            assertEquals(data.byteSize(), r.bytes);
            assertEquals(Bytes.crc(data), r.crc.getValue(), "nothing lost or reordered across the pauses");
            assertTrue(r.enobufs >= 1);
        }
    }

    /**
     * "Several receives may share a pool": three connections receive at once from one pool with
     * fewer buffers than the data needs, so buffers go from one receive to another; each gets its
     * own stream, whole and in order, and ends on its own end of stream.
     */
    @ContractTest
    void receivesSharingOnePoolEachGetTheirOwnBytes(Backend backend) {
        int streams = 3;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long pool = io.createBufferPool(4, 2048);
            List<Pair> pairs = new ArrayList<>();
            List<Receiver> receivers = new ArrayList<>();
            List<MemorySegment> data = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                Pair p = loop.connectPair();
                Receiver r = new Receiver(io, pool, true);
                r.start(p.server());
                pairs.add(p);
                receivers.add(r);
                data.add(Bytes.random(arena, 200_000 + 10_000 * i, 40 + i));
            }
            for (int i = 0; i < streams; i++) {
                long client = pairs.get(i).client();
                io.write(client, data.get(i), e -> io.shutdownOutput(client));
            }
            loop.await("every receive to end", () -> receivers.stream().allMatch(r -> r.last != null));
            for (int i = 0; i < streams; i++) {
                Receiver r = receivers.get(i);
                assertEquals(null, r.problem, "receive #" + i);
                assertEquals(0, r.last.result(), "receive #" + i + " ends with 0 at its end of stream: " + r.last);
                assertEquals(data.get(i).byteSize(), r.bytes, "receive #" + i + " gets every byte of its stream");
                assertEquals(Bytes.crc(data.get(i)), r.crc.getValue(), "receive #" + i + " gets its own bytes, in order");
            }
        }
    }

    @ContractTest
    void cancelledReceiveEndsWithEcanceled(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Receiver r = new Receiver(io, io.createBufferPool(8, 512), true);
            r.start(p.server());
            loop.pollFor(java.time.Duration.ofMillis(20));
            assertTrue(io.cancel(r.operation), "a pending receive can be cancelled");
            loop.await("the receive to end", () -> r.last != null);
            assertEquals(-Errno.ECANCELED.code(), r.last.result());
            loop.exchange(p, 5); // the connection still works with plain reads
        }
    }

    @ContractTest
    void releaseOfABufferNotHeldIsRefused(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            long pool = io.createBufferPool(4, 256);
            assertThrows(IllegalArgumentException.class, () -> io.releaseBuffer(pool, 0), "never received");
            assertThrows(IllegalArgumentException.class, () -> io.releaseBuffer(pool, 4), "out of range");
            assertThrows(IllegalArgumentException.class, () -> io.releaseBuffer(p.server(), 0), "not a pool");
            assertThrows(IllegalArgumentException.class, () -> io.createBufferPool(3, 256), "not a power of two");
            Receiver r = new Receiver(io, pool, false);
            r.start(p.server());
            loop.writeAll(p.client(), Bytes.random(arena, 100, 3));
            loop.await("a chunk", () -> r.chunks > 0);
            int b = r.held.get(0);
            io.releaseBuffer(pool, b);
            assertThrows(IllegalArgumentException.class, () -> io.releaseBuffer(pool, b), "released twice");
            assertNotNull(io.bufferPoolMemory(pool));
            assertEquals(4 * 256, io.bufferPoolMemory(pool).byteSize());
        }
    }
}
