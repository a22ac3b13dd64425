package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.core.BufferPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): the buffers of one
 * {@link BufferPool}, lent to the kernel, which picks one per multishot-receive completion. A
 * buffer goes back by writing its entry at the tail and publishing the tail (release store, paired
 * with the kernel's acquire load when it picks).
 */
final class BufferRing {
    private final BufferPool pool;
    private final MemorySegment ring;
    private final int mask;
    private int tail;

    BufferRing(BufferPool pool, Arena arena, MemorySegment state, int ringFd) {
        this.pool = pool;
        int entries = pool.count();
        this.ring = arena.allocate(BUF_SIZE * entries, 4096); // the kernel wants it page-aligned
        this.mask = entries - 1;
        MemorySegment reg = arena.allocate(BUF_REG);
        reg.set(JAVA_LONG, BUF_REG_RING_ADDR, ring.address());
        reg.set(JAVA_INT, BUF_REG_RING_ENTRIES, entries);
        reg.set(JAVA_SHORT, BUF_REG_BGID, (short) pool.index());
        int r = IoUringSyscalls.register(state, ringFd, IORING_REGISTER_PBUF_RING, reg, 1);
        if (r < 0) {
            throw new AsyncIoException("io_uring_register(PBUF_RING) for a buffer pool (needs Linux 5.19)", -r);
        }
        for (int b = 0; b < entries; b++) {
            put(b);
        }
        publish();
    }

    /** Gives buffer {@code b} back to the kernel. */
    void release(int b) {
        put(b);
        publish();
    }

    private void put(int b) {
        long e = (tail & mask) * BUF_SIZE;
        ring.set(JAVA_LONG, e + BUF_ADDR, pool.address(b));
        ring.set(JAVA_INT, e + BUF_LEN, pool.bufferSize());
        ring.set(JAVA_SHORT, e + BUF_BID, (short) b);
        tail++;
    }

    private void publish() {
        RING_SHORT.setRelease(ring, BUF_RING_TAIL, (short) tail);
    }
}
