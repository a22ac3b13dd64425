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
 * {@code struct msghdr} and {@code struct iovec}, for {@code sendmsg}, {@code recvmsg} and io_uring's
 * SENDMSG and RECVMSG: a header with room for {@link Gather#MAX_ENTRIES} iovecs and a socket address
 * after it, in memory its owner keeps.
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
    /** Header, iovecs and a socket address together: the header rounded up to 64 bytes, the array, the address. */
    static final long HEADER_ROOM = 64;
    static final long NAME_AT = HEADER_ROOM + IOVEC.byteSize() * Gather.MAX_ENTRIES;
    public static final long SIZE = NAME_AT + SockAddr.STORAGE_SIZE;

    private final MemorySegment memory;
    private final MemorySegment iovecs;
    private final MemorySegment name;
    private final boolean intLengths;
    private final long iovlenOffset;
    private final long nameOffset;
    private final long namelenOffset;
    private final long flagsOffset;

    /** A header and its iovecs in {@code memory} ({@link #SIZE} bytes, 8-aligned), for {@code c}'s system. */
    public MsgHdr(MemorySegment memory, SocketConstants c) {
        StructLayout header = c.sockaddrLen() ? BSD_MSGHDR : LINUX_MSGHDR;
        this.memory = memory.asSlice(0, SIZE);
        this.iovecs = this.memory.asSlice(HEADER_ROOM, NAME_AT - HEADER_ROOM);
        this.name = this.memory.asSlice(NAME_AT, SockAddr.STORAGE_SIZE);
        this.intLengths = c.sockaddrLen();
        this.iovlenOffset = header.byteOffset(groupElement("msg_iovlen"));
        this.nameOffset = header.byteOffset(groupElement("msg_name"));
        this.namelenOffset = header.byteOffset(groupElement("msg_namelen"));
        this.flagsOffset = header.byteOffset(groupElement("msg_flags"));
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
        noName();
        int n = Gather.fill(buffers, skip, iovecs, IOVEC_ENTRY);
        setIovlen(n);
        long bytes = 0;
        for (int i = 0; i < n; i++) bytes += iovecs.get(JAVA_LONG, i * IOVEC.byteSize() + IOVEC_ENTRY.lengthOffset());
        return bytes;
    }

    /**
     * Points the header at one buffer, for a datagram, with no address: a connected socket's
     * send or receive. Returns {@code length}.
     */
    public long describeOne(long address, long length) {
        noName();
        iovecs.set(JAVA_LONG, IOVEC_ENTRY.addressOffset(), address);
        iovecs.set(JAVA_LONG, IOVEC_ENTRY.lengthOffset(), length);
        setIovlen(1);
        memory.set(JAVA_INT, flagsOffset, 0);
        return length;
    }

    /** After {@link #describeOne}: sends to the address written in {@link #name()} ({@code length} bytes of it). */
    public void sendName(int length) {
        memory.set(JAVA_LONG, nameOffset, name.address());
        memory.set(JAVA_INT, namelenOffset, length);
    }

    /** After {@link #describeOne}: a receive writes its sender into {@link #name()}. */
    public void receiveName() {
        memory.set(JAVA_LONG, nameOffset, name.address());
        memory.set(JAVA_INT, namelenOffset, (int) SockAddr.STORAGE_SIZE);
    }

    /**
     * For io_uring's multishot {@code RECVMSG} on provided buffers: no iovec (the kernel uses the
     * whole buffer it picks) and {@code nameRoom} bytes of name, which the kernel writes into that
     * buffer after its header ({@code io_uring_recvmsg_out}) rather than here.
     */
    public void describeMultishot(int nameRoom) {
        setIovlen(0);
        memory.set(JAVA_LONG, nameOffset, name.address());
        memory.set(JAVA_INT, namelenOffset, nameRoom);
        memory.set(JAVA_INT, flagsOffset, 0);
    }

    /** Room for a socket address ({@link SockAddr#STORAGE_SIZE} bytes). */
    public MemorySegment name() {
        return name;
    }

    /** {@code msg_flags} as the last receive left them ({@code MSG_TRUNC}...). */
    public int flags() {
        return memory.get(JAVA_INT, flagsOffset);
    }

    private void noName() {
        memory.set(JAVA_LONG, nameOffset, 0L);
        memory.set(JAVA_INT, namelenOffset, 0);
    }

    private void setIovlen(int n) {
        if (intLengths) {
            memory.set(JAVA_INT, iovlenOffset, n);
        } else {
            memory.set(JAVA_LONG, iovlenOffset, n);
        }
    }

    /** The header, for {@code sendmsg}. */
    public MemorySegment header() {
        return memory;
    }
}
