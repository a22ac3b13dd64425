package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.NativeLibc;
import io.fasterapi.aio.unix.Posix;
import io.fasterapi.aio.unix.readiness.Poller;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The kqueue {@link Poller} (mio's {@code kqueue.rs} in Java): one kqueue; registrations batched
 * in a {@link ChangeList} and applied by the same {@code kevent()} call that waits; an EVFILT_USER
 * event triggered with NOTE_TRIGGER for wake-ups; a preallocated event array.
 *
 * <p>The event array has room for {@code maxEvents} plus one entry per change: the kernel reports
 * a change it refuses as an EV_ERROR event in that array (before any readiness), and fails the
 * whole call instead only when there is no room for it. A refused registration becomes an
 * {@link #ERROR} event for its token, so the socket's operations try the call and learn the error.
 */
final class KqueuePoller implements Poller {
    /** Change-list entries; a registration takes two. Past this, the list is flushed early. */
    static final int CHANGES = 256;
    /** The EVFILT_USER event's ident and udata; handle ids are never 0. */
    private static final long WAKE_TOKEN = 0;

    private final Kevent.Abi abi;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state;
    private final MemorySegment wakeState;
    private final ChangeList changes;
    private final MemorySegment events;
    private final MemorySegment receipts;
    private final MemorySegment wakeChange;
    private final MemorySegment timeout;
    private final MemorySegment zeroTimeout;
    private final int maxEvents;
    private final int kq;
    private int count;
    private boolean woken;
    private boolean closed;
    /** Tokens whose registration the kernel refused at an early flush, reported by the next select. */
    private long[] refused = new long[8];
    private int refusedCount;
    /** The refused tokens the last select reports after its kernel events. */
    private long[] reported = new long[8];
    private int reportedCount;

    KqueuePoller(int maxEvents, Kevent.Abi abi) {
        this.abi = abi;
        this.maxEvents = maxEvents;
        this.state = arena.allocate(NativeLibc.callStateLayout());
        this.wakeState = arena.allocate(NativeLibc.callStateLayout());
        this.changes = new ChangeList(abi, arena.allocate(abi.layout, CHANGES));
        this.events = arena.allocate(abi.layout, (long) maxEvents + CHANGES);
        this.receipts = arena.allocate(abi.layout, CHANGES);
        this.wakeChange = arena.allocate(abi.layout);
        this.timeout = arena.allocate(Kevent.TIMESPEC);
        this.zeroTimeout = arena.allocate(Kevent.TIMESPEC);
        // kqueue descriptors are not inherited across fork (kqueue(2) on macOS and FreeBSD): no FD_CLOEXEC needed.
        int fd = Kevent.kqueue(state);
        if (fd < 0) {
            arena.close();
            throw new AsyncIoException("kqueue failed", -fd);
        }
        // The user event exists before the first wakeup() can trigger it: applied now, not batched.
        changes.add(WAKE_TOKEN, abi.evfiltUser, Kevent.EV_ADD | Kevent.EV_CLEAR, 0, WAKE_TOKEN);
        int r = Kevent.kevent(state, fd, changes.segment(), 1, MemorySegment.NULL, 0, MemorySegment.NULL);
        changes.clear();
        if (r < 0) {
            Posix.close(state, fd);
            arena.close();
            throw new AsyncIoException("kevent(EVFILT_USER, EV_ADD) failed", -r);
        }
        // No EV_CLEAR in the trigger: on FreeBSD it would reset the event it triggers (filt_usertouch).
        abi.set(wakeChange, 0, WAKE_TOKEN, abi.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0, WAKE_TOKEN);
        this.kq = fd;
    }

    @Override
    public int register(int fd, long token) {
        if (!changes.addRegistration(fd, token)) {
            flush();
            changes.addRegistration(fd, token);
        }
        return 0;
    }

    @Override
    public void beforeClose(int fd) {
        changes.forget(fd);
    }

    /** The change list is full before the turn's wait: apply it now, with receipts so that no readiness is consumed. */
    private void flush() {
        int n = changes.count();
        changes.requestReceipts();
        int r = Kevent.kevent(state, kq, changes.segment(), n, receipts, n, zeroTimeout);
        if (r < 0) {
            for (int i = 0; i < n; i++) refuse(changes.token(i)); // how many were applied is unknown
        } else {
            for (int i = 0; i < r; i++) {
                if ((abi.flags(receipts, i) & Kevent.EV_ERROR) != 0 && abi.data(receipts, i) != 0) {
                    refuse(abi.udata(receipts, i));
                }
            }
        }
        changes.clear();
    }

    private void refuse(long token) {
        if (refusedCount > 0 && refused[refusedCount - 1] == token) return; // READ and WRITE of one socket
        if (refusedCount == refused.length) refused = Arrays.copyOf(refused, refusedCount * 2);
        refused[refusedCount++] = token;
    }

    @Override
    public int select(long timeoutNanos) {
        // What an early flush refused is reported now; the swap keeps later refusals for the next turn.
        long[] t = reported;
        reported = refused;
        reportedCount = refusedCount;
        refused = t;
        refusedCount = 0;
        MemorySegment ts;
        if (reportedCount > 0) {
            ts = zeroTimeout;
        } else if (timeoutNanos < 0) {
            ts = MemorySegment.NULL;
        } else {
            Kevent.setTimeout(timeout, timeoutNanos);
            ts = timeout;
        }
        int nchanges = changes.count();
        int n = Kevent.kevent(state, kq, changes.segment(), nchanges, events, maxEvents + nchanges, ts);
        if (n < 0 && n != -Errno.EINTR.code()) {
            // Not an interrupted wait (which applied the changes first): the changes may not all be in.
            for (int i = 0; i < nchanges; i++) refuse(changes.token(i));
        }
        changes.clear();
        count = Math.max(n, 0);
        woken = false;
        for (int i = 0; i < count; i++) {
            if (abi.filter(events, i) == abi.evfiltUser && abi.udata(events, i) == WAKE_TOKEN) woken = true;
        }
        return count + reportedCount;
    }

    @Override
    public boolean woken() {
        return woken;
    }

    @Override
    public long token(int i) {
        return i < count ? abi.udata(events, i) : reported[i - count];
    }

    @Override
    public int readiness(int i) {
        return i < count ? readiness(abi, events, i) : ERROR;
    }

    /**
     * Decodes event {@code i} of a {@code kevent()} event array: EVFILT_READ is readable (and
     * read-closed with EV_EOF: the peer's FIN), EVFILT_WRITE writable; EV_EOF with a non-zero
     * fflags (the socket's error) and EV_ERROR (a refused change, data = errno) are errors.
     * One socket may have an event per filter in the same array; each is decoded on its own.
     */
    static int readiness(Kevent.Abi abi, MemorySegment events, int i) {
        int flags = abi.flags(events, i);
        if ((flags & Kevent.EV_ERROR) != 0) {
            return abi.data(events, i) != 0 ? ERROR : 0; // data 0: a receipt for a change that worked
        }
        short filter = abi.filter(events, i);
        boolean eof = (flags & Kevent.EV_EOF) != 0;
        int r = 0;
        if (filter == Kevent.EVFILT_READ) {
            r = eof ? READABLE | READ_CLOSED : READABLE;
        } else if (filter == Kevent.EVFILT_WRITE) {
            r = WRITABLE;
        }
        if (eof && abi.fflags(events, i) != 0 && r != 0) r |= ERROR;
        return r;
    }

    /** Synchronized with {@link #close()} so a late wake-up never reaches a reused descriptor number. */
    @Override
    public synchronized void wakeup() {
        if (!closed) {
            Kevent.kevent(wakeState, kq, wakeChange, 1, MemorySegment.NULL, 0, MemorySegment.NULL);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Posix.close(state, kq);
        arena.close();
    }
}
