package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/** The checks of buffers given to the loop: misuse is refused at the call, with what to do instead. */
final class Arguments {
    private Arguments() {
    }

    static void checkSegment(MemorySegment s, boolean forRead) {
        checkSegment(s, forRead, -1);
    }

    /** As {@link #checkSegment(MemorySegment, boolean)} for element {@code index} of a gather write's array (-1: not an array). */
    static void checkSegment(MemorySegment s, boolean forRead, int index) {
        Objects.requireNonNull(s, index < 0 ? "buffer" : "buffers[" + index + "]");
        if (!s.isNative()) {
            throw new IllegalArgumentException(where(index) + "heap memory segment: the kernel may use the buffer after the call "
                    + "returns; allocate it from an Arena or use a direct ByteBuffer");
        }
        if (forRead && s.isReadOnly()) throw new IllegalArgumentException("read into a read-only segment");
        if (!s.scope().isAlive()) throw new IllegalArgumentException(where(index) + "the segment's arena is closed");
        if (!s.isAccessibleBy(Thread.currentThread())) { // (the call is on the loop's thread, which will use it)
            throw new IllegalArgumentException(where(index) + "the segment is confined to another thread; the loop's thread "
                    + "reads and writes it: allocate it from a shared, global or automatic arena");
        }
    }

    static void checkBuffer(ByteBuffer b, boolean forRead) {
        checkBuffer(b, forRead, -1);
    }

    /** As {@link #checkBuffer(ByteBuffer, boolean)} for element {@code index} of a gather write's array (-1: not an array). */
    static void checkBuffer(ByteBuffer b, boolean forRead, int index) {
        Objects.requireNonNull(b, index < 0 ? "buffer" : "buffers[" + index + "]");
        if (!b.isDirect()) {
            throw new IllegalArgumentException(where(index) + "heap ByteBuffer: the kernel may use the buffer after the call "
                    + "returns; use ByteBuffer.allocateDirect or a MemorySegment");
        }
        if (forRead && b.isReadOnly()) throw new IllegalArgumentException("read into a read-only ByteBuffer");
    }

    private static String where(int index) {
        return index < 0 ? "" : "buffers[" + index + "]: ";
    }
}
