package io.fasterapi.aio.sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native memory for the transfers of heap buffers, shared by a group's sockets: blocks of 1 KiB to
 * 64 KiB in size classes of powers of two, taken for one operation and given back after it. A
 * socket holds a block only while an operation of its own is in the kernel, so 10,000 idle
 * connections cost 10,000 small read blocks, not 10,000 large ones. Blocks are reused and freed
 * together when the group closes. Thread-safe.
 */
final class NativeBuffers {
    static final int MIN = 1024;
    static final int MAX = 64 * 1024;
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX) - Integer.numberOfTrailingZeros(MIN) + 1;

    private final Arena arena = Arena.ofShared();
    /** Per size class, the free blocks: a stack under its own lock (taken for a push or a pop, allocating nothing). */
    private final Stack[] free = new Stack[CLASSES];

    private static final class Stack {
        private MemorySegment[] blocks = new MemorySegment[16];
        private int size;

        synchronized MemorySegment pop() {
            return size == 0 ? null : blocks[--size];
        }

        synchronized void push(MemorySegment b) {
            if (size == blocks.length) blocks = java.util.Arrays.copyOf(blocks, size * 2);
            blocks[size++] = b;
        }
    }

    NativeBuffers() {
        for (int i = 0; i < CLASSES; i++) free[i] = new Stack();
    }

    /** The size class that holds {@code bytes} (at least {@link #MIN}, at most {@link #MAX}). */
    static int sizeFor(long bytes) {
        if (bytes <= MIN) return MIN;
        if (bytes >= MAX) return MAX;
        return Integer.highestOneBit((int) bytes - 1) << 1;
    }

    /** A block of exactly {@code size} bytes (a size class). */
    MemorySegment take(int size) throws java.nio.channels.ClosedChannelException {
        MemorySegment b = free[classOf(size)].pop();
        if (b != null && b.scope().isAlive()) return b;
        synchronized (arena) {
            if (!arena.scope().isAlive()) throw new java.nio.channels.ClosedChannelException(); // the group closed
            return arena.allocate(size, 64);
        }
    }

    /** Gives back a block from {@link #take}. */
    void give(MemorySegment block) {
        free[classOf((int) block.byteSize())].push(block);
    }

    private static int classOf(int size) {
        return Integer.numberOfTrailingZeros(size) - Integer.numberOfTrailingZeros(MIN);
    }

    /** Frees every block; no socket may use one any more. */
    void close() {
        synchronized (arena) {
            arena.close();
        }
    }
}
