package io.fasterapi.aio.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A vector of Linux's {@code struct mmsghdr} for {@code recvmmsg}: up to {@link #SIZE} datagrams in
 * one system call, each with its own buffer (one iovec) and room for its sender. Linux only (the
 * glibc {@code msghdr}); checked against gcc.
 */
public final class MmsgBatch {
    /** {@code struct mmsghdr}: a {@code msghdr}, then the bytes received ({@code msg_len}). */
    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MsgHdr.LINUX_MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));
    /** The most datagrams one call takes. */
    public static final int SIZE = 16;
    private static final long ENTRY = MMSGHDR.byteSize();
    private static final long LEN = MMSGHDR.byteOffset(groupElement("msg_len"));
    private static final long NAME = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_name"));
    private static final long NAMELEN = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_namelen"));
    private static final long IOV = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_iov"));
    private static final long IOVLEN = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_iovlen"));
    private static final long FLAGS = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_flags"));

    private final MemorySegment vector;
    private final MemorySegment iovecs;
    private final MemorySegment names;

    public MmsgBatch(Arena arena) {
        this.vector = arena.allocate(ENTRY * SIZE, 8);
        this.iovecs = arena.allocate(MsgHdr.IOVEC.byteSize() * SIZE, 8);
        this.names = arena.allocate(SockAddr.STORAGE_SIZE * SIZE, 8);
        vector.fill((byte) 0);
        for (int i = 0; i < SIZE; i++) {
            vector.set(JAVA_LONG, i * ENTRY + IOV, iovecs.address() + i * MsgHdr.IOVEC.byteSize());
            vector.set(JAVA_LONG, i * ENTRY + IOVLEN, 1L);
        }
    }

    /** Entry {@code i} receives into {@code length} bytes at {@code address}, its sender into {@link #name} if {@code named}. */
    public void set(int i, long address, long length, boolean named) {
        long e = i * ENTRY;
        iovecs.set(JAVA_LONG, i * MsgHdr.IOVEC.byteSize(), address);
        iovecs.set(JAVA_LONG, i * MsgHdr.IOVEC.byteSize() + 8, length);
        vector.set(JAVA_LONG, e + NAME, named ? names.address() + i * SockAddr.STORAGE_SIZE : 0L);
        vector.set(JAVA_INT, e + NAMELEN, named ? (int) SockAddr.STORAGE_SIZE : 0);
        vector.set(JAVA_INT, e + FLAGS, 0);
        vector.set(JAVA_INT, e + LEN, 0);
    }

    /** The vector, for {@code recvmmsg}. */
    public MemorySegment vector() {
        return vector;
    }

    /** The bytes entry {@code i} received (its real length, with MSG_TRUNC). */
    public long length(int i) {
        return Integer.toUnsignedLong(vector.get(JAVA_INT, i * ENTRY + LEN));
    }

    /** Entry {@code i}'s {@code msg_flags}. */
    public int flags(int i) {
        return vector.get(JAVA_INT, i * ENTRY + FLAGS);
    }

    /** Entry {@code i}'s sender. */
    public MemorySegment name(int i) {
        return names.asSlice(i * SockAddr.STORAGE_SIZE, SockAddr.STORAGE_SIZE);
    }
}
