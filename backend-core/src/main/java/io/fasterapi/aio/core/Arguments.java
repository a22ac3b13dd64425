package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/** The checks of buffers given to the loop: misuse is refused at the call, with what to do instead. */
final class Arguments {
    private Arguments() {
    }

    static void checkSegment(MemorySegment s, boolean forRead) {
        Objects.requireNonNull(s, "buffer");
        if (!s.isNative()) {
            throw new IllegalArgumentException("heap memory segment: the kernel may use the buffer after the call "
                    + "returns; allocate it from an Arena or use a direct ByteBuffer");
        }
        if (forRead && s.isReadOnly()) throw new IllegalArgumentException("read into a read-only segment");
        if (!s.scope().isAlive()) throw new IllegalArgumentException("the segment's arena is closed");
    }

    static void checkBuffer(ByteBuffer b, boolean forRead) {
        Objects.requireNonNull(b, "buffer");
        if (!b.isDirect()) {
            throw new IllegalArgumentException("heap ByteBuffer: the kernel may use the buffer after the call "
                    + "returns; use ByteBuffer.allocateDirect or a MemorySegment");
        }
        if (forRead && b.isReadOnly()) throw new IllegalArgumentException("read into a read-only ByteBuffer");
    }
}
