package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * A completion kernel interface (io_uring, IOCP) as {@link CompletionEngine} drives it: "start this
 * request" and "reap what finished". A kernel holds no operation state of the engine's; it names
 * each request by its operation's slot (for its own per-request memory) and id (to report it by),
 * and reports through the {@link Sink} it is handed, never calling anything else.
 *
 * <p>A request method returns 0 when the kernel owns the request (it will be reported exactly
 * once without {@link #MORE}), or a negated error number when it was refused at once (never
 * reported). Confined to the loop's thread except {@link #wake()}.
 */
public interface Kernel {
    /** Completion flag: the request stays in the kernel and reports again (multishot). */
    int MORE = 1;
    /** Completion flag: the kernel picked a pool buffer; its id is {@code flags >>> BUFFER_SHIFT}. */
    int BUFFER = 2;
    int BUFFER_SHIFT = 16;
    /** Completion flag: a datagram longer than the buffer was cut to its size. */
    int TRUNCATED = 4;

    /** Where a kernel reports. */
    interface Sink {
        /** Request {@code operationId} finished (or produced one more result, with {@link #MORE}). */
        void completed(long operationId, long result, int flags);

        /** A wake-up ({@link #wake()}) was consumed. */
        void woken();

        /** A call failed inside the kernel interface without completing a request. */
        void error();

        /**
         * The completion queue overflowed: the kernel had more completions than room in the
         * ring, and kept them aside (none lost) or, {@code dropped} of them, lost them. Once per
         * time the kernel interface finds it so.
         */
        void completionQueueOverflow(long dropped);
    }

    /** The descriptor calls of this operating system. */
    Sockets sockets();

    /** Socket {@code fd} got handle slot {@code h} with id {@code handleId}: associate it as the kernel needs. 0 or a negated errno. */
    int register(int h, long fd, long handleId, boolean listener);

    /** Whether a pool receive lets the kernel pick the buffer (io_uring's provided buffers) or takes one per request. */
    boolean picksBuffers();

    /** Reads into {@code length} bytes at {@code address} from {@code fd}, of handle slot {@code h}. */
    int read(int op, long id, int h, long fd, long address, int length);

    /** Sends {@code length} bytes at {@code address} on {@code fd}, of handle slot {@code h}. */
    int write(int op, long id, int h, long fd, long address, int length);

    /**
     * Sends the bytes of {@code buffers} after the first {@code skip}, in one request of at most
     * {@link Gather#MAX_ENTRIES} buffers (described by {@link Gather#fill}); the engine continues
     * with the rest after the completion, as after a partial send. The request's entry array is
     * the kernel's own memory, kept until the completion.
     */
    int writeGather(int op, long id, int h, long fd, MemorySegment[] buffers, long skip);

    /**
     * Receives one datagram into {@code length} bytes at {@code address}, its sender into
     * {@code from} (filled before the completion is reported; null on a connected socket's read).
     * A datagram longer than the buffer is reported with {@link #TRUNCATED}, or with its real length
     * (more than {@code length}): the engine cuts either to the buffer.
     */
    int receiveFrom(int op, long id, int h, long fd, long address, int length, io.fasterapi.aio.DatagramSender from);

    /** Sends {@code length} bytes at {@code address} as one datagram to {@code target} (null: the connected peer). */
    int sendTo(int op, long id, int h, long fd, long address, int length, java.net.InetSocketAddress target);

    /**
     * Receives into {@code pool}: into {@code bufferId}, or (when the kernel picks buffers, {@code bufferId}
     * is -1) as a multishot request that reports each chunk with {@link #MORE} and {@link #BUFFER},
     * and ends with {@code -ENOBUFS} when the pool has no free buffer.
     */
    int receive(int op, long id, int h, long fd, BufferPool pool, int bufferId);

    /**
     * A kernel that picks buffers: receives datagrams into {@code pool} as a multishot request,
     * each datagram's bytes at {@code AsyncIo.POOL_DATAGRAM_OFFSET} of the buffer picked. Each
     * report's result is the bytes kept, with {@link #MORE}, {@link #BUFFER} and {@link #TRUNCATED}
     * as for {@link #receive}, and its sender set into {@code from} just before the report. Others
     * are never asked: the engine takes a buffer and asks {@link #receiveFrom} into it.
     */
    default int receiveDatagrams(int op, long id, int h, long fd, BufferPool pool, io.fasterapi.aio.DatagramSender from) {
        throw new UnsupportedOperationException("a kernel that does not pick buffers receives datagrams one by one");
    }

    /** Connects {@code fd}; the result is 0 once connected. */
    int connect(int op, long id, int h, long fd, SocketAddress remote);

    /**
     * Accepts on listener {@code h} ({@code fd}); each result is an accepted descriptor, or an error.
     * A kernel may keep accepting ({@link #MORE}). {@code -EAGAIN} as the last result asks to arm again.
     */
    int accept(int op, long id, int h, long fd);

    /** Asks the kernel to give request {@code id} back soon; its socket is still open. */
    void cancel(int op, long id);

    /**
     * Closes {@code fd}, of handle slot {@code h}, once no request naming it is waiting to be
     * submitted: 0 or a negated errno. Requests still out on it will come back cancelled.
     */
    int close(int h, long fd);

    /** A released buffer of {@code pool} is free for receiving again. */
    void recycle(BufferPool pool, int bufferId);

    /** A new pool: register it with the kernel if it lends buffers itself (may throw). */
    default void poolCreated(BufferPool pool) {
    }

    /**
     * Submits what is queued, waits at most {@code timeoutNanos} (-1: no limit; a coarser clock
     * rounds up), reports; returns the
     * entries reaped. {@code quiet} of the queued requests are sends on sockets that also have a
     * receive in the kernel: their completions may be posted at once, and need not end the wait
     * alone, because the receive will. A kernel that can may wait a short bounded time for one
     * completion more than those, so that a request-response exchange costs one system call
     * instead of two; the sends' reports are then late by at most that time. Others ignore it.
     */
    int await(long timeoutNanos, int quiet, Sink sink);

    /** Whether {@link #await} makes use of its {@code quiet} count (else the engine need not keep it). */
    default boolean batchesWaits() {
        return false;
    }

    /** Requests (its own included) whose last completion has not been reaped. */
    int inFlight();

    /** Makes a blocked {@link #await} return. Any thread. */
    void wake();

    /** The loop's thread is known: a kernel object tied to one thread binds here. */
    default void bound() {
    }

    /** The loop closes: stop the kernel's own requests (the wake-up read) so that {@link #inFlight()} can reach 0. */
    default void stopWaking() {
    }

    /** Frees the kernel objects; memory a request still in flight may write is kept. */
    void close();
}
