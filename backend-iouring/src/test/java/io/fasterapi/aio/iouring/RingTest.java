package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.unix.EventFd;
import io.fasterapi.aio.unix.NativeLibc;
import io.fasterapi.aio.unix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ring set-up (FLAG_PREFERENCES fallback) and the raw submit/complete path, without a loop. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class RingTest {
    /** A setup flag no kernel defines: io_uring_setup refuses it with EINVAL. */
    static final int UNDEFINED_FLAG = 1 << 30;
    static final int ALWAYS = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;

    record Cqe(long userData, int res, int flags) {
    }

    /** Publishes what is queued, enters waiting for {@code want} completions, reaps every posted CQE. */
    static List<Cqe> submitAndWait(Ring ring, MemorySegment st, int want) {
        ring.sq.publish();
        int r = ring.enter(st, ring.sq.unsubmitted(), want, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
        assertTrue(r >= 0, () -> "io_uring_enter: " + Errno.nameOf(-r));
        List<Cqe> out = new ArrayList<>();
        int head = ring.cq.head();
        int tail = ring.cq.tail();
        for (; head != tail; head++) out.add(new Cqe(ring.cq.userData(head), ring.cq.res(head), ring.cq.flags(head)));
        ring.cq.advanceTo(head);
        return out;
    }

    /** An eventfd read and a cancel of an unknown request both come back with the right user data. */
    static void assertRingWorks(Ring ring, MemorySegment st, Arena arena) {
        int efd = EventFd.create(st, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        assertTrue(efd >= 0, "eventfd");
        try {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            value.set(ValueLayout.JAVA_LONG, 0, 5);
            assertEquals(8, Posix.write(st, efd, value, 8));
            MemorySegment into = arena.allocate(ValueLayout.JAVA_LONG);
            ring.sq.read(efd, into.address(), 8, 42);
            ring.sq.cancel(0x7777, 43); // nothing has that user data
            List<Cqe> got = new ArrayList<>(submitAndWait(ring, st, 2));
            got.sort((a, b) -> Long.compare(a.userData(), b.userData()));
            assertEquals(List.of(new Cqe(42, 8, 0), new Cqe(43, -Errno.ENOENT.code(), 0)), got,
                    "READ of the eventfd (8 bytes) and ASYNC_CANCEL of nothing (ENOENT)");
            assertEquals(5, into.get(ValueLayout.JAVA_LONG, 0), "the eventfd's counter arrived in the buffer");
            assertEquals(0, ring.sq.unsubmitted(), "the kernel consumed every SQE");
        } finally {
            Posix.close(st, efd);
        }
    }

    @Test
    void setupFallsBackWhenAFlagIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(NativeLibc.callStateLayout());
            try (Ring ring = Ring.open(st, arena, 8, 64, new int[] {UNDEFINED_FLAG, 0})) {
                assertEquals(ALWAYS, ring.flags, "the refused set was skipped; the next one (0) plus CQSIZE|CLAMP won");
                assertFalse(ring.setupFlag(UNDEFINED_FLAG));
                assertEquals(8, ring.sq.entries());
                assertEquals(64, ring.cq.entries(), "CQSIZE took the requested CQ size");
                assertTrue(ring.has(IORING_FEAT_NODROP) && ring.has(IORING_FEAT_EXT_ARG));
                // +MIN_TIMEOUT on 6.12 and later
                assertEquals("CQSIZE +NODROP +EXT_ARG" + (ring.has(IORING_FEAT_MIN_TIMEOUT) ? " +MIN_TIMEOUT" : ""),
                        ring.describeFlags());
                assertRingWorks(ring, st, arena); // not disabled (no R_DISABLED): usable at once
                assertRingWorks(ring, st, arena); // and again, past the first ring positions
            }
        }
    }

    @Test
    void setupFallsBackThroughSeveralRefusedSets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(NativeLibc.callStateLayout());
            int coop = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL;
            try (Ring ring = Ring.open(st, arena, 4, 16, new int[] {UNDEFINED_FLAG, UNDEFINED_FLAG | coop, coop, 0})) {
                assertEquals(coop | ALWAYS, ring.flags, "the first accepted set wins (COOP_TASKRUN needs 5.19)");
                assertRingWorks(ring, st, arena);
            }
        }
    }

    @Test
    void setupWithOnlyRefusedFlagsThrowsEinval() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(NativeLibc.callStateLayout());
            AsyncIoException e = assertThrows(AsyncIoException.class,
                    () -> Ring.open(st, arena, 4, 16, new int[] {UNDEFINED_FLAG, UNDEFINED_FLAG | 1 << 29}));
            assertEquals(Errno.EINVAL.code(), e.errno(), () -> "errno of " + e);
            assertTrue(e.getMessage().contains("io_uring_setup"), e.getMessage());
        }
    }

    @Test
    void setupStopsAtTheFirstAcceptedSetAndClampsSizes() {
        // The set after an accepted one is never tried (it would be refused); CLAMP, always on,
        // clamps oversized requests to IORING_MAX_ENTRIES / IORING_MAX_CQ_ENTRIES.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(NativeLibc.callStateLayout());
            try (Ring ring = Ring.open(st, arena, 1 << 20, 1 << 22, new int[] {0, UNDEFINED_FLAG})) {
                assertEquals(ALWAYS, ring.flags);
                assertEquals(32768, ring.sq.entries(), "CLAMP clamps the SQ to IORING_MAX_ENTRIES");
                assertEquals(65536, ring.cq.entries(), "CLAMP clamps the CQ to IORING_MAX_CQ_ENTRIES");
            }
        }
    }

    @Test
    void preferredFlagsOnThisKernelNeedEnablingOnTheIssuingThread() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment st = arena.allocate(NativeLibc.callStateLayout());
            try (Ring ring = Ring.open(st, arena, 8, 64, Ring.FLAG_PREFERENCES)) {
                int best = Ring.FLAG_PREFERENCES[0] | ALWAYS;
                assumeTrue(ring.flags == best, () -> "this kernel refused the first preference (SINGLE_ISSUER|DEFER_TASKRUN"
                        + " needs 6.1); it gave " + ring.describeFlags());
                // R_DISABLED: nothing can be submitted before ENABLE_RINGS.
                ring.sq.cancel(1, 1);
                ring.sq.publish();
                int early = ring.enter(st, 1, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
                assertEquals(-77 /* EBADFD */, early, "io_uring_enter on a disabled ring");
                // The SQE is still queued; enable on this thread, then it goes through.
                assertEquals(0, ring.enable(), "ENABLE_RINGS");
                List<Cqe> c = submitAndWait(ring, st, 1);
                assertEquals(List.of(new Cqe(1, -Errno.ENOENT.code(), 0)), c);
                assertRingWorks(ring, st, arena);
                // SINGLE_ISSUER: another thread may not submit.
                int other = CompletableFuture.supplyAsync(() -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment st2 = a.allocate(NativeLibc.callStateLayout());
                        ring.sq.cancel(2, 2);
                        ring.sq.publish();
                        return ring.enter(st2, 1, 0, 0, MemorySegment.NULL, 0);
                    }
                }).get();
                assertEquals(-Errno.EEXIST.code(), other, "SINGLE_ISSUER refuses a submission from another thread");
            }
        }
    }

    /** The loop on each fallback set of setup flags, through the kernel's constructor hook for the preferences. */
    @Test
    void loopRunsOnEachFallbackFlagSet() {
        int[] saved = Ring.FLAG_PREFERENCES.clone();
        for (int skip = 0; skip < saved.length; skip++) {
            int[] preferences = saved.clone();
            for (int i = 0; i < skip; i++) preferences[i] = UNDEFINED_FLAG; // refused: EINVAL
            Drive d = new Drive(AsyncIoConfig.builder().queueDepth(8), preferences);
            int expected = saved[skip] | ALWAYS;
            try {
                String flags = IoUringKernelTest.kernelOf(d.io).setupDescription();
                IoUringKernelTest.exerciseLoop(d, "flag set " + skip + " (" + flags + ")");
                assertEquals(expected, IoUringKernelTest.ringOf(d.io).flags, () -> "the loop's ring flags, set " + flags);
            } finally {
                d.close();
            }
        }
        assertArrayEquals(saved, Ring.FLAG_PREFERENCES, "FLAG_PREFERENCES restored");
    }

    @Test
    void idleLoopSleepsInTheKernel() {
        // The wake-up READ on a non-blocking eventfd must stay pending in the kernel: if it came back
        // with EAGAIN at once, every poll would return early and the loop would spin.
        Drive d = new Drive();
        try {
            d.io.poll(0);
            IoStats before = d.io.stats();
            long t0 = System.nanoTime();
            d.io.poll(300);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            IoStats after = d.io.stats();
            assertTrue(ms >= 250, "poll(300) on an idle loop returned after " + ms + " ms; " + after.minus(before));
            assertEquals(0, after.minus(before).wakes(), "no wake-up was requested");
        } finally {
            d.close();
        }
    }

    @Test
    void flagPreferencesEndWithTheEmptySet() {
        assertEquals(0, Ring.FLAG_PREFERENCES[Ring.FLAG_PREFERENCES.length - 1],
                "the last resort is no optional flag at all: " + Arrays.toString(Ring.FLAG_PREFERENCES));
    }
}
