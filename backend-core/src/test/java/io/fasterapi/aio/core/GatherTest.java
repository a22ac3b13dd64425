package io.fasterapi.aio.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** How the unsent part of a gather write becomes (address, length) entries, in both entry shapes. */
class GatherTest {
    /** An iovec: address at 0, 8-byte length at 8. */
    private static final Gather.Entry IOVEC = new Gather.Entry(16, 0, 8, false);
    /** A WSABUF: 4-byte length at 0, address at 8. */
    private static final Gather.Entry WSABUF = new Gather.Entry(16, 8, 0, true);

    @Test
    void skipsWhatWasSentAndEmptyBuffers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(10), e = arena.allocate(0), b = arena.allocate(20), c = arena.allocate(5);
            MemorySegment[] parts = {a, e, b, c};
            MemorySegment out = arena.allocate(16 * 8);
            assertEquals(35, Gather.total(parts));

            assertEquals(3, Gather.fill(parts, 0, out, IOVEC));
            assertEntry(out, 0, IOVEC, a.address(), 10);
            assertEntry(out, 1, IOVEC, b.address(), 20);
            assertEntry(out, 2, IOVEC, c.address(), 5);

            assertEquals(2, Gather.fill(parts, 13, out, WSABUF), "3 bytes into b");
            assertEntry(out, 0, WSABUF, b.address() + 3, 17);
            assertEntry(out, 1, WSABUF, c.address(), 5);

            assertEquals(1, Gather.fill(parts, 30, out, IOVEC), "exactly at c's start");
            assertEntry(out, 0, IOVEC, c.address(), 5);
            assertEquals(0, Gather.fill(parts, 35, out, IOVEC), "nothing left");
        }
    }

    @Test
    void oneRequestTakesAtMost64EntriesAndNoMoreThanItsArrayHolds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] parts = new MemorySegment[100];
            for (int i = 0; i < parts.length; i++) parts[i] = arena.allocate(1);
            assertEquals(Gather.MAX_ENTRIES, Gather.fill(parts, 0, arena.allocate(16 * 100), IOVEC));
            assertEquals(36, Gather.fill(parts, 64, arena.allocate(16 * 100), IOVEC));
            assertEquals(4, Gather.fill(parts, 0, arena.allocate(16 * 4), IOVEC), "an array of 4 entries");
        }
    }

    @Test
    void oneRequestDescribesLessThan2GiB() {
        // Two 1.5 GiB buffers (never touched, only described): the first request ends 2 GiB - 1 in.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment big = arena.allocate(1).reinterpret(3L << 29);
            MemorySegment[] parts = {big, big};
            MemorySegment out = arena.allocate(16 * 4);
            assertEquals(2, Gather.fill(parts, 0, out, WSABUF));
            assertEntry(out, 0, WSABUF, big.address(), 3L << 29);
            assertEntry(out, 1, WSABUF, big.address(), Integer.MAX_VALUE - (3L << 29));
            assertEquals(1, Gather.fill(parts, 3L << 29, out, IOVEC));
            assertEntry(out, 0, IOVEC, big.address(), 3L << 29);
        }
    }

    private static void assertEntry(MemorySegment out, int i, Gather.Entry e, long address, long length) {
        long at = i * e.size();
        assertEquals(address, out.get(JAVA_LONG, at + e.addressOffset()), "entry " + i + " address");
        long got = e.intLength() ? Integer.toUnsignedLong(out.get(JAVA_INT, at + e.lengthOffset()))
                : out.get(JAVA_LONG, at + e.lengthOffset());
        assertEquals(length, got, "entry " + i + " length");
    }
}
