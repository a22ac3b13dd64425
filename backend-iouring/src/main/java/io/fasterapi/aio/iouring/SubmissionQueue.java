package io.fasterapi.aio.iouring;

import java.lang.foreign.MemoryLayout;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;

import java.lang.foreign.MemorySegment;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The submission queue: the SQ ring shared with the kernel and the array of SQEs. Entries are
 * filled at {@code localTail} and published with one release store of the tail per batch.
 *
 * <p>It keeps its own accounting, as liburing's {@code io_uring_get_sqe} does: an SQE wanted while
 * the ring is full first submits what is queued (through the {@link #whenFull} action the loop
 * hands it); and it counts the requests the kernel still owes a final completion (each SQE adds
 * one; each CQE without {@code IORING_CQE_F_MORE} takes one back, {@link #finished()}).
 */
final class SubmissionQueue {
    /** Tries at submitting before a ring that takes no entry is an error. */
    private static final int FULL_TRIES = 100;
    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final long headOffset;
    private final long tailOffset;
    private final long flagsOffset;
    private final int mask;
    private final int entries;
    private int localTail;
    private int inFlight;
    private Runnable whenFull = () -> {
        throw new IllegalStateException("the submission queue is full and nothing submits it");
    };

    SubmissionQueue(MemorySegment ring, MemorySegment sqes, MemorySegment params) {
        this.ring = ring;
        this.sqes = sqes;
        headOffset = IoUringSyscalls.sqRingOffset(params, "head");
        tailOffset = IoUringSyscalls.sqRingOffset(params, "tail");
        flagsOffset = IoUringSyscalls.sqRingOffset(params, "flags");
        long arrayOffset = IoUringSyscalls.sqRingOffset(params, "array");
        mask = ring.get(JAVA_INT, IoUringSyscalls.sqRingOffset(params, "ring_mask"));
        entries = ring.get(JAVA_INT, IoUringSyscalls.sqRingOffset(params, "ring_entries"));
        localTail = ring.get(JAVA_INT, tailOffset);
        // The indirection array maps ring slot i to SQE i, once: SQEs are always used in ring order.
        for (int i = 0; i < entries; i++) {
            ring.set(JAVA_INT, arrayOffset + 4L * i, i);
        }
    }

    private static MemoryLayout.PathElement groupElement(String name) {
        return MemoryLayout.PathElement.groupElement(name);
    }

    /** The kernel's head: pairs with the kernel's release store after it consumed entries. */
    private int head() {
        return (int) RING_INT.getAcquire(ring, headOffset);
    }

    /** Entries filled but not yet consumed by the kernel. */
    int unsubmitted() {
        return localTail - head();
    }

    /** Whether no entry is free until the kernel consumes some. */
    boolean isFull() {
        return localTail - head() == entries;
    }

    /** Publishes every filled entry: pairs with the kernel's acquire load of the SQ tail. */
    void publish() {
        RING_INT.setRelease(ring, tailOffset, localTail);
    }

    /** The SQ ring's flags word (CQ_OVERFLOW, TASKRUN). */
    int flags() {
        return (int) RING_INT.getAcquire(ring, flagsOffset);
    }

    /** What submits the queued entries when an SQE is wanted and none is free. */
    void whenFull(Runnable submit) {
        this.whenFull = submit;
    }

    /** Requests the kernel has taken or will take and not yet finished (final CQE not reaped). */
    int inFlight() {
        return inFlight;
    }

    /** A final CQE (no {@code IORING_CQE_F_MORE}) was reaped: one request fewer in flight. */
    void finished() {
        inFlight--;
    }

    /**
     * The ring index the next SQE will have, after making room for it: memory kept per index (a
     * connect's sockaddr) is then free, since the kernel took the entry that last used it.
     */
    int nextIndex() {
        makeRoom();
        return localTail & mask;
    }

    private void makeRoom() {
        for (int tries = 0; isFull(); tries++) {
            if (tries == FULL_TRIES) {
                throw new AsyncIoException("io_uring: the submission queue stays full (the kernel takes no entries)",
                        Errno.EBUSY.code());
            }
            whenFull.run();
        }
    }

    /** Claims the next SQE, zeroed, submitting first if the ring is full; returns its offset in the SQE array. */
    private long claim(byte opcode, int fd, long userData) {
        makeRoom();
        long base = (localTail & mask) * SQE_SIZE;
        localTail++;
        inFlight++;
        for (long i = 0; i < SQE_SIZE; i += 8) {
            sqes.set(JAVA_LONG, base + i, 0L);
        }
        sqes.set(JAVA_BYTE, base + SQE_OPCODE, opcode);
        sqes.set(JAVA_INT, base + SQE_FD, fd);
        sqes.set(JAVA_LONG, base + SQE_USER_DATA, userData);
        return base;
    }

    void recv(int fd, long address, int length, long userData) {
        long s = claim(IORING_OP_RECV, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, address);
        sqes.set(JAVA_INT, s + SQE_LEN, length);
    }

    /** Multishot recv into buffers the kernel picks from provided buffer ring {@code group}. */
    void recvMultishot(int fd, int group, long userData) {
        long s = claim(IORING_OP_RECV, fd, userData);
        sqes.set(JAVA_BYTE, s + SQE_FLAGS, IOSQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, s + SQE_IOPRIO, (short) IORING_RECV_MULTISHOT);
        sqes.set(JAVA_SHORT, s + SQE_BUF_GROUP, (short) group);
    }

    void send(int fd, long address, int length, int msgFlags, long userData) {
        long s = claim(IORING_OP_SEND, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, address);
        sqes.set(JAVA_INT, s + SQE_LEN, length);
        sqes.set(JAVA_INT, s + SQE_OP_FLAGS, msgFlags);
    }

    /** A zero-copy send: reported twice, the result with F_MORE, then F_NOTIF when the buffer is free. */
    void sendZeroCopy(int fd, long address, int length, int msgFlags, long userData) {
        long s = claim(IORING_OP_SEND_ZC, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, address);
        sqes.set(JAVA_INT, s + SQE_LEN, length);
        sqes.set(JAVA_INT, s + SQE_OP_FLAGS, msgFlags);
    }

    /**
     * sendmsg of the header at {@code msghdr}, which must stay valid until the request completes;
     * {@code zeroCopy}: IORING_OP_SENDMSG_ZC, reported as {@link #sendZeroCopy} is.
     */
    void sendmsg(int fd, long msghdr, int msgFlags, boolean zeroCopy, long userData) {
        long s = claim(zeroCopy ? IORING_OP_SENDMSG_ZC : IORING_OP_SENDMSG, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, msghdr);
        sqes.set(JAVA_INT, s + SQE_LEN, 1); // one header
        sqes.set(JAVA_INT, s + SQE_OP_FLAGS, msgFlags);
    }

    /**
     * Multishot recvmsg into buffers the kernel picks from provided buffer ring {@code group}: each
     * buffer gets an {@code io_uring_recvmsg_out}, the name room the header at {@code msghdr} asks
     * for, then the datagram.
     */
    void recvmsgMultishot(int fd, long msghdr, int group, long userData) {
        long s = claim(IORING_OP_RECVMSG, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, msghdr);
        sqes.set(JAVA_INT, s + SQE_LEN, 1); // one header
        sqes.set(JAVA_BYTE, s + SQE_FLAGS, IOSQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, s + SQE_IOPRIO, (short) IORING_RECV_MULTISHOT);
        sqes.set(JAVA_SHORT, s + SQE_BUF_GROUP, (short) group);
    }

    /** recvmsg into the header at {@code msghdr}, valid until the request completes. */
    void recvmsg(int fd, long msghdr, int msgFlags, long userData) {
        long s = claim(IORING_OP_RECVMSG, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, msghdr);
        sqes.set(JAVA_INT, s + SQE_LEN, 1); // one header
        sqes.set(JAVA_INT, s + SQE_OP_FLAGS, msgFlags);
    }

    void read(int fd, long address, int length, long userData) {
        long s = claim(IORING_OP_READ, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, address);
        sqes.set(JAVA_INT, s + SQE_LEN, length);
        sqes.set(JAVA_LONG, s + SQE_OFF, -1L); // current position: an eventfd has none
    }

    /** accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC, multishot (5.19+) or single. */
    void accept(int fd, int acceptFlags, boolean multishot, long userData) {
        long s = claim(IORING_OP_ACCEPT, fd, userData);
        sqes.set(JAVA_INT, s + SQE_OP_FLAGS, acceptFlags);
        if (multishot) sqes.set(JAVA_SHORT, s + SQE_IOPRIO, (short) IORING_ACCEPT_MULTISHOT);
    }

    /** The kernel copies the address when it takes the entry (FEAT_SUBMIT_STABLE). */
    void connect(int fd, long sockaddr, int length, long userData) {
        long s = claim(IORING_OP_CONNECT, fd, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, sockaddr);
        sqes.set(JAVA_LONG, s + SQE_OFF, length); // addrlen travels in the off field
    }

    /** Cancels the request whose user data is {@code target}. */
    void cancel(long target, long userData) {
        long s = claim(IORING_OP_ASYNC_CANCEL, -1, userData);
        sqes.set(JAVA_LONG, s + SQE_ADDR, target);
    }

    int entries() {
        return entries;
    }
}
