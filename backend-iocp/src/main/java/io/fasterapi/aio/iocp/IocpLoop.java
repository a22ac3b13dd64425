package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.AbstractAsyncIo;
import io.fasterapi.aio.core.BufferPool;
import io.fasterapi.aio.core.Handles;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A loop on an I/O completion port. Every socket is associated with the port under its handle id
 * as completion key; every request (AcceptEx, ConnectEx, WSARecv, WSASend) carries the OVERLAPPED
 * of its operation slot ({@link OverlappedTable}), so a completion entry leads straight back to
 * its operation. Per handle only the head of each queue is in the kernel (one receive, one send),
 * which keeps completions in submission order and lets a partial send continue before the next.
 *
 * <p>An operation the kernel owns is only completed when its entry arrives, cancelled or not: its
 * slot, OVERLAPPED and buffer stay untouched until then. Cancellation asks CancelIoEx (batched at
 * the next wait; a closed socket needs none, closesocket cancels its requests) and the request then
 * completes with STATUS_CANCELLED in its OVERLAPPED. Wake-ups are entries posted with key
 * {@link #WAKE_KEY}.
 */
final class IocpLoop extends AbstractAsyncIo {
    /** The completion key of wake-ups; handle ids are never 0. */
    static final long WAKE_KEY = 0;
    private static final int IN_KERNEL = 1;
    private static final int CANCELLED = 2;
    /** Cancelled because its handle closed: ECANCELED whatever the kernel did. */
    private static final int CLOSING = 4;
    /** A receive waiting for a pool buffer: at its queue's head, not in the kernel (a bit of its own, not CLOSING's). */
    private static final int PAUSED = 8;
    /** A receive in the kernel keeps its buffer id + 1 above this shift. */
    private static final int BUFFER_SHIFT = 8;
    private static final int H_IPV6 = 1;
    private static final int H_CONNECTING = 2;
    private static final long DRAIN_TIMEOUT_NANOS = 5_000_000_000L;

    private final CompletionPort port;
    private final Arena arena = Arena.ofShared();
    private final OverlappedTable blocks;
    private final MemorySegment entries;
    private final int maxEntries;
    private final Object wakeLock = new Object();
    private boolean portClosed;
    /** Requests accepted by the kernel whose entry has not arrived. */
    private int kernelOwned;
    /** Operations to CancelIoEx at the next wait (ids, so a stale one is recognised). */
    private long[] cancels = new long[16];
    private int cancelCount;
    private final long[] waiting = new long[16];
    private boolean drainTimedOut;

    IocpLoop(AsyncIoConfig config, CompletionPort port) {
        super(config);
        this.port = port;
        this.maxEntries = config.maxEvents();
        this.entries = arena.allocate(Winsock.ENTRY_SIZE * maxEntries, 8);
        this.blocks = new OverlappedTable(arena, Math.min(config.queueDepth(), 1 << 16));
    }

    @Override
    protected String name() {
        return IocpProvider.NAME;
    }

    // ---- sockets ------------------------------------------------------------------------------

    @Override
    protected long openListener(InetSocketAddress address, ListenOptions options) {
        return port.openListener(address, options);
    }

    @Override
    protected long openSocket(InetSocketAddress remote) {
        return port.openStream(remote);
    }

    @Override
    protected int register(int h) {
        long s = handles.fd(h);
        int r = port.associate(s, handleId(h));
        if (r < 0 || handles.kind(h) != Handles.KIND_LISTENER) return r;
        try {
            if (port.address(s, true).getAddress() instanceof Inet6Address) handles.setFlags(h, H_IPV6);
            return 0;
        } catch (AsyncIoException e) {
            return -e.errno();
        }
    }

    @Override
    protected void startConnect(int op, int h, InetSocketAddress remote) {
        long s = handles.fd(h);
        handles.setFlags(h, H_CONNECTING);
        int r = port.associate(s, handleId(h));
        if (r == 0) {
            blocks.prepare(op, ops.id(op));
            r = port.connect(s, remote, blocks.overlapped(op));
        }
        if (r < 0) {
            pollWriteQueue(h);
            complete(op, r);
            closeHandle(h);
            return;
        }
        inKernel(op, IN_KERNEL);
    }

    @Override
    protected void submit(int op, int h) {
        if (ops.kind(op) == Operation.WRITE) {
            if (handles.writeHead(h) == op) pumpWrite(h);
        } else if (handles.readHead(h) == op) {
            pumpRead(h);
        }
    }

    /** Starts the head of {@code h}'s read queue, and the ones after it that fail at once. */
    private void pumpRead(int h) {
        int op;
        while ((op = handles.readHead(h)) >= 0 && (ops.backendState(op) & (IN_KERNEL | PAUSED)) == 0) {
            if ((handles.flags(h) & H_CONNECTING) != 0) return;
            boolean busy = ops.kind(op) == Operation.ACCEPT ? startAccept(op, h)
                    : ops.pool(op) >= 0 ? startReceive(op, h) : startRead(op, h);
            if (busy) return;
        }
    }

    private void pumpWrite(int h) {
        int op;
        while ((op = handles.writeHead(h)) >= 0 && (ops.backendState(op) & IN_KERNEL) == 0) {
            if (startWrite(op, h)) return;
        }
    }

    private void inKernel(int op, int state) {
        ops.setBackendState(op, state);
        kernelOwned++;
    }

    /** Ends the head of the read queue now with {@code result}; returns false ("not busy"). */
    private boolean endRead(int h, int op, long result) {
        pollReadQueue(h);
        complete(op, result);
        return false;
    }

    private boolean endWrite(int h, int op, long result) {
        pollWriteQueue(h);
        complete(op, result);
        return false;
    }

    /** WSARecv into the operation's buffer; true when it is in the kernel. */
    private boolean startRead(int op, int h) {
        MemorySegment buffer = ops.segment(op);
        if (buffer.byteSize() == 0) return endRead(h, op, 0);
        blocks.prepare(op, ops.id(op));
        Winsock.setWsabuf(blocks.wsabuf(op), buffer.address(), (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE));
        int r = port.receive(handles.fd(h), blocks.wsabuf(op), blocks.flags(op), blocks.overlapped(op));
        if (r < 0) return endRead(h, op, r);
        inKernel(op, IN_KERNEL);
        return true;
    }

    /** WSASend of what is left of the operation's buffer; true when it is in the kernel. */
    private boolean startWrite(int op, int h) {
        MemorySegment buffer = ops.segment(op);
        long done = ops.bytesSent(op);
        if (done == buffer.byteSize()) return endWrite(h, op, done); // zero-length write
        blocks.prepare(op, ops.id(op));
        Winsock.setWsabuf(blocks.wsabuf(op), buffer.address() + done,
                (int) Math.min(buffer.byteSize() - done, Integer.MAX_VALUE));
        int r = port.send(handles.fd(h), blocks.wsabuf(op), blocks.overlapped(op));
        if (r < 0) return endWrite(h, op, r);
        inKernel(op, IN_KERNEL);
        return true;
    }

    /** AcceptEx into a fresh socket of the listener's family; true when it is in the kernel. */
    private boolean startAccept(int op, int h) {
        int family = (handles.flags(h) & H_IPV6) != 0 ? Winsock.AF_INET6 : Winsock.AF_INET;
        long s = port.openAcceptSocket(family);
        if (s < 0) return endRead(h, op, s);
        blocks.prepare(op, ops.id(op));
        int r = port.accept(handles.fd(h), family, s, blocks.acceptAddresses(op), blocks.overlapped(op));
        if (r < 0) {
            port.close(s);
            return endRead(h, op, r);
        }
        blocks.setAcceptSocket(op, s);
        inKernel(op, IN_KERNEL);
        return true;
    }

    /** One WSARecv of a multishot receive into a buffer the loop picks; pauses when the pool is empty. */
    private boolean startReceive(int op, int h) {
        BufferPool pool = pool(ops.pool(op));
        int b = pool.take();
        if (b < 0) {
            ops.setBackendState(op, PAUSED);
            pausedForBuffers(op);
            return true;
        }
        blocks.prepare(op, ops.id(op));
        Winsock.setWsabuf(blocks.wsabuf(op), pool.address(b), pool.bufferSize());
        int r = port.receive(handles.fd(h), blocks.wsabuf(op), blocks.flags(op), blocks.overlapped(op));
        if (r < 0) {
            pool.putBack(b);
            return endRead(h, op, r);
        }
        inKernel(op, IN_KERNEL | (b + 1) << BUFFER_SHIFT);
        return true;
    }

    @Override
    protected boolean cancelInKernel(int op, boolean handleClosing) {
        int s = ops.backendState(op);
        if ((s & IN_KERNEL) == 0) return false; // queued behind another, or paused: the core completes it
        if (handleClosing) ops.setBackendState(op, ops.backendState(op) | CLOSING);
        if ((s & CANCELLED) == 0) {
            ops.setBackendState(op, ops.backendState(op) | CANCELLED);
            if (cancelCount == cancels.length) cancels = Arrays.copyOf(cancels, cancelCount * 2);
            cancels[cancelCount++] = ops.id(op);
        }
        return true;
    }

    /** CancelIoEx for the cancellations of this turn whose socket is still open (closesocket cancelled the others). */
    private void flushCancels() {
        for (int i = 0; i < cancelCount; i++) {
            int op = ops.slotOf(cancels[i]);
            if (op < 0 || (ops.backendState(op) & IN_KERNEL) == 0) continue;
            int h = handleIndex(ops.handleIdOf(op));
            if (h < 0) continue;
            int r = port.cancel(handles.fd(h), blocks.overlapped(op));
            if (r < 0 && r != -Errno.ENOENT.code()) counters.error(); // ENOENT: finished first, its entry is queued
        }
        cancelCount = 0;
    }

    @Override
    protected void closeDescriptor(int h) {
        closeDescriptorOf(handles.fd(h));
    }

    @Override
    protected void closeDescriptorOf(long fd) {
        if (port.close(fd) < 0) counters.error();
    }

    @Override
    protected InetSocketAddress address(int h, boolean local) {
        return port.address(handles.fd(h), local);
    }

    @Override
    protected void shutdownOutput(int h) {
        port.shutdownOutput(handles.fd(h));
    }

    @Override
    protected void bufferReleased(BufferPool pool, int bufferId) {
        super.bufferReleased(pool, bufferId);
        for (int left = pool.waitingCount(); left > 0; ) {
            int n = pool.takeWaiting(waiting, left);
            left -= n;
            for (int i = 0; i < n; i++) {
                int op = ops.slotOf(waiting[i]);
                if (op < 0 || !ops.isPending(op) || ops.backendState(op) != PAUSED) continue;
                int h = handleIndex(ops.handleIdOf(op));
                if (h < 0 || handles.readHead(h) != op) continue;
                ops.setBackendState(op, 0);
                pumpRead(h);
            }
        }
    }

    // ---- completions --------------------------------------------------------------------------

    @Override
    protected void waitForEvents(long timeoutMillis) {
        flushCancels();
        int n = port.wait(entries, maxEntries, timeoutMillis);
        if (n < 0) {
            counters.error();
            return;
        }
        counters.events(n);
        dispatch(entries, n);
    }

    /**
     * Handles {@code n} completion entries laid out as OVERLAPPED_ENTRY: wake-ups, and requests
     * found by their OVERLAPPED's slot. An entry whose OVERLAPPED is not an operation this loop
     * has in the kernel is counted as an error and dropped.
     */
    void dispatch(MemorySegment batch, int n) {
        for (int i = 0; i < n; i++) {
            long key = Winsock.entryKey(batch, i);
            long overlapped = Winsock.entryOverlapped(batch, i);
            if (overlapped == 0) {
                if (key == WAKE_KEY) {
                    wakeupReceived();
                } else {
                    counters.error();
                }
                continue;
            }
            int op = blocks.slotOf(overlapped);
            if (op < 0 || !ops.isPending(op) || (ops.backendState(op) & IN_KERNEL) == 0
                    || blocks.operation(op) != ops.id(op) || key != ops.handleIdOf(op)) {
                counters.error();
                continue;
            }
            int status = blocks.status(op); // not the entry's Internal: that one is reserved
            completed(op, WindowsErrors.succeeded(status) ? Winsock.entryBytes(batch, i) : WindowsErrors.resultOfStatus(status));
        }
    }

    private void completed(int op, long result) {
        kernelOwned--;
        int s = ops.backendState(op);
        ops.setBackendState(op, 0);
        int h = handleIndex(ops.handleIdOf(op)); // -1: closed since (closesocket cancelled the request)
        Operation kind = ops.kind(op);
        long acceptSocket = Winsock.INVALID_SOCKET;
        if (kind == Operation.ACCEPT) {
            acceptSocket = blocks.acceptSocket(op);
            blocks.setAcceptSocket(op, Winsock.INVALID_SOCKET);
        }
        int buffer = (s >>> BUFFER_SHIFT) - 1;
        // cancel() raced with the kernel and lost: what the kernel finished is delivered, as the
        // contract promises for completion backends (cancelling never loses data or a connection).
        if ((s & CANCELLED) != 0 && (s & CLOSING) == 0 && h >= 0 && finishedBeforeCancel(op, h, kind, buffer, acceptSocket, result)) {
            return;
        }
        if ((s & CANCELLED) != 0 || h < 0) {
            if (acceptSocket != Winsock.INVALID_SOCKET) closeDescriptorOf(acceptSocket);
            if (buffer >= 0) pool(ops.pool(op)).putBack(buffer);
            if (h >= 0) unqueue(kind, h, op);
            completeWithFollowers(op, -Errno.ECANCELED.code());
            if (h >= 0) pump(kind, h);
            return;
        }
        switch (kind) {
            case READ -> {
                if (buffer >= 0) {
                    received(op, h, buffer, result);
                    return;
                }
                endRead(h, op, result); // 0 at the peer's orderly close
                pumpRead(h);
            }
            case WRITE -> {
                long len = ops.segment(op).byteSize();
                if (result > 0 && ops.bytesSent(op) + result < len) {
                    ops.setBytesSent(op, ops.bytesSent(op) + result);
                    if (!startWrite(op, h)) pumpWrite(h); // the rest, before any later write
                    return;
                }
                endWrite(h, op, result > 0 ? len : result == 0 ? -Errno.EPIPE.code() : result);
                pumpWrite(h);
            }
            case ACCEPT -> {
                long r = result < 0 ? result : port.accepted(acceptSocket, handles.fd(h));
                if (r < 0) {
                    closeDescriptorOf(acceptSocket);
                    endRead(h, op, r);
                } else {
                    endRead(h, op, adoptAccepted(acceptSocket));
                }
                pumpRead(h);
            }
            case CONNECT -> {
                handles.setFlags(h, handles.flags(h) & ~H_CONNECTING);
                long r = result < 0 ? result : port.connected(handles.fd(h));
                endWrite(h, op, r < 0 ? r : 0);
                if (r < 0) {
                    closeHandle(h);
                    return;
                }
                pumpRead(h);
                pumpWrite(h);
            }
            default -> throw new IllegalStateException("unexpected completion of " + kind);
        }
    }

    /**
     * The real result of an operation whose cancel came too late, if the kernel finished it: a
     * read's bytes; a receive's chunk (then the receive ends with ECANCELED); a write that sent
     * everything; an accepted connection. Returns false when there is nothing to keep (the caller
     * then completes with ECANCELED and frees what the request held).
     */
    private boolean finishedBeforeCancel(int op, int h, Operation kind, int buffer, long acceptSocket, long result) {
        switch (kind) {
            case READ -> {
                if (result < 0 || (buffer >= 0 && result == 0)) return false;
                if (buffer >= 0) {
                    if (!chunk(op, buffer, result)) pool(ops.pool(op)).putBack(buffer); // no slot to report it
                    endRead(h, op, -Errno.ECANCELED.code()); // the receive ends: it was cancelled
                } else {
                    endRead(h, op, result);
                }
                pumpRead(h);
                return true;
            }
            case WRITE -> {
                long len = ops.segment(op).byteSize();
                if (result < 0 || ops.bytesSent(op) + result != len) return false;
                endWrite(h, op, len);
                pumpWrite(h);
                return true;
            }
            case ACCEPT -> {
                if (result < 0 || port.accepted(acceptSocket, handles.fd(h)) < 0) return false;
                endRead(h, op, adoptAccepted(acceptSocket));
                pumpRead(h);
                return true;
            }
            default -> {
                return false; // a connect is cancelled only by closing its handle
            }
        }
    }

    /** One WSARecv of a multishot receive came back: a chunk for the user, then the next WSARecv. */
    private void received(int op, int h, int buffer, long result) {
        BufferPool pool = pool(ops.pool(op));
        if (result <= 0) {
            pool.putBack(buffer);
            endRead(h, op, result); // 0 at end of stream, or the error: the receive ends
        } else if (!chunk(op, buffer, result)) {
            pool.putBack(buffer); // no slot left to report the chunk
            endRead(h, op, -Errno.ENOBUFS.code());
        } else if (startReceive(op, h)) {
            return;
        }
        pumpRead(h);
    }

    private void unqueue(Operation kind, int h, int op) {
        if (kind == Operation.READ || kind == Operation.ACCEPT) {
            if (handles.readHead(h) == op) pollReadQueue(h);
        } else if (handles.writeHead(h) == op) {
            pollWriteQueue(h);
        }
    }

    private void pump(Operation kind, int h) {
        if (kind == Operation.READ || kind == Operation.ACCEPT) {
            pumpRead(h);
        } else {
            pumpWrite(h);
        }
    }

    // ---- wake-ups and shutdown ----------------------------------------------------------------

    @Override
    protected void wakeKernel() {
        synchronized (wakeLock) {
            if (!portClosed) port.post(WAKE_KEY);
        }
    }

    /** Every handle is closed (so every request cancelled): waits for the kernel to give each back. */
    @Override
    protected void drainKernel() {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        while (kernelOwned > 0 && System.nanoTime() - deadline < 0) {
            waitForEvents(100);
        }
        drainTimedOut = kernelOwned > 0;
    }

    /** Requests whose completion entry has not arrived yet (for tests and diagnostics). */
    int kernelOwned() {
        return kernelOwned;
    }

    @Override
    protected void closeBackend() {
        synchronized (wakeLock) {
            portClosed = true;
            port.close();
        }
        // If requests are still out (the drain timed out), the kernel may yet write their
        // OVERLAPPED blocks: leaking the memory is the only safe choice.
        if (!drainTimedOut) arena.close();
    }
}
