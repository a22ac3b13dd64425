package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link AsyncIoConfig#zeroCopy()} on io_uring: writes at or above the threshold go out as SEND_ZC
 * (gather writes as SENDMSG_ZC), are reported once, after the kernel's notification, with their
 * whole length, and the bytes arrive intact; writes below it are plain sends.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class ZeroCopyTest {

    @Test
    void largeWritesGoZeroCopyAndAreReportedOnceWhole() {
        assumeTrue(new IoUringProvider().zeroCopy().startsWith("IORING_OP_SEND_ZC, IORING_OP_SENDMSG_ZC"),
                "this kernel lacks SEND_ZC or SENDMSG_ZC: " + new IoUringProvider().zeroCopy());
        assertEquals(4, exchange(true), "the 64 KiB write and the 48 KiB gather, twice each");
    }

    @Test
    void withoutTheOptionNothingGoesZeroCopy() {
        assertEquals(0, exchange(false));
    }

    /** Sends 64 KiB, 100 B and a 48 KiB gather, twice; checks what arrives; returns the zero-copy requests. */
    private static long exchange(boolean zeroCopy) {
        Drive d = new Drive(AsyncIoConfig.builder().zeroCopy(zeroCopy).zeroCopyThreshold(16 * 1024));
        try (Arena arena = Arena.ofConfined()) {
            long[] p = d.pair(d.listen(16));
            MemorySegment big = pattern(arena, 64 * 1024, 1);
            MemorySegment small = pattern(arena, 100, 2);
            MemorySegment[] gather = {pattern(arena, 16 * 1024, 3), pattern(arena, 32 * 1024, 4)};
            long total = 0;
            Drive.Rec[] writes = new Drive.Rec[6];
            for (int round = 0; round < 2; round++) {
                d.io.write(p[0], big, writes[3 * round] = new Drive.Rec());
                d.io.write(p[0], small, writes[3 * round + 1] = new Drive.Rec());
                d.io.write(p[0], gather, writes[3 * round + 2] = new Drive.Rec());
                total += big.byteSize() + small.byteSize() + 48 * 1024;
            }
            MemorySegment got = arena.allocate(total);
            long[] received = {0};
            Drive.Rec[] read = {null};
            while (received[0] < total) {
                Drive.Rec r = read[0] = new Drive.Rec();
                d.io.read(p[1], got.asSlice(received[0]), r);
                d.await("bytes " + received[0] + " of " + total, r::done);
                long n = r.one().result();
                assertTrue(n > 0, "read " + n);
                received[0] += n;
            }
            d.await("the writes", () -> {
                for (Drive.Rec w : writes) if (!w.done()) return false;
                return true;
            });
            long[] sizes = {big.byteSize(), small.byteSize(), 48 * 1024};
            for (int i = 0; i < writes.length; i++) {
                assertEquals(Operation.WRITE, writes[i].one().operation());
                assertEquals(sizes[i % 3], writes[i].one().result(), "write " + i + " reported once, whole");
            }
            long at = 0;
            for (int round = 0; round < 2; round++) {
                for (MemorySegment s : new MemorySegment[] {big, small, gather[0], gather[1]}) {
                    assertEquals(-1, got.asSlice(at, s.byteSize()).mismatch(s), "bytes at " + at);
                    at += s.byteSize();
                }
            }
            d.pollFor(java.time.Duration.ofMillis(20)); // a stray second report would arrive here
            assertEquals(0, d.io.stats().errors(), "no completion the engine did not expect");
            assertEquals(6, d.io.stats().writes());
            return IoUringKernelTest.kernelOf(d.io).zeroCopySends();
        } finally {
            d.close();
        }
    }

    private static MemorySegment pattern(Arena arena, int size, int seed) {
        MemorySegment s = arena.allocate(size);
        for (int i = 0; i < size; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        return s;
    }
}
