package io.fasterapi.aio.kqueue;

import java.lang.foreign.MemorySegment;

/**
 * The kqueue change list of one loop turn: registrations encoded as {@code struct kevent} entries
 * in a preallocated segment, handed to the kernel by the {@code kevent()} call that also waits
 * (one system call per turn however many sockets were opened). Loop thread only.
 */
final class ChangeList {
    /** Each socket is registered once for both directions, edge-triggered (mio and Netty do the same). */
    static final int REGISTER_FLAGS = Kevent.EV_ADD | Kevent.EV_CLEAR;

    private final Kevent.Abi abi;
    private final MemorySegment list;
    private final int capacity;
    private int count;

    /** Encodes into {@code list} (whole {@code struct kevent} entries of {@code abi}). */
    ChangeList(Kevent.Abi abi, MemorySegment list) {
        this.abi = abi;
        this.list = list;
        this.capacity = abi.capacity(list);
    }

    /**
     * Adds the registration of {@code fd} (EVFILT_READ and EVFILT_WRITE, EV_ADD | EV_CLEAR, the
     * token in udata). Returns false, adding nothing, when there is no room for both.
     */
    boolean addRegistration(int fd, long token) {
        if (capacity - count < 2) return false;
        abi.set(list, count++, fd, Kevent.EVFILT_READ, REGISTER_FLAGS, 0, 0, token);
        abi.set(list, count++, fd, Kevent.EVFILT_WRITE, REGISTER_FLAGS, 0, 0, token);
        return true;
    }

    /** Adds one change; returns false when the list is full. */
    boolean add(long ident, short filter, int flags, int fflags, long udata) {
        if (count == capacity) return false;
        abi.set(list, count++, ident, filter, flags, fflags, 0, udata);
        return true;
    }

    /**
     * Drops the changes for descriptor {@code fd} (about to be closed), keeping the others in
     * order: applied after the close they would fail with EBADF, or reach a new socket that
     * reused the number.
     */
    void forget(int fd) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            boolean drop = abi.ident(list, i) == fd
                    && (abi.filter(list, i) == Kevent.EVFILT_READ || abi.filter(list, i) == Kevent.EVFILT_WRITE);
            if (drop) continue;
            if (kept != i) abi.move(list, i, kept);
            kept++;
        }
        count = kept;
    }

    /**
     * Asks for a receipt for every change (EV_RECEIPT): the kernel then reports each change's
     * outcome in the event list (EV_ERROR, data = 0 or the errno) and returns without collecting
     * readiness, so a flush cannot consume an edge the loop would then never see.
     */
    void requestReceipts() {
        for (int i = 0; i < count; i++) {
            abi.setFlags(list, i, abi.flags(list, i) | Kevent.EV_RECEIPT);
        }
    }

    /** The udata (token) of change {@code i}. */
    long token(int i) {
        return abi.udata(list, i);
    }

    MemorySegment segment() {
        return list;
    }

    int count() {
        return count;
    }

    int capacity() {
        return capacity;
    }

    /** After the kernel took the changes. */
    void clear() {
        count = 0;
    }
}
