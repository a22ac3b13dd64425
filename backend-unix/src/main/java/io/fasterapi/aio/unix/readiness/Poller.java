package io.fasterapi.aio.unix.readiness;

/**
 * The one thing that differs between epoll and kqueue (mio's {@code Selector}): register a
 * descriptor once for edge-triggered read and write readiness, wait, and decode the events.
 * Everything above it is {@link ReadinessEngine}. Confined to the loop's thread except
 * {@link #wakeup()}.
 */
public interface Poller extends AutoCloseable {
    int READABLE = 1;
    int WRITABLE = 2;
    /** An error or hang-up: both directions should be tried so the operations learn it. */
    int ERROR = 4;
    /** The peer will send no more (FIN seen): reads end with 0 from now on, and no new edge comes. */
    int READ_CLOSED = 8;

    /**
     * Registers {@code fd} for edge-triggered read and write readiness with {@code token} as the
     * event's user data. Returns 0, or the negated errno. A poller that batches registrations into
     * its next {@link #select} returns 0 here and reports a registration the kernel refused as an
     * {@link #ERROR} event for {@code token}.
     */
    int register(int fd, long token);

    /**
     * Called just before {@code fd} is closed. Closing a descriptor removes it from the kernel's
     * interest list by itself (epoll, kqueue), so a poller that applies registrations at once has
     * nothing to do; one that batches them (kqueue's change list) drops those not yet applied,
     * which would otherwise reach a closed descriptor, or a new one that reused its number.
     */
    default void beforeClose(int fd) {
    }

    /**
     * Waits at most {@code timeoutNanos} (-1: no limit; a poller with a coarser clock rounds up) for
     * events; returns how many were stored.
     * A wake-up is consumed here and reported by {@link #woken()}, not counted as an event.
     */
    int select(long timeoutNanos);

    /** Whether the last {@link #select} consumed a wake-up. */
    boolean woken();

    /** The token of event {@code i} of the last {@link #select}. */
    long token(int i);

    /** The readiness of event {@code i}: a mix of {@link #READABLE}, {@link #WRITABLE}, {@link #ERROR}, {@link #READ_CLOSED}. */
    int readiness(int i);

    /** Makes a blocked {@link #select} return. Any thread. */
    void wakeup();

    /** Frees the poller's descriptors and memory. */
    @Override
    void close();
}
