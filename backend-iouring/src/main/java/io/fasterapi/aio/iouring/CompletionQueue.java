package io.fasterapi.aio.iouring;

import java.lang.foreign.MemorySegment;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The completion queue: read entries from {@code localHead} up to the kernel's tail (acquire),
 * then hand the slots back with one release store of the head.
 */
final class CompletionQueue {
    private final MemorySegment ring;
    private final long headOffset;
    private final long tailOffset;
    private final long cqesOffset;
    private final long overflowOffset;
    private final int mask;
    private final int entries;
    private int localHead;

    CompletionQueue(MemorySegment ring, MemorySegment params) {
        this.ring = ring;
        headOffset = IoUringSyscalls.cqRingOffset(params, "head");
        tailOffset = IoUringSyscalls.cqRingOffset(params, "tail");
        cqesOffset = IoUringSyscalls.cqRingOffset(params, "cqes");
        overflowOffset = IoUringSyscalls.cqRingOffset(params, "overflow");
        mask = ring.get(JAVA_INT, IoUringSyscalls.cqRingOffset(params, "ring_mask"));
        entries = ring.get(JAVA_INT, IoUringSyscalls.cqRingOffset(params, "ring_entries"));
        localHead = ring.get(JAVA_INT, headOffset);
    }

    /** The kernel's tail: pairs with the kernel's release store after it posted entries. */
    int tail() {
        return (int) RING_INT.getAcquire(ring, tailOffset);
    }

    int head() {
        return localHead;
    }

    /** Entries posted and not yet consumed. */
    int ready() {
        return tail() - localHead;
    }

    long userData(int index) {
        return ring.get(JAVA_LONG, cqesOffset + (index & mask) * CQE_SIZE + CQE_USER_DATA);
    }

    int res(int index) {
        return ring.get(JAVA_INT, cqesOffset + (index & mask) * CQE_SIZE + CQE_RES);
    }

    int flags(int index) {
        return ring.get(JAVA_INT, cqesOffset + (index & mask) * CQE_SIZE + CQE_FLAGS);
    }

    /** Gives entries up to {@code newHead} back: pairs with the kernel's acquire load of the CQ head. */
    void advanceTo(int newHead) {
        localHead = newHead;
        RING_INT.setRelease(ring, headOffset, newHead);
    }

    int entries() {
        return entries;
    }

    /**
     * The kernel's count of completions it dropped because neither the ring nor its overflow list
     * had room (it only ever grows; with NODROP, entries it could keep wait in the overflow list
     * and are not counted here). Read opaque: the kernel writes it without ordering.
     */
    int dropped() {
        return (int) RING_INT.getOpaque(ring, overflowOffset);
    }
}
