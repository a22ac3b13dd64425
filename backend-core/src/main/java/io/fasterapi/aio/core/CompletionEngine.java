package io.fasterapi.aio.core;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The engine of the completion kernels (io_uring, IOCP): the kernel owns a request until it
 * reports it, so an operation's buffer, slot and place in its queue stay untouched until then.
 * Written once here, for both: per handle only the head of each queue is in the kernel (one
 * receive, one send), which keeps completions in submission order and lets a partial send
 * continue before the next; a connect holds back the reads queued behind it; cancel races
 * deliver what the kernel finished; pool receives pause and resume with the user's releases.
 * Accepts are {@link Acceptors}'. The {@link Kernel} only starts requests and reaps them.
 *
 * <p>Operation state, in {@link Operations#engineFlags}: {@link #IN_KERNEL}, {@link #CANCELLED},
 * {@link #CLOSING}, {@link #PAUSED}, {@link #NO_SLOT}, and {@link Acceptors#ARM}.
 */
public final class CompletionEngine implements Driver, Kernel.Sink {
    /** The kernel owns the request. */
    static final int IN_KERNEL = 1;
    /** A cancel was asked (once). */
    static final int CANCELLED = 2;
    /** Cancelled because its handle closed: the result is ECANCELED whatever the kernel did. */
    static final int CLOSING = 4;
    /** A pool receive waiting for a released buffer: at its queue's head, not in the kernel. */
    static final int PAUSED = 8;
    /** A pool receive ended because no slot was left to report a chunk: it ends with ENOBUFS. */
    static final int NO_SLOT = 32;
    /** Handle flag: a connect is in the kernel; the reads queued behind it wait. */
    static final int H_CONNECTING = 1;
    private static final long DRAIN_TIMEOUT_NANOS = 5_000_000_000L;

    private final LoopContext ctx;
    private final Handles handles;
    private final Operations ops;
    private final Kernel kernel;
    private final Acceptors acceptors;
    private final IntConsumer resumeReceive = this::resumeReceive;
    /** Where the kernel puts a pool datagram's sender before reporting it: copied into the chunk at once. */
    private final io.fasterapi.aio.DatagramSender sender = new io.fasterapi.aio.DatagramSender();
    /** Whether the kernel uses the quiet count: the sends are recorded only then. */
    private final boolean countQuiet;
    /** Handle slots a send was started on since the last wait (for {@link Kernel#await}'s quiet count). */
    private int[] sentOn = new int[64];
    private int sentCount;

    /** An engine over {@code kernel}, reporting to {@code ctx}. */
    public CompletionEngine(LoopContext ctx, Kernel kernel) {
        this.ctx = ctx;
        this.handles = ctx.handles;
        this.ops = ctx.ops;
        this.kernel = kernel;
        this.acceptors = new Acceptors(ctx, kernel);
        this.countQuiet = kernel.batchesWaits();
    }

    /** The kernel under this engine (for the backend's tests). */
    public Kernel kernel() {
        return kernel;
    }

    /** Connections the kernel accepted that no ACCEPT has asked for yet, over every listener (for tests). */
    public int acceptBacklog() {
        return acceptors.backlog();
    }

    @Override
    public Sockets sockets() {
        return kernel.sockets();
    }

    @Override
    public int register(int h) {
        return kernel.register(h, handles.fd(h), handles.id(h), handles.kind(h) == Handles.KIND_LISTENER);
    }

    // ---- starting -----------------------------------------------------------------------------

    @Override
    public void connect(int op, int h, java.net.SocketAddress remote) {
        handles.setFlags(h, H_CONNECTING);
        long fd = handles.fd(h);
        int r = kernel.register(h, fd, handles.id(h), false);
        if (r == 0) r = kernel.connect(op, ops.id(op), h, fd, remote);
        if (r < 0) {
            ctx.pollWrite(h);
            ctx.complete(op, r);
            ctx.closeHandle(h);
            return;
        }
        ops.setEngineFlags(op, IN_KERNEL);
    }

    @Override
    public void submit(int op, int h) {
        switch (ops.kind(op)) {
            case ACCEPT -> acceptors.serve(h);
            case READ -> {
                if (handles.readHead(h) == op) pumpRead(h);
            }
            case WRITE -> {
                if (handles.writeHead(h) == op) pumpWrite(h);
            }
            default -> throw new IllegalStateException("unexpected " + ops.kind(op));
        }
    }

    /** Starts the head of {@code h}'s read queue, and the ones after it that end at once. */
    private void pumpRead(int h) {
        int op;
        while ((op = handles.readHead(h)) >= 0 && (ops.engineFlags(op) & (IN_KERNEL | PAUSED)) == 0) {
            if ((handles.flags(h) & H_CONNECTING) != 0 || startRead(op, h)) return;
        }
    }

    private void pumpWrite(int h) {
        int op;
        while ((op = handles.writeHead(h)) >= 0 && (ops.engineFlags(op) & IN_KERNEL) == 0) {
            if (startWrite(op, h)) return;
        }
    }

    /** Starts a read or a pool receive; true when it is in the kernel or paused, false when it ended at once. */
    private boolean startRead(int op, int h) {
        if (ops.pool(op) >= 0) return startReceive(op, h);
        MemorySegment buffer = ops.segment(op);
        boolean datagram = ops.isDatagram(op);
        if (buffer.byteSize() == 0 && !datagram) return end(h, op, 0, true); // (a datagram may be empty, and truncated)
        int r = datagram
                ? kernel.receiveFrom(op, ops.id(op), h, handles.fd(h), buffer.address(), clamp(buffer.byteSize()), ops.sender(op))
                : kernel.read(op, ops.id(op), h, handles.fd(h), buffer.address(), clamp(buffer.byteSize()));
        if (r < 0) return end(h, op, r, true);
        ops.setEngineFlags(op, IN_KERNEL);
        return true;
    }

    /** Sends what is left of a write; true when it is in the kernel, false when it ended at once. */
    private boolean startWrite(int op, int h) {
        MemorySegment buffer = ops.segment(op);
        long done = ops.bytesSent(op);
        long length = ops.length(op);
        boolean datagram = ops.isDatagram(op);
        if (done == length && !datagram) return end(h, op, done, false); // a zero-length write (an empty datagram is sent)
        int r = datagram ? kernel.sendTo(op, ops.id(op), h, handles.fd(h), buffer.address(), clamp(length), ops.target(op))
                : buffer != null ? kernel.write(op, ops.id(op), h, handles.fd(h), buffer.address() + done, clamp(length - done))
                : kernel.writeGather(op, ops.id(op), h, handles.fd(h), ops.gather(op), done);
        if (r < 0) return end(h, op, r, false);
        ops.setEngineFlags(op, IN_KERNEL);
        if (countQuiet) {
            if (sentCount == sentOn.length) sentOn = Arrays.copyOf(sentOn, sentCount * 2);
            sentOn[sentCount++] = h;
        }
        return true;
    }

    private boolean startReceive(int op, int h) {
        BufferPool pool = ctx.pool(ops.pool(op));
        int b = -1;
        if (!kernel.picksBuffers() && (b = pool.take()) < 0) {
            pause(op);
            return true;
        }
        long fd = handles.fd(h);
        boolean datagram = ops.isDatagram(op);
        int r;
        if (!datagram) {
            r = kernel.receive(op, ops.id(op), h, fd, pool, b);
        } else if (b < 0) {
            r = kernel.receiveDatagrams(op, ops.id(op), h, fd, pool, ops.sender(op) != null ? sender : null);
        } else { // one datagram into the buffer taken, after the room every system leaves
            int at = io.fasterapi.aio.AsyncIo.POOL_DATAGRAM_OFFSET;
            r = kernel.receiveFrom(op, ops.id(op), h, fd, pool.address(b) + at, pool.bufferSize() - at,
                    ops.sender(op) != null ? sender : null);
        }
        if (r < 0) {
            if (b >= 0) pool.putBack(b);
            return end(h, op, r, true);
        }
        ops.lentBuffer[op] = b;
        ops.setEngineFlags(op, IN_KERNEL);
        return true;
    }

    /** Every buffer is the user's: the receive waits for a release, and the user is told. */
    private void pause(int op) {
        ops.setEngineFlags(op, PAUSED);
        ctx.paused(op);
    }

    /** Ends the head of a queue now with {@code result}; returns false ("not in the kernel"). */
    private boolean end(int h, int op, long result, boolean read) {
        if (read) ctx.pollRead(h); else ctx.pollWrite(h);
        ctx.complete(op, result);
        return false;
    }

    private static int clamp(long n) {
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    // ---- cancelling and closing ---------------------------------------------------------------

    @Override
    public boolean cancel(int op, boolean handleClosing) {
        int s = ops.engineFlags(op);
        if ((s & IN_KERNEL) == 0) return false; // queued behind another, or paused: the loop completes it
        if ((s & CANCELLED) == 0) kernel.cancel(op, ops.id(op));
        ops.setEngineFlags(op, s | CANCELLED | (handleClosing ? CLOSING : 0));
        return true;
    }

    @Override
    public void closeDescriptor(int h) {
        if (handles.kind(h) == Handles.KIND_LISTENER) acceptors.closing(h);
        if (kernel.close(h, handles.fd(h)) < 0) ctx.counters.error();
    }

    // ---- completions ----------------------------------------------------------------------------

    @Override
    public void await(long timeoutNanos) {
        ctx.counters.events(kernel.await(timeoutNanos, quietSends(), this));
    }

    /**
     * The sends started since the last wait whose socket also has a receive in the kernel: a
     * server that keeps its next read armed while it answers. Their completions need not end the
     * wait; the receive's will. Counted now, not at the send, because the read may be asked after
     * the write in the same turn.
     */
    private int quietSends() {
        int quiet = 0;
        for (int i = 0; i < sentCount; i++) {
            int h = sentOn[i];
            int r = handles.readHead(h);
            if (r >= 0 && (ops.engineFlags(r) & IN_KERNEL) != 0) quiet++;
        }
        sentCount = 0;
        return quiet;
    }

    @Override
    public void completed(long id, long result, int flags) {
        int op = ops.slotOf(id);
        if (op < 0 || (ops.engineFlags(op) & IN_KERNEL) == 0) {
            ctx.counters.error(); // cannot happen: a slot stays taken while the kernel owns its request
            return;
        }
        boolean more = (flags & Kernel.MORE) != 0;
        int s = ops.engineFlags(op);
        if ((s & Acceptors.ARM) != 0) {
            acceptors.completed(op, result, more);
        } else if (ops.pool(op) >= 0) {
            received(op, s, result, flags, more);
        } else {
            ops.setEngineFlags(op, 0);
            if ((flags & Kernel.TRUNCATED) != 0) ops.addResultFlags(op, io.fasterapi.aio.IoEvent.TRUNCATED);
            finished(op, s, result);
        }
    }

    /** A read, write or connect came back. */
    private void finished(int op, int s, long result) {
        int h = ctx.handleOf(ops.handleIdOf(op)); // -1: closed since
        Operation kind = ops.kind(op);
        boolean read = kind == Operation.READ;
        if ((s & CANCELLED) != 0 || h < 0) {
            // cancel() raced with the kernel and lost: what the kernel finished is delivered, as the
            // contract promises (cancelling never loses data); a close makes it ECANCELED.
            boolean closing = (s & CLOSING) != 0 || h < 0;
            if (h >= 0) ctx.unqueue(h, op, read);
            ctx.completeWithFollowers(op, closing ? -Errno.ECANCELED.code() : raced(op, kind, result));
            if (h >= 0) pump(h, read);
            return;
        }
        switch (kind) {
            case READ -> {
                if (ops.isDatagram(op) && result > ops.length(op)) { // a kernel that gave the real length (MSG_TRUNC)
                    result = ops.length(op);
                    ops.addResultFlags(op, io.fasterapi.aio.IoEvent.TRUNCATED);
                }
                end(h, op, result, true); // 0 at the peer's orderly close (a stream's)
                pumpRead(h);
            }
            case WRITE -> {
                long len = ops.length(op);
                if (ops.isDatagram(op)) { // a datagram leaves whole or not at all: no continuation, and 0 bytes is one
                    end(h, op, result, false);
                    pumpWrite(h);
                    return;
                }
                if (result > 0 && ops.bytesSent(op) + result < len) {
                    ops.setBytesSent(op, ops.bytesSent(op) + result);
                    if (!startWrite(op, h)) pumpWrite(h); // the rest, before any later write
                    return;
                }
                end(h, op, result > 0 ? len : result == 0 ? -Errno.EPIPE.code() : result, false);
                pumpWrite(h);
            }
            case CONNECT -> {
                handles.setFlags(h, handles.flags(h) & ~H_CONNECTING);
                end(h, op, Math.min(result, 0), false);
                if (result < 0) {
                    ctx.closeHandle(h);
                    return;
                }
                pumpRead(h);
                pumpWrite(h);
            }
            default -> throw new IllegalStateException("unexpected completion of " + kind);
        }
    }

    /**
     * The result of an operation cancel() came too late for: a read that received bytes reports
     * them (they left the socket), a write reports success only if it sent everything; else ECANCELED.
     */
    private long raced(int op, Operation kind, long result) {
        return switch (kind) {
            case READ -> result >= 0 ? result : -Errno.ECANCELED.code();
            case WRITE -> result >= 0 && ops.bytesSent(op) + result == ops.length(op)
                    ? ops.length(op) : -Errno.ECANCELED.code();
            default -> -Errno.ECANCELED.code(); // a connect is cancelled only by closing its handle
        };
    }

    /** A pool receive reported: a chunk (then on with MORE, or a new request), or its end. */
    private void received(int op, int s, long result, int flags, boolean more) {
        BufferPool pool = ctx.pool(ops.pool(op));
        int h = ctx.handleOf(ops.handleIdOf(op));
        int b = (flags & Kernel.BUFFER) != 0 ? flags >>> Kernel.BUFFER_SHIFT : ops.lentBuffer[op];
        if (!more) {
            ops.lentBuffer[op] = -1;
            ops.setEngineFlags(op, s &= ~IN_KERNEL);
        }
        boolean datagram = ops.isDatagram(op);
        boolean data = datagram ? result >= 0 : result > 0; // an empty datagram is one
        int chunkFlags = truncated(flags);
        int room = pool.bufferSize() - io.fasterapi.aio.AsyncIo.POOL_DATAGRAM_OFFSET;
        if (datagram && result > room) { // a kernel that gave the real length (MSG_TRUNC)
            result = room;
            chunkFlags = io.fasterapi.aio.IoEvent.TRUNCATED;
        }
        if (b >= 0) {
            if (!data || (s & CLOSING) != 0 || h < 0) {
                recycle(pool, b); // no data, or nobody left to give it to
            } else if (!(datagram ? ctx.datagram(op, b, result, chunkFlags, ops.sender(op) != null ? sender : null)
                    : ctx.chunk(op, b, result))) {
                recycle(pool, b); // no slot to report it: the receive ends with ENOBUFS
                if (more && (s & CANCELLED) == 0) kernel.cancel(op, ops.id(op));
                ops.setEngineFlags(op, s |= CANCELLED | NO_SLOT);
            }
        }
        if (more) return;
        ops.setEngineFlags(op, 0);
        if ((s & CANCELLED) != 0 || h < 0) {
            if (h >= 0) ctx.unqueue(h, op, true);
            boolean noSlot = (s & (NO_SLOT | CLOSING)) == NO_SLOT && h >= 0;
            ctx.completeWithFollowers(op, noSlot ? -Errno.ENOBUFS.code() : -Errno.ECANCELED.code());
            if (h >= 0) pumpRead(h);
        } else if (data) {
            if (!startReceive(op, h)) pumpRead(h); // ended after data: go on receiving
        } else if (result == -Errno.ENOBUFS.code() && kernel.picksBuffers()) {
            // The kernel found no free buffer. If the user released some since (before this report
            // was reaped), no later release will come to resume it: start again at once.
            if (pool.heldCount() < pool.count()) {
                if (!startReceive(op, h)) pumpRead(h);
            } else {
                pause(op); // resumes on a release
            }
        } else {
            end(h, op, result, true); // 0 at end of stream, or the error
            pumpRead(h);
        }
    }

    private static int truncated(int kernelFlags) {
        return (kernelFlags & Kernel.TRUNCATED) != 0 ? io.fasterapi.aio.IoEvent.TRUNCATED : 0;
    }

    private void pump(int h, boolean read) {
        if (read) pumpRead(h); else pumpWrite(h);
    }

    // ---- buffers, wake-ups, shutdown ----------------------------------------------------------

    @Override
    public void poolCreated(BufferPool pool) {
        kernel.poolCreated(pool);
    }

    @Override
    public void bufferReleased(BufferPool pool, int bufferId) {
        recycle(pool, bufferId);
    }

    /** A buffer is free again (released, or one the engine did not hand out): receives waiting for one resume. */
    private void recycle(BufferPool pool, int bufferId) {
        kernel.recycle(pool, bufferId);
        ctx.resumeWaiting(pool, resumeReceive);
    }

    private void resumeReceive(int op) {
        if ((ops.engineFlags(op) & PAUSED) == 0) return;
        ops.setEngineFlags(op, 0);
        pumpRead(ops.handle(op));
    }

    @Override
    public void woken() {
        ctx.woken();
    }

    @Override
    public void error() {
        ctx.counters.error();
    }

    @Override
    public void completionQueueOverflow(long dropped) {
        ctx.completionQueueOverflow(dropped);
    }

    @Override
    public void wake() {
        kernel.wake();
    }

    @Override
    public void bound() {
        kernel.bound();
    }

    /** Every handle is closed (so every request cancelled): waits for the kernel to give each back. */
    @Override
    public void drain() {
        kernel.stopWaking();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        while (kernel.inFlight() > 0 && System.nanoTime() - deadline < 0) {
            await(100_000_000);
        }
    }

    @Override
    public void close() {
        kernel.close();
    }
}
