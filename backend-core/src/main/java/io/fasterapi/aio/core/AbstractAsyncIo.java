package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The part of every loop that does not depend on the kernel interface: argument checks, thread
 * confinement, handle and operation slots, per-handle queues, timers, completion delivery, tasks,
 * wake-ups and statistics. A backend supplies the hooks at the bottom: how sockets are opened, how
 * a queued operation is started, how the kernel is waited on.
 *
 * <p>Completions never reach a handler inside the call that caused them: {@link #complete} puts
 * the operation on a delivery queue that {@link #poll} drains.
 */
public abstract class AbstractAsyncIo implements AsyncIo {
    private static final VarHandle WAKE_PENDING;

    static {
        try {
            WAKE_PENDING = MethodHandles.lookup().findVarHandle(AbstractAsyncIo.class, "wakePending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected final AsyncIoConfig config;
    protected final Handles handles;
    protected final Operations ops;
    protected final Counters counters = new Counters();
    private final int loopNumber;
    private final TimerHeap timers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread owner;
    /** Set by the first run() or poll(): from then on the loop belongs to that thread for good. */
    private boolean bound;
    private volatile boolean running;
    private volatile boolean stopRequested;
    private volatile boolean open = true;
    private boolean closing;
    @SuppressWarnings("unused") // accessed through WAKE_PENDING
    private volatile int wakePending;
    private boolean wokenThisTurn;
    /** Whether the last turn was woken ({@link #wake()}, {@link #stop()}): poll then returns even with nothing delivered. */
    private boolean wokenLastTurn;
    private Runnable onWake;
    private final Completions completions;
    private final BufferPools pools;
    private final HandleQueues queues;

    protected AbstractAsyncIo(AsyncIoConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.loopNumber = LoopNumbers.take();
        this.handles = new Handles(loopNumber, Math.min(1024, config.maxHandles()), config.maxHandles());
        this.ops = new Operations(loopNumber, config.queueDepth(), config.maxOperations());
        this.timers = new TimerHeap(ops);
        List<BufferPool> poolList = new ArrayList<>();
        this.completions = new Completions(ops, counters, poolList, config.uncaughtHandler());
        this.pools = new BufferPools(loopNumber, ops, completions, poolList);
        this.queues = new HandleQueues(handles, ops);
        this.owner = Thread.currentThread();
    }

    // ---- hooks for the backend ----------------------------------------------------------------

    /** Creates, binds and listens; returns the native descriptor. Throws {@link AsyncIoException}. */
    protected abstract long openListener(InetSocketAddress address, ListenOptions options);

    /**
     * Called once a listener or accepted socket has a handle: register it with the kernel.
     * Returns 0, or a negated errno (the core then closes the socket).
     */
    protected abstract int register(int handle);

    /** Creates a non-blocking socket for {@code remote}'s family; returns the native descriptor. */
    protected abstract long openSocket(InetSocketAddress remote);

    /**
     * Starts connecting handle {@code h} (registering it as the backend needs); completes {@code op}
     * now or later, and closes the handle with {@link #closeHandle} when the connect fails.
     */
    protected abstract void startConnect(int op, int h, InetSocketAddress remote);

    /** An ACCEPT, READ or WRITE was appended to its queue on {@code h}: start it if it can start. */
    protected abstract void submit(int op, int h);

    /**
     * Cancels {@code op} in the kernel. Returns true when the kernel still owns it and the backend
     * will {@link #complete} it later; false when the core should complete it with ECANCELED now.
     *
     * @param handleClosing true when the handle closes (the completion must be ECANCELED); false
     *                      for {@link #cancel(long)}, where a kernel that already finished the
     *                      operation may report its real result, so no received byte is lost
     */
    protected abstract boolean cancelInKernel(int op, boolean handleClosing);

    /** Closes the descriptor of handle {@code h} (its queues are already empty). */
    protected abstract void closeDescriptor(int h);

    /** Waits for kernel events at most {@code timeoutMillis} (-1: no limit) and processes them. */
    protected abstract void waitForEvents(long timeoutMillis);

    /** Makes a blocked {@link #waitForEvents} return; called from any thread. */
    protected abstract void wakeKernel();

    /** Frees the backend's own kernel objects and memory; every handle is already closed. */
    protected abstract void closeBackend();

    /** A buffer pool was created: a backend that lends buffers to the kernel registers it here (may throw). */
    protected void poolCreated(BufferPool pool) {
    }

    /** The user gave a receive buffer back: make it available for receiving again. */
    protected void bufferReleased(BufferPool pool, int bufferId) {
        pool.putBack(bufferId);
    }

    /** The pool with index {@code index}. */
    protected final BufferPool pool(int index) {
        return pools.get(index);
    }

    /**
     * Delivers one chunk of the multishot receive {@code op} (which stays pending): {@code length}
     * bytes in {@code bufferId}, now held by the user. Returns false when no operation slot is
     * left for the chunk (the caller then ends the receive with ENOBUFS).
     */
    protected final boolean chunk(int op, int bufferId, long length) {
        return pools.chunk(op, bufferId, length);
    }

    /**
     * Tells the user that receive {@code op} paused because every buffer of its pool is taken: a
     * {@code -ENOBUFS} call with {@link IoEvent#MORE} (the receive goes on once a buffer is
     * released). Remembers the receive in the pool's waiting list.
     */
    protected final void pausedForBuffers(int op) {
        pools.paused(op);
    }

    /** getsockname / getpeername. */
    protected abstract InetSocketAddress address(int h, boolean local);

    /** shutdown(SHUT_WR). */
    protected abstract void shutdownOutput(int h);

    // ---- services for the backend ---------------------------------------------------------------

    /** Records the result of {@code op} (already out of its handle's queue) and queues it for delivery. */
    protected final void complete(int op, long result) {
        completions.add(op, result);
    }

    /** Removes the head of {@code h}'s read queue (accepts and reads) and returns it. */
    protected final int pollReadQueue(int h) {
        return queues.pollRead(h);
    }

    /** Removes the head of {@code h}'s write queue (connects and writes) and returns it. */
    protected final int pollWriteQueue(int h) {
        return queues.pollWrite(h);
    }

    /** Accepted socket {@code fd}: gives it a handle and registers it; returns the handle's id, or -EMFILE. */
    protected final long adoptAccepted(long fd) {
        int h = handles.allocate(Handles.KIND_STREAM, fd);
        if (h < 0) {
            closeDescriptorOf(fd);
            return -Errno.EMFILE.code();
        }
        int r = register(h);
        if (r < 0) {
            closeDescriptor(h);
            handles.free(h);
            return r;
        }
        return handles.id(h);
    }

    /** Closes handle {@code h} from inside the backend (a failed connect): cancels its queues, closes it. */
    protected final void closeHandle(int h) {
        closeHandle(h, -1);
    }

    /** Closes {@code h}; a CLOSE operation {@code closeOp} (or -1) completes after every cancelled one. */
    private void closeHandle(int h, int closeOp) {
        int readChain = cancelQueue(h, true);
        int writeChain = cancelQueue(h, false);
        closeDescriptor(h);
        handles.free(h);
        counters.add(Counters.CLOSES, 1);
        if (closeOp < 0) return;
        int waits = (readChain >= 0 ? 1 : 0) + (writeChain >= 0 ? 1 : 0);
        if (waits == 0) {
            complete(closeOp, 0);
            return;
        }
        ops.closeWaits[closeOp] = waits;
        if (readChain >= 0) ops.after[readChain] = closeOp;
        if (writeChain >= 0) ops.after[writeChain] = closeOp;
    }

    /** The id of open handle {@code h} (for kernel user data). */
    protected final long handleId(int h) {
        return handles.id(h);
    }

    /** The slot of a handle id taken back from the kernel, or -1 when it has been closed since. */
    protected final int handleIndex(long id) {
        return Ids.loop(id) == loopNumber ? handles.lookup(id) : -1;
    }

    /** Closes a descriptor that never got a handle (the handle table was full). */
    protected abstract void closeDescriptorOf(long fd);

    /** Called by {@link #waitForEvents} when the wake-up descriptor fired. */
    protected final void wakeupReceived() {
        wakePending = 0;
        wokenThisTurn = true;
    }

    /** The backend's name. */
    protected abstract String name();

    // ---- AsyncIo: sockets ---------------------------------------------------------------------

    @Override
    public final String backend() {
        return name();
    }

    @Override
    public final AsyncIoConfig config() {
        return config;
    }

    @Override
    public final long listen(InetSocketAddress address, ListenOptions options) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
        if (address.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + address);
        if (handles.openCount() >= config.maxHandles()) {
            throw new AsyncIoException("listen " + address + ": " + config.maxHandles() + " handles open", Errno.EMFILE.code());
        }
        long fd = openListener(address, options);
        int h = handles.allocate(Handles.KIND_LISTENER, fd);
        int r = register(h);
        if (r < 0) {
            closeDescriptor(h);
            handles.free(h);
            throw new AsyncIoException("listen on " + address + ": registering with " + name() + " failed", -r);
        }
        return handles.id(h);
    }

    @Override
    public final long accept(long listener, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        int h = handleIndex(listener, Handles.KIND_LISTENER, "accept");
        int op = newOperation(Operation.ACCEPT, h, listener, handler, userData);
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        queues.addRead(h, op);
        submit(op, h);
        return ops.id(op);
    }

    @Override
    public final long connect(InetSocketAddress remote, CompletionHandler handler, long userData) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
        if (remote.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + remote);
        if (handles.openCount() >= config.maxHandles()) {
            throw new AsyncIoException("connect: " + config.maxHandles() + " handles open", Errno.EMFILE.code());
        }
        long fd = openSocket(remote);
        int h = handles.allocate(Handles.KIND_STREAM, fd);
        long id = handles.id(h);
        int op = ops.allocate(Operation.CONNECT, h, handler, userData);
        if (op < 0) {
            closeDescriptor(h);
            handles.free(h);
            throw tooManyOperations();
        }
        ops.handleId[op] = id;
        queues.addWrite(h, op);
        startConnect(op, h, remote);
        return id;
    }

    @Override
    public final long read(long handle, MemorySegment buffer, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, true);
        return submitTransfer(Operation.READ, handle, buffer, null, handler, userData);
    }

    @Override
    public final long read(long handle, ByteBuffer buffer, CompletionHandler handler, long userData) {
        Arguments.checkBuffer(buffer, true);
        return submitTransfer(Operation.READ, handle, MemorySegment.ofBuffer(buffer), buffer, handler, userData);
    }

    @Override
    public final long write(long handle, MemorySegment buffer, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, false);
        return submitTransfer(Operation.WRITE, handle, buffer, null, handler, userData);
    }

    @Override
    public final long write(long handle, ByteBuffer buffer, CompletionHandler handler, long userData) {
        Arguments.checkBuffer(buffer, false);
        return submitTransfer(Operation.WRITE, handle, MemorySegment.ofBuffer(buffer), buffer, handler, userData);
    }

    @Override
    public final long createBufferPool(int count, int size) {
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
        BufferPool pool = pools.create(count, size);
        poolCreated(pool);
        pools.add(pool);
        return pool.id;
    }

    @Override
    public final MemorySegment bufferPoolMemory(long pool) {
        checkLoopThread();
        return poolOf(pool).memory();
    }

    @Override
    public final long receive(long handle, long pool, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        BufferPool bp = poolOf(pool);
        int h = handleIndex(handle, Handles.KIND_STREAM, "receive");
        int op = newOperation(Operation.READ, h, handle, handler, userData);
        ops.pool[op] = bp.index;
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        queues.addRead(h, op);
        submit(op, h);
        return ops.id(op);
    }

    @Override
    public final void releaseBuffer(long pool, int bufferId) {
        checkLoopThread();
        BufferPool bp = poolOf(pool);
        pools.release(bp, bufferId);
        bufferReleased(bp, bufferId);
    }

    private BufferPool poolOf(long id) {
        checkOwnId(id, Ids.POOL);
        return pools.of(id);
    }

    private long submitTransfer(Operation kind, long handle, MemorySegment segment, ByteBuffer bb,
                                CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        int h = handleIndex(handle, Handles.KIND_STREAM, kind == Operation.READ ? "read" : "write");
        int op = newOperation(kind, h, handle, handler, userData);
        ops.segment[op] = segment;
        ops.byteBuffer[op] = bb;
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        if (kind == Operation.READ) {
            queues.addRead(h, op);
        } else {
            queues.addWrite(h, op);
        }
        submit(op, h);
        return ops.id(op);
    }

    @Override
    public final void shutdownOutput(long handle) {
        checkLoopThread();
        int h = handleIndex(handle, Handles.KIND_STREAM, "shutdownOutput");
        if (h < 0) throw new AsyncIoException("shutdownOutput: handle is closed", Errno.EBADF.code());
        // Refused here: on a connecting socket Linux and BSD would not fail but abort the connect.
        int head = handles.writeHead[h];
        if (head >= 0 && ops.kind(head) == Operation.CONNECT) {
            throw new AsyncIoException("shutdownOutput: the socket is not connected yet (its CONNECT is pending)",
                    Errno.ENOTCONN.code());
        }
        shutdownOutput(h);
    }

    @Override
    public final boolean close(long handle) {
        checkLoopThread();
        int h = handleIndex(handle, -1, "close");
        if (h < 0) return false;
        closeHandle(h);
        return true;
    }

    @Override
    public final long close(long handle, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        int h = handleIndex(handle, -1, "close");
        int op = newOperation(Operation.CLOSE, -1, handle, handler, userData);
        if (h < 0) return failNow(op, Errno.EBADF);
        closeHandle(h, op);
        return ops.id(op);
    }

    @Override
    public final InetSocketAddress localAddress(long handle) {
        return addressOf(handle, true);
    }

    @Override
    public final InetSocketAddress remoteAddress(long handle) {
        return addressOf(handle, false);
    }

    private InetSocketAddress addressOf(long handle, boolean local) {
        checkLoopThread();
        int h = handleIndex(handle, -1, local ? "localAddress" : "remoteAddress");
        if (h < 0) throw new AsyncIoException("address of a closed handle", Errno.EBADF.code());
        return address(h, local);
    }

    // ---- timers and cancellation --------------------------------------------------------------

    @Override
    public final long schedule(long delayNanos, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        if (delayNanos < 0) throw new IllegalArgumentException("negative delay: " + delayNanos);
        int op = newOperation(Operation.TIMER, -1, 0, handler, userData);
        if (closing) return failNow(op, Errno.ECANCELED);
        timers.add(op, System.nanoTime() + delayNanos);
        return ops.id(op);
    }

    @Override
    public final boolean cancel(long operationId) {
        checkLoopThread();
        checkOwnId(operationId, Ids.OPERATION);
        int op = ops.lookup(operationId);
        if (op < 0 || ops.state[op] != Operations.STATE_PENDING) return false;
        // A CLOSE has already closed its handle; it only waits to complete after what it cancelled.
        if (ops.kind[op] == Operation.CLOSE.ordinal()) return false;
        if (ops.kind[op] == Operation.TIMER.ordinal()) {
            timers.remove(op);
            complete(op, -Errno.ECANCELED.code());
            return true;
        }
        int h = handleIndex(ops.handleId[op]);
        // Its handle is closed: the close cancelled it already, and it completes with ECANCELED
        // right after the operation ahead of it in the kernel. Completing it here would leave it
        // linked in that chain, whose next walk would then stop at its reused slot.
        if (h < 0) return true;
        if (cancelInKernel(op, false)) return true;
        queues.unlink(h, op);
        complete(op, -Errno.ECANCELED.code());
        return true;
    }

    // ---- the loop -----------------------------------------------------------------------------

    @Override
    public final int poll(long timeoutMillis) {
        if (timeoutMillis < -1) throw new IllegalArgumentException("timeout must be >= -1, was " + timeoutMillis);
        checkOpen();
        bindToCurrentThread();
        if (timeoutMillis == 0) return turn(0);
        // A turn can end with nothing to deliver before the timeout: an interrupted wait (EINTR),
        // readiness that found EAGAIN again, a partial write continued. poll waits on until a
        // delivery, a wake-up or the timeout, as its Javadoc promises.
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        long wait = timeoutMillis;
        while (true) {
            int delivered = turn(wait);
            if (delivered > 0 || wokenLastTurn || !open) return delivered;
            if (timeoutMillis < 0) continue;
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            wait = (left + 999_999) / 1_000_000;
        }
    }

    private int turn(long timeoutMillis) {
        long wait = timeoutMillis;
        if (!completions.isEmpty() || !tasks.isEmpty()) {
            wait = 0;
        } else if (!timers.isEmpty()) {
            long ns = timers.nextDeadline() - System.nanoTime();
            long ms = ns <= 0 ? 0 : (ns + 999_999) / 1_000_000;
            wait = wait < 0 ? ms : Math.min(wait, ms);
        }
        counters.add(Counters.POLLS, 1);
        waitForEvents(wait);
        int delivered = 0;
        wokenLastTurn = wokenThisTurn;
        if (wokenThisTurn) {
            wokenThisTurn = false;
            counters.add(Counters.WAKES, 1);
            Runnable cb = onWake;
            if (cb != null) {
                delivered += completions.runSafely(cb);
            }
        }
        if (!timers.isEmpty()) expireTimers(System.nanoTime());
        delivered += completions.deliver();
        delivered += runTasks();
        return delivered + completions.deliver();
    }

    @Override
    public final void run() {
        checkOpen();
        synchronized (this) {
            bindToCurrentThread();
            if (running) throw new IllegalStateException("run() is already executing");
            running = true;
        }
        try {
            long timeout = config.pollBusy() ? 0 : config.pollTimeoutMillis();
            // At least one turn: a stop() that came before run() ends it after its first turn
            // (which then does not wait, so the run returns at once).
            do {
                turn(stopRequested ? 0 : timeout);
            } while (!stopRequested);
        } finally {
            stopRequested = false;
            running = false;
        }
    }

    @Override
    public final void stop() {
        stopRequested = true;
        wake();
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    @Override
    public final void wake() {
        if (open && WAKE_PENDING.compareAndSet(this, 0, 1)) {
            wakeKernel();
        }
    }

    @Override
    public final void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        checkOpen();
        tasks.add(task);
        if (Thread.currentThread() != owner) {
            wake();
        }
    }

    @Override
    public final void onWake(Runnable callback) {
        checkLoopThread();
        this.onWake = callback;
    }

    @Override
    public final IoStats stats() {
        return counters.snapshot();
    }

    @Override
    public final boolean isOpen() {
        return open;
    }

    @Override
    public final void close() {
        if (!open || closing) return;
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("close() on " + Thread.currentThread().getName() + " but the loop belongs to "
                    + owner.getName() + ": call stop(), then close() on that thread after run() returns");
        }
        if (running) throw new IllegalStateException("close() inside run(): call stop() and close after run() returns");
        runTasks();
        closing = true;
        try {
            for (int h = 0; h < handles.capacityUsed(); h++) {
                if (handles.kind[h] != Handles.KIND_FREE) closeHandle(h);
            }
            while (!timers.isEmpty()) {
                int op = timers.peek();
                timers.remove(op);
                complete(op, -Errno.ECANCELED.code());
            }
            drainKernel();
            // Handlers may submit again while the loop closes; those complete with ECANCELED. A
            // handler that resubmits forever is cut off: after a few rounds the loop refuses calls.
            for (int round = 0; !completions.isEmpty() || !tasks.isEmpty(); round++) {
                if (round == 16) open = false;
                completions.deliver();
                runTasks();
            }
        } finally {
            open = false;
            try {
                closeBackend();
            } finally {
                pools.close();
                LoopNumbers.release(loopNumber);
            }
        }
    }

    /**
     * For a backend whose constructor fails after this class's: gives back what this class took
     * (the loop number), since such a loop is never closed.
     */
    protected final void abandon() {
        open = false;
        LoopNumbers.release(loopNumber);
    }

    /**
     * Called once, on the loop thread, at its first run() or poll(): a backend whose kernel object
     * is tied to one thread (io_uring's SINGLE_ISSUER) enables it here.
     */
    protected void loopThreadBound() {
    }

    /**
     * Before the backend is closed: lets a completion backend wait for the kernel to give back
     * operations it still owns. Readiness backends own nothing in the kernel.
     */
    protected void drainKernel() {
    }

    // ---- internals ----------------------------------------------------------------------------

    private void bindToCurrentThread() {
        Thread me = Thread.currentThread();
        if (owner != me) {
            if (bound) {
                throw new IllegalStateException("called on " + me.getName() + " but the loop belongs to " + owner.getName()
                        + " (the first thread that ran or polled it): use execute(Runnable) or stop()");
            }
            owner = me;
        }
        if (!bound) {
            bound = true;
            loopThreadBound();
        }
    }

    private void expireTimers(long now) {
        while (!timers.isEmpty() && timers.nextDeadline() - now <= 0) {
            int op = timers.peek();
            timers.remove(op);
            complete(op, 0);
        }
    }

    private int runTasks() {
        int n = 0;
        for (int budget = tasks.size(); budget > 0; budget--) {
            Runnable r = tasks.poll();
            if (r == null) break;
            n += completions.runSafely(r);
        }
        return n;
    }

    private int newOperation(Operation kind, int h, long handleId, CompletionHandler handler, long userData) {
        int op = ops.allocate(kind, h, handler, userData);
        if (op < 0) throw tooManyOperations();
        ops.handleId[op] = handleId;
        return op;
    }

    private AsyncIoException tooManyOperations() {
        return new AsyncIoException(config.maxOperations() + " operations pending (AsyncIoConfig.maxOperations)",
                Errno.ENOBUFS.code());
    }

    /** Completes a just-allocated operation at once (delivered on the next turn, never inline). */
    private long failNow(int op, Errno error) {
        ops.handle[op] = -1;
        complete(op, -error.code());
        return ops.id(op);
    }

    /**
     * Cancels every operation queued on {@code h}. When the head is still in the kernel, the ones
     * behind it wait for its completion (see {@link #completeWithFollowers}), so they complete in
     * order and no buffer is released while the kernel may still write it.
     */
    private int cancelQueue(int h, boolean readQueue) {
        int inKernel = -1;
        int last = -1;
        int op;
        while ((op = readQueue ? pollReadQueue(h) : pollWriteQueue(h)) >= 0) {
            if (inKernel < 0 && cancelInKernel(op, true)) {
                inKernel = last = op;
            } else if (inKernel >= 0) {
                ops.after[last] = op;
                last = op;
            } else {
                complete(op, -Errno.ECANCELED.code());
            }
        }
        return last;
    }

    /**
     * Completes {@code op} (out of its queue), then every operation that was cancelled behind it
     * while it was in the kernel, with ECANCELED.
     */
    protected final void completeWithFollowers(int op, long result) {
        int follower = ops.after[op];
        ops.after[op] = -1;
        complete(op, result);
        while (follower >= 0) {
            if (ops.kind[follower] == Operation.CLOSE.ordinal()) {
                // A CLOSE waits at the end of both queues' chains: it completes after the last one.
                if (--ops.closeWaits[follower] == 0) complete(follower, 0);
                return;
            }
            int nextFollower = ops.after[follower];
            ops.after[follower] = -1;
            complete(follower, -Errno.ECANCELED.code());
            follower = nextFollower;
        }
    }

    /** The slot of {@code id}, or -1 when it is closed or stale; throws for ids that were never this loop's. */
    private int handleIndex(long id, int expectedKind, String what) {
        checkOwnId(id, Ids.HANDLE);
        int h = handles.lookup(id);
        if (h >= 0 && expectedKind >= 0 && handles.kind[h] != expectedKind) {
            throw new IllegalArgumentException(what + ": handle 0x" + Long.toHexString(id) + " is a "
                    + (handles.kind[h] == Handles.KIND_LISTENER ? "listener" : "connected socket")
                    + (expectedKind == Handles.KIND_LISTENER ? "; accept needs a listener" : "; " + what + " needs a connected socket"));
        }
        return h;
    }

    private void checkOwnId(long id, int kind) {
        String what = Ids.kindName(kind);
        if (id <= 0 || Ids.generation(id) == 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(id) + " is not a " + what + " id");
        }
        if (Ids.kind(id) != kind) {
            throw new IllegalArgumentException("0x" + Long.toHexString(id) + " is a " + Ids.kindName(Ids.kind(id))
                    + " id, not a " + what + " id");
        }
        if (Ids.loop(id) != loopNumber) {
            throw new IllegalArgumentException(what + " 0x" + Long.toHexString(id) + " belongs to another loop");
        }
    }

    private void checkLoopThread() {
        if (Thread.currentThread() != owner) {
            if (!open) throw new IllegalStateException("the loop is closed");
            throw new IllegalStateException("called on " + Thread.currentThread().getName() + " but the loop belongs to "
                    + owner.getName() + ": use execute(Runnable) to run code on the loop's thread");
        }
        checkOpen();
    }

    private void checkOpen() {
        if (!open) throw new IllegalStateException("the loop is closed");
    }
}
