package io.fasterapi.aio.servers.http;

import java.lang.foreign.MemorySegment;

/**
 * A response buffer of the server's, lent to a connection while it has answers to write. It
 * keeps the slice of its last write: the same answer over and over (the common case) is written
 * from the same slice, so lending the buffer to ever other connections allocates nothing.
 */
final class ResponseBuffer {
    final MemorySegment memory;
    private MemorySegment slice;

    ResponseBuffer(MemorySegment memory) {
        this.memory = memory;
    }

    /** The first {@code length} bytes. */
    MemorySegment first(int length) {
        if (length == memory.byteSize()) return memory;
        if (slice == null || slice.byteSize() != length) slice = memory.asSlice(0, length);
        return slice;
    }
}
