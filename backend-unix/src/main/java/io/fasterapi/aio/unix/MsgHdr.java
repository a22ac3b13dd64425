package io.fasterapi.aio.unix;

import io.fasterapi.aio.core.Gather;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct msghdr} and {@code struct iovec}, for {@code sendmsg} and io_uring's SENDMSG: a
 * header with room for {@link Gather#MAX_ENTRIES} iovecs after it, in memory its owner keeps.
 * Two header layouts, chosen by {@link SocketConstants#sockaddrLen()} as {@link SockAddr}'s are:
 * glibc's, where {@code msg_iovlen} and {@code msg_controllen} are {@code size_t}, and the BSDs'
 * (macOS, FreeBSD), where they are {@code int} and {@code socklen_t}. Checked against gcc
 * (Linux) and Go's golang.org/x/sys (macOS, FreeBSD).
 */
public final class MsgHdr {
    /** {@code struct iovec}, the same on every 64-bit POSIX system. */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    /** Linux (glibc, 64-bit). */
    public static final StructLayout LINUX_MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    /** macOS and FreeBSD (64-bit). */
    public static final StructLayout BSD_MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_INT.withName("msg_iovlen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_control"),
            JAVA_INT.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"));
    /** An iovec as {@link Gather} fills it. */
    public static final Gather.Entry IOVEC_ENTRY = new Gather.Entry(IOVEC.byteSize(),
            IOVEC.byteOffset(groupElement("iov_base")), IOVEC.byteOffset(groupElement("iov_len")), false);
    /** Header and iovecs together: the header rounded up to 64 bytes, then the array. */
    static final long HEADER_ROOM = 64;
    public static final long SIZE = HEADER_ROOM + IOVEC.byteSize() * Gather.MAX_ENTRIES;

    private final MemorySegment memory;
    private final MemorySegment iovecs;
    private final boolean intLengths;
    private final long iovlenOffset;

    /** A header and its iovecs in {@code memory} ({@link #SIZE} bytes, 8-aligned), for {@code c}'s system. */
    public MsgHdr(MemorySegment memory, SocketConstants c) {
        StructLayout header = c.sockaddrLen() ? BSD_MSGHDR : LINUX_MSGHDR;
        this.memory = memory.asSlice(0, SIZE);
        this.iovecs = this.memory.asSlice(HEADER_ROOM);
        this.intLengths = c.sockaddrLen();
        this.iovlenOffset = header.byteOffset(groupElement("msg_iovlen"));
        this.memory.fill((byte) 0);
        this.memory.set(JAVA_LONG, header.byteOffset(groupElement("msg_iov")), iovecs.address());
    }

    /** A header and its iovecs allocated from {@code arena}. */
    public MsgHdr(Arena arena, SocketConstants c) {
        this(arena.allocate(SIZE, 8), c);
    }

    /**
     * Points the header at the bytes of {@code buffers} after the first {@code skip} (at most
     * {@link Gather#MAX_ENTRIES} buffers); returns the bytes it describes, 0 when nothing is left.
     * A send of all of them may leave more to send: the socket is not full then.
     */
    public long describe(MemorySegment[] buffers, long skip) {
        int n = Gather.fill(buffers, skip, iovecs, IOVEC_ENTRY);
        if (intLengths) {
            memory.set(JAVA_INT, iovlenOffset, n);
        } else {
            memory.set(JAVA_LONG, iovlenOffset, n);
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) bytes += iovecs.get(JAVA_LONG, i * IOVEC.byteSize() + IOVEC_ENTRY.lengthOffset());
        return bytes;
    }

    /** The header, for {@code sendmsg}. */
    public MemorySegment header() {
        return memory;
    }
}
