package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gather writes ({@code write(handle, buffers[], ...)}): every byte of every buffer, in order, in one
 * operation, continued across buffer boundaries after partial sends and across kernel requests of
 * at most 64 buffers.
 */
class GatherWriteContractTest {

    /** The bytes of {@code parts}, end to end. */
    private static MemorySegment concat(Arena arena, MemorySegment[] parts) {
        long total = 0;
        for (MemorySegment s : parts) total += s.byteSize();
        MemorySegment all = arena.allocate(Math.max(total, 1)).asSlice(0, total);
        long at = 0;
        for (MemorySegment s : parts) {
            all.asSlice(at, s.byteSize()).copyFrom(s);
            at += s.byteSize();
        }
        return all;
    }

    @ContractTest
    void segmentsArriveEndToEndAndTheResultIsTheirSum(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            MemorySegment[] parts = {
                    Bytes.random(arena, 37, 1), arena.allocate(0), Bytes.random(arena, 4096, 2), Bytes.random(arena, 1, 3)};
            long before = io.stats().bytesWritten();
            Completion w = new Completion();
            io.write(p.client(), parts, w, 99);
            loop.await("a gather write", w::done);
            assertEquals(37 + 4096 + 1, w.assertSucceeded(Operation.WRITE));
            assertEquals(99, w.event().userData());
            assertEquals(37 + 4096 + 1, io.stats().bytesWritten() - before, "bytesWritten counts the whole gather");
            Bytes.assertSame(concat(arena, parts), loop.readExactly(p.server(), 37 + 4096 + 1, arena), "gathered bytes");
            loop.exchange(p, 5); // nothing more was sent: the stream is still in step
        }
    }

    @ContractTest
    void hundredsOfSegmentsWithPartialSendsStayInOrderWithTheWritesAround(Backend backend) {
        // 300 buffers (more than one kernel request takes) of 4 MiB in all: more than the socket
        // buffers hold, so sends stop in the middle of a buffer and the loop continues from there.
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            MemorySegment[] parts = new MemorySegment[300];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = Bytes.random(arena, i % 17 == 0 ? 0 : 1 + (i * 7919L) % 40_000, 100 + i);
            }
            MemorySegment first = Bytes.random(arena, 10, 7);
            MemorySegment last = Bytes.random(arena, 5, 8);
            List<Long> order = new ArrayList<>();
            Completion a = new Completion(() -> order.add(1L));
            Completion g = new Completion(() -> order.add(2L));
            Completion b = new Completion(() -> order.add(3L));
            io.write(p.client(), first, a);
            io.write(p.client(), parts, g);
            io.write(p.client(), last, b);
            MemorySegment expected = concat(arena, new MemorySegment[] {first, concat(arena, parts), last});
            MemorySegment got = loop.readExactly(p.server(), expected.byteSize(), arena);
            loop.await("the three writes", Duration.ofSeconds(30), () -> a.done() && g.done() && b.done());
            Bytes.assertSame(expected, got, "single, gather, single");
            assertEquals(expected.byteSize() - 15, g.assertSucceeded(Operation.WRITE));
            assertEquals(List.of(1L, 2L, 3L), order, "completions in submission order");
            assertTrue(expected.byteSize() > 4_000_000, "the data outgrows the socket buffers");
        }
    }

    @ContractTest
    void byteBuffersAdvanceToTheirLimitsOnSuccessAndNotOnFailure(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            ByteBuffer a = ByteBuffer.allocateDirect(100);
            ByteBuffer b = ByteBuffer.allocateDirect(50);
            for (int i = 0; i < 100; i++) a.put((byte) i);
            for (int i = 0; i < 50; i++) b.put((byte) (200 + i));
            a.position(10).limit(60); // bytes 10..59
            b.position(0).limit(5);   // bytes 200..204
            Completion w = new Completion();
            io.write(p.client(), new ByteBuffer[] {a, b}, w);
            loop.await("a gather write of ByteBuffers", w::done);
            assertEquals(55, w.assertSucceeded(Operation.WRITE));
            assertEquals(60, a.position());
            assertEquals(5, b.position());
            MemorySegment got = loop.readExactly(p.server(), 55, arena);
            for (int i = 0; i < 50; i++) assertEquals((byte) (10 + i), got.getAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
            for (int i = 0; i < 5; i++) assertEquals((byte) (200 + i), got.getAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, 50 + i));

            // A write that fails moves no position.
            a.position(0).limit(100);
            assertTrue(io.close(p.client()));
            Completion f = new Completion();
            io.write(p.client(), new ByteBuffer[] {a, b.position(0)}, f);
            loop.await("a gather write on a closed handle", f::done);
            f.assertFailed(Operation.WRITE, Errno.EBADF);
            assertEquals(0, a.position());
            assertEquals(0, b.position());
        }
    }

    @ContractTest
    void anEmptyGatherCompletesWithZero(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion none = new Completion();
            Completion empties = new Completion();
            io.write(p.client(), new MemorySegment[0], none);
            io.write(p.client(), new MemorySegment[] {arena.allocate(0), arena.allocate(0)}, empties);
            loop.await("two empty gather writes", () -> none.done() && empties.done());
            assertEquals(0, none.assertSucceeded(Operation.WRITE));
            assertEquals(0, empties.assertSucceeded(Operation.WRITE));
            loop.exchange(p, 9);
        }
    }

    @ContractTest
    void misuseIsRefusedAtTheCallAndSubmitsNothing(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Completion c = new Completion();
            MemorySegment ok = arena.allocate(8);
            assertThrows(NullPointerException.class, () -> io.write(p.client(), (MemorySegment[]) null, c));
            NullPointerException npe = assertThrows(NullPointerException.class,
                    () -> io.write(p.client(), new MemorySegment[] {ok, null}, c));
            assertTrue(npe.getMessage().contains("buffers[1]"), npe.getMessage());
            IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                    () -> io.write(p.client(), new MemorySegment[] {ok, MemorySegment.ofArray(new byte[4])}, c));
            assertTrue(heap.getMessage().startsWith("buffers[1]: heap memory segment"), heap.getMessage());
            IllegalArgumentException heapBuffer = assertThrows(IllegalArgumentException.class,
                    () -> io.write(p.client(), new ByteBuffer[] {ByteBuffer.allocate(4)}, c));
            assertTrue(heapBuffer.getMessage().startsWith("buffers[0]: heap ByteBuffer"), heapBuffer.getMessage());
            assertThrows(NullPointerException.class, () -> io.write(p.client(), new MemorySegment[] {ok}, null));
            assertEquals(0, io.stats().writes());
            assertEquals(0, c.calls(), "no operation was submitted");
            loop.exchange(p, 11);
        }
    }
}
