package io.fasterapi.aio.core;

import java.net.SocketAddress;

/**
 * What {@link Loop} asks of the machinery below it: one of the two engines
 * ({@code ReadinessEngine} for epoll and kqueue, {@link CompletionEngine} for io_uring and IOCP).
 * Everything that is not about the kernel (ids, argument and thread checks, queues, timers,
 * delivery, tasks, statistics) stays in the loop. A driver is handed a {@link LoopContext} when it
 * is made and reports through it alone.
 *
 * <p>Operations and handles are slots ({@code int}), never ids: the loop has already resolved
 * and checked every id. Confined to the loop's thread except {@link #wake()}.
 */
public interface Driver {
    /** The descriptor calls of this operating system. */
    Sockets sockets();

    /** A listener or an accepted socket got handle slot {@code h}: register it. Returns 0 or a negated errno. */
    int register(int h);

    /** Starts connecting {@code h} ({@code op} heads its write queue); completes it now or later. */
    void connect(int op, int h, SocketAddress remote);

    /** An ACCEPT, READ or WRITE was appended to its queue on {@code h}: start it if it can start. */
    void submit(int op, int h);

    /**
     * Cancels {@code op}. Returns true when the kernel still owns it and the driver will complete
     * it later; false when the loop should take it out of its queue and complete it with
     * ECANCELED now.
     *
     * @param handleClosing true when the handle closes (the result must be ECANCELED); false for
     *                      {@code AsyncIo.cancel}, where an operation the kernel had already
     *                      finished reports what it did, so no byte or connection is lost
     */
    boolean cancel(int op, boolean handleClosing);

    /** Closes the descriptor of {@code h}; its queues are already cancelled. */
    void closeDescriptor(int h);

    /**
     * Waits at most {@code timeoutNanos} (-1: no limit) for the kernel and completes what it
     * reports. A kernel interface with a coarser clock rounds up, never down (a timer must not fire
     * early; IOCP waits in milliseconds).
     */
    void await(long timeoutNanos);

    /** Makes a blocked {@link #await} return. Any thread. */
    void wake();

    /** The loop's thread is known (first run or poll): a kernel object tied to one thread binds here. */
    default void bound() {
    }

    /** Every handle is closed: waits (bounded) for the kernel to give back what it still owns. */
    default void drain() {
    }

    /** A buffer pool was made: a driver that lends buffers to the kernel registers it (may throw). */
    default void poolCreated(BufferPool pool) {
    }

    /** The user released buffer {@code bufferId}: make it available again, and resume receives waiting for one. */
    void bufferReleased(BufferPool pool, int bufferId);

    /** Frees the driver's kernel objects and memory; every handle is closed. */
    void close();
}
