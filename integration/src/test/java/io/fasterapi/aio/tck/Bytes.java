package io.fasterapi.aio.tck;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Test data: reproducible pseudo-random bytes, checksums and comparison with a useful message. */
public final class Bytes {
    private Bytes() {
    }

    /** A native segment of {@code size} bytes drawn from {@code seed}. */
    public static MemorySegment random(Arena arena, long size, long seed) {
        MemorySegment s = arena.allocate(Math.max(size, 1), 8).asSlice(0, size);
        fill(s, seed);
        return s;
    }

    /** Fills {@code s} with bytes drawn from {@code seed}. */
    public static void fill(MemorySegment s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = s.byteSize();
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
        for (; i < n; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        }
    }

    /** CRC32 of the segment's bytes. */
    public static long crc(MemorySegment s) {
        CRC32 c = new CRC32();
        c.update(s.asByteBuffer());
        return c.getValue();
    }

    /** Adds the segment's bytes to a running CRC32. */
    public static void update(CRC32 c, MemorySegment s) {
        c.update(s.asByteBuffer());
    }

    /** Fails at the first differing byte. */
    public static void assertSame(MemorySegment expected, MemorySegment actual, String what) {
        assertEquals(expected.byteSize(), actual.byteSize(), what + ": length");
        long at = expected.mismatch(actual);
        if (at >= 0) {
            fail(what + ": bytes differ first at offset " + at + " of " + expected.byteSize() + " (expected 0x"
                    + Integer.toHexString(expected.get(ValueLayout.JAVA_BYTE, at) & 0xff) + ", got 0x"
                    + Integer.toHexString(actual.get(ValueLayout.JAVA_BYTE, at) & 0xff) + ")");
        }
    }
}
