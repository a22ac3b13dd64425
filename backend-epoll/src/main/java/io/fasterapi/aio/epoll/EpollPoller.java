package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.EventFd;
import io.fasterapi.aio.unix.NativeLibc;
import io.fasterapi.aio.unix.Posix;
import io.fasterapi.aio.unix.readiness.Poller;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The epoll {@link Poller}: one epoll instance, an {@link EventFd} for wake-ups, a preallocated event array. */
final class EpollPoller implements Poller {
    /** The eventfd's token; handle ids are never 0. */
    private static final long WAKE_TOKEN = 0;
    private static final int INTEREST = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state;
    private final MemorySegment wakeState;
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final MemorySegment counter;
    private final MemorySegment wakeValue;
    private final int maxEvents;
    private final int epfd;
    private final int eventfd;
    private boolean woken;
    private boolean closed;
    /** Whether epoll_pwait2 is there (libc and kernel); false after the kernel said ENOSYS. */
    private boolean pwait2 = Epoll.HAS_PWAIT2;
    private final MemorySegment timespec;

    EpollPoller(int maxEvents) {
        this.maxEvents = maxEvents;
        this.state = arena.allocate(NativeLibc.callStateLayout());
        this.wakeState = arena.allocate(NativeLibc.callStateLayout());
        this.events = arena.allocate(Epoll.EPOLL_EVENT, maxEvents);
        this.ctlEvent = arena.allocate(Epoll.EPOLL_EVENT);
        this.timespec = arena.allocate(Epoll.TIMESPEC_SIZE, 8);
        this.counter = arena.allocate(ValueLayout.JAVA_LONG);
        this.wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        int ep = Epoll.create(state);
        if (ep < 0) {
            arena.close();
            throw new AsyncIoException("epoll_create1 failed", -ep);
        }
        int ev = EventFd.create(state, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        int r = ev < 0 ? ev : Epoll.ctl(state, ep, Epoll.EPOLL_CTL_ADD, ev, Epoll.EPOLLIN | Epoll.EPOLLET, WAKE_TOKEN, ctlEvent);
        if (r < 0) {
            if (ev >= 0) Posix.close(state, ev);
            Posix.close(state, ep);
            arena.close();
            throw new AsyncIoException(ev < 0 ? "eventfd failed" : "epoll_ctl(eventfd) failed", -r);
        }
        this.epfd = ep;
        this.eventfd = ev;
    }

    @Override
    public int register(int fd, long token) {
        int r = Epoll.ctl(state, epfd, Epoll.EPOLL_CTL_ADD, fd, INTEREST, token, ctlEvent);
        return Math.min(r, 0);
    }

    @Override
    public int select(long timeoutNanos) {
        int n;
        if (pwait2 && timeoutNanos > 0 && timeoutNanos % 1_000_000 != 0) {
            // A timeout finer than epoll_wait's milliseconds (a timer due in 200 µs): epoll_pwait2.
            timespec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            n = Epoll.pwait2(state, epfd, events, maxEvents, timespec);
            if (n == -Errno.ENOSYS.code()) { // a kernel before 5.11: milliseconds from now on
                pwait2 = false;
                n = waitMillis(timeoutNanos);
            }
        } else {
            n = waitMillis(timeoutNanos);
        }
        woken = false;
        if (n <= 0) {
            return 0; // EINTR: the loop simply turns again
        }
        for (int i = 0; i < n; i++) {
            if (Epoll.data(events, i) == WAKE_TOKEN) {
                Posix.read(state, eventfd, counter, 8); // reset the counter; EAGAIN is harmless
                woken = true;
            }
        }
        return n;
    }

    /** epoll_wait, its timeout rounded up to milliseconds (never early). */
    private int waitMillis(long timeoutNanos) {
        int timeout = timeoutNanos < 0 ? -1 : (int) Math.min((timeoutNanos + 999_999) / 1_000_000, Integer.MAX_VALUE);
        return Epoll.wait(state, epfd, events, maxEvents, timeout);
    }

    @Override
    public boolean woken() {
        return woken;
    }

    @Override
    public long token(int i) {
        return Epoll.data(events, i);
    }

    @Override
    public int readiness(int i) {
        int e = Epoll.events(events, i);
        int r = 0;
        if ((e & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0) r |= READABLE;
        if ((e & Epoll.EPOLLOUT) != 0) r |= WRITABLE;
        if ((e & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0) r |= ERROR;
        if ((e & (Epoll.EPOLLRDHUP | Epoll.EPOLLHUP)) != 0) r |= READ_CLOSED;
        return r;
    }

    /** Synchronized with {@link #close()} so a late wake-up never writes to a reused descriptor number. */
    @Override
    public synchronized void wakeup() {
        if (!closed) {
            Posix.write(wakeState, eventfd, wakeValue, 8);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Posix.close(state, eventfd);
        Posix.close(state, epfd);
        arena.close();
    }
}
