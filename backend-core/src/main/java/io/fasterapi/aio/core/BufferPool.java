package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * A pool of equal receive buffers owned by one loop ({@code AsyncIo.createBufferPool}). Tracks
 * which buffers the user holds (received and not yet released), so a double or foreign release
 * is refused. A readiness backend also takes free buffers from here; a completion backend
 * (io_uring) lends them to the kernel through a ring of its own, found by {@link #index()}.
 */
public final class BufferPool {
    final long id;
    final int index;
    private final int count;
    private final int size;
    private final MemorySegment memory;
    private final BitSet held;
    private int heldCount;
    /** One segment per buffer, made on first use and kept: receiving into a buffer allocates nothing. */
    private final MemorySegment[] buffers;
    private final int[] free;
    private int freeCount;

    BufferPool(long id, int index, int count, int size, MemorySegment memory) {
        this.id = id;
        this.index = index;
        this.count = count;
        this.size = size;
        this.memory = memory;
        this.held = new BitSet(count);
        this.buffers = new MemorySegment[count];
        this.free = new int[count];
        for (int i = 0; i < count; i++) {
            free[i] = count - 1 - i;
        }
        this.freeCount = count;
    }

    public int index() {
        return index;
    }

    public int count() {
        return count;
    }

    public int bufferSize() {
        return size;
    }

    public MemorySegment memory() {
        return memory;
    }

    /** Buffer {@code id}, its whole size. */
    public MemorySegment buffer(int bufferId) {
        MemorySegment b = buffers[bufferId];
        if (b == null) buffers[bufferId] = b = memory.asSlice((long) bufferId * size, size);
        return b;
    }

    /** The address of buffer {@code id}. */
    public long address(int bufferId) {
        return memory.address() + (long) bufferId * size;
    }

    /** Readiness backends: a free buffer, or -1 when the user holds them all. */
    public int take() {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    /** Readiness backends: gives back a buffer taken but not used. */
    public void putBack(int bufferId) {
        free[freeCount++] = bufferId;
    }

    /** Receives paused because every buffer was taken: their operation ids, resumed on a release. */
    private long[] waiting = new long[4];
    private int waitingCount;

    /** Remembers a receive that waits for a buffer (once). */
    public void addWaiting(long operationId) {
        for (int i = 0; i < waitingCount; i++) {
            if (waiting[i] == operationId) return;
        }
        if (waitingCount == waiting.length) waiting = java.util.Arrays.copyOf(waiting, waitingCount * 2);
        waiting[waitingCount++] = operationId;
    }

    /**
     * Takes up to {@code max} of the oldest waiting receives' ids out (the caller resumes those
     * still pending); returns how many.
     */
    public int takeWaiting(long[] into, int max) {
        int n = Math.min(Math.min(waitingCount, into.length), max);
        System.arraycopy(waiting, 0, into, 0, n);
        System.arraycopy(waiting, n, waiting, 0, waitingCount - n);
        waitingCount -= n;
        return n;
    }

    public int waitingCount() {
        return waitingCount;
    }

    void lend(int bufferId) {
        if (!held.get(bufferId)) heldCount++;
        held.set(bufferId);
    }

    /** Buffers the user holds (received, not yet released). */
    public int heldCount() {
        return heldCount;
    }

    boolean isHeld(int bufferId) {
        return bufferId >= 0 && bufferId < count && held.get(bufferId);
    }

    void release(int bufferId) {
        if (held.get(bufferId)) heldCount--;
        held.clear(bufferId);
    }
}
