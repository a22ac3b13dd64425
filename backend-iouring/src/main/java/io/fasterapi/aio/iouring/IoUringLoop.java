package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.BufferPool;
import io.fasterapi.aio.core.Handles;
import io.fasterapi.aio.unix.EventFd;
import io.fasterapi.aio.unix.NativeLibc;
import io.fasterapi.aio.unix.Posix;
import io.fasterapi.aio.unix.PosixLoop;
import io.fasterapi.aio.unix.SockAddr;
import io.fasterapi.aio.unix.SocketConstants;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;

/**
 * A loop on io_uring: every operation is an SQE, every submission of a turn goes to the kernel in
 * the one {@code io_uring_enter} that also waits. Per handle, only the head of each queue is in
 * the kernel (one recv, one send), which keeps completions in submission order and lets a partial
 * send continue before the next one starts.
 *
 * <p>User data is the operation's id (slot and generation) for user operations, so a completion
 * for a recycled slot can never reach the wrong handler; internal requests (wake-up read, cancels,
 * multishot accept) carry bit 63 and a tag.
 */
final class IoUringLoop extends PosixLoop {
    private static final int IN_KERNEL = 1;
    private static final int CANCELLED = 2;
    /** Cancelled because its handle closed: the completion is ECANCELED whatever the kernel did. */
    private static final int CLOSING = 4;
    private static final int H_ACCEPT_ARMED = 1;
    private static final int H_CONNECTING = 2;
    /** A cancel of the multishot accept is on its way (sent once). */
    private static final int H_ACCEPT_STOPPING = 4;
    private static final int ACCEPT_BACKLOG_LIMIT = 256;
    /** Room for a sockaddr_in6 (28 bytes), aligned. */
    private static final long ADDRESS_SLOT = 32;
    private static final long DRAIN_TIMEOUT_NANOS = 5_000_000_000L;

    private final MemorySegment state;
    private final MemorySegment wakeState;
    private final Ring ring;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final MemorySegment wakeBuffer;
    private final MemorySegment wakeValue;
    private final MemorySegment getEventsArg;
    private final MemorySegment timespec;
    /** The provided buffer ring of each buffer pool, by pool index. */
    private BufferRing[] bufferRings = new BufferRing[4];
    /** One socket address per SQE slot, for CONNECTs; the kernel copies it when it takes the SQE. */
    private final MemorySegment connectAddresses;
    private final int eventfd;
    private final Object wakeLock = new Object();
    private boolean wakeClosed;
    private boolean enabled;
    private boolean draining;
    private boolean multishotAccept = true;
    private final long[] waiting = new long[16];
    /** Descriptors closed by the user while an SQE naming them was still unsubmitted. */
    private int[] deferredCloses = new int[16];
    private int deferredCount;
    /** Requests submitted whose last completion has not arrived yet. */
    /** Connections the multishot accept took before anyone asked for them, per listener slot. */
    private final Map<Integer, ArrayDeque<Integer>> acceptBacklog = new HashMap<>();

    IoUringLoop(AsyncIoConfig config) {
        this(config, Ring.FLAG_PREFERENCES);
    }

    /** With the setup flag sets to try, best first (tests force fallbacks through this). */
    IoUringLoop(AsyncIoConfig config, int[] flagPreferences) {
        super(IoUringProvider.NAME, config, SocketConstants.LINUX);
        this.state = callState;
        this.wakeState = arena.allocate(NativeLibc.callStateLayout());
        this.wakeBuffer = arena.allocate(ValueLayout.JAVA_LONG);
        this.wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.getEventsArg = arena.allocate(GETEVENTS_ARG);
        this.timespec = arena.allocate(TIMESPEC);
        getEventsArg.set(ValueLayout.JAVA_LONG, GA_TS, timespec.address());
        int entries = Math.min(config.queueDepth(), 32768);
        // Multishot accept and completions of a whole turn can outnumber submissions: 4x room.
        int cqEntries = Math.max(entries * 4, 1024);
        try {
            this.ring = Ring.open(state, arena, entries, cqEntries, flagPreferences);
        } catch (RuntimeException e) {
            arena.close();
            abandon();
            throw e;
        }
        this.sq = ring.sq;
        sq.whenFull(this::submitFull);
        this.cq = ring.cq;
        this.connectAddresses = arena.allocate(ADDRESS_SLOT * sq.entries(), 8);
        int ev = EventFd.create(state, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        if (ev < 0) {
            ring.close();
            arena.close();
            abandon();
            throw new AsyncIoException("eventfd failed", -ev);
        }
        this.eventfd = ev;
        this.enabled = !ring.setupFlag(IORING_SETUP_R_DISABLED);
        armWakeRead();
    }

    /** The setup flags the kernel accepted, for diagnostics. */
    String setupDescription() {
        return ring.describeFlags();
    }

    @Override
    protected void loopThreadBound() {
        if (!enabled) {
            // SINGLE_ISSUER binds the ring to the thread that enables it: the loop thread.
            int r = ring.enable();
            if (r < 0) throw new AsyncIoException("io_uring_register(ENABLE_RINGS)", -r);
            enabled = true;
        }
    }

    // ---- sockets ------------------------------------------------------------------------------

    @Override
    protected int register(int h) {
        return 0; // io_uring needs no registration: requests name the descriptor
    }

    @Override
    protected void startConnect(int op, int h, InetSocketAddress remote) {
        long offset = ADDRESS_SLOT * sq.nextIndex(); // the SQE's own slot: reused only after the kernel took it
        int len = SockAddr.encode(remote, sc, connectAddresses.asSlice(offset, ADDRESS_SLOT));
        handles.setFlags(h, H_CONNECTING);
        sq.connect((int) handles.fd(h), connectAddresses.address() + offset, len, ops.id(op));
        inKernel(op);
    }

    @Override
    protected void submit(int op, int h) {
        switch (ops.kind(op)) {
            case ACCEPT -> serveAccepts(h);
            case READ -> {
                if (handles.readHead(h) == op && (handles.flags(h) & H_CONNECTING) == 0) startRead(op, h);
            }
            case WRITE -> {
                if (handles.writeHead(h) == op) startWrite(op, h);
            }
            default -> throw new IllegalStateException("unexpected " + ops.kind(op));
        }
    }

    private void startRead(int op, int h) {
        if (ops.pool(op) >= 0) {
            sq.recvMultishot((int) handles.fd(h), ops.pool(op), ops.id(op));
            inKernel(op);
            return;
        }
        long len = ops.segment(op).byteSize();
        if (len == 0) {
            pollReadQueue(h);
            complete(op, 0);
            int next = handles.readHead(h);
            if (next >= 0) startRead(next, h);
            return;
        }
        sq.recv((int) handles.fd(h), ops.segment(op).address(), (int) Math.min(len, Integer.MAX_VALUE), ops.id(op));
        inKernel(op);
    }

    private void startWrite(int op, int h) {
        long len = ops.segment(op).byteSize();
        long done = ops.bytesSent(op);
        if (done == len) { // zero-length write
            pollWriteQueue(h);
            complete(op, len);
            int next = handles.writeHead(h);
            if (next >= 0) startWrite(next, h);
            return;
        }
        sq.send((int) handles.fd(h), ops.segment(op).address() + done, (int) Math.min(len - done, Integer.MAX_VALUE),
                sc.msgNosignal(), ops.id(op));
        inKernel(op);
    }

    /** Hands accepted connections to queued accepts; arms the multishot accept when more are wanted. */
    private void serveAccepts(int h) {
        ArrayDeque<Integer> backlog = acceptBacklog.get(h);
        while (backlog != null && !backlog.isEmpty() && handles.readHead(h) >= 0) {
            int op = pollReadQueue(h);
            complete(op, adoptAccepted(backlog.poll()));
        }
        if (handles.readHead(h) >= 0 && (handles.flags(h) & H_ACCEPT_ARMED) == 0) {
            sq.accept((int) handles.fd(h), sc.sockNonblock() | sc.sockCloexec(), multishotAccept, acceptTag(h));
            handles.setFlags(h, handles.flags(h) | H_ACCEPT_ARMED);
        }
    }

    private long acceptTag(int h) {
        return UserData.accept(handleId(h));
    }

    @Override
    protected boolean cancelInKernel(int op, boolean handleClosing) {
        int s = ops.backendState(op);
        if ((s & IN_KERNEL) == 0) return false; // queued behind another: the core completes it
        if ((s & CANCELLED) == 0) {
            sq.cancel(ops.id(op), UserData.CANCEL);
        }
        ops.setBackendState(op, s | CANCELLED | (handleClosing ? CLOSING : 0));
        return true;
    }

    @Override
    protected void closeDescriptor(int h) {
        if (handles.kind(h) == Handles.KIND_LISTENER) {
            if ((handles.flags(h) & H_ACCEPT_ARMED) != 0) {
                sq.cancel(acceptTag(h), UserData.CANCEL);
            }
            ArrayDeque<Integer> backlog = acceptBacklog.remove(h);
            if (backlog != null) backlog.forEach(this::closeDescriptorOf);
        }
        closeAfterSubmission((int) handles.fd(h));
    }

    /**
     * Closes {@code fd} once no SQE that names it is still waiting in the submission queue. The
     * kernel takes its own reference to the socket when it takes an SQE, so after submission the
     * number can be freed; before it, closing would let a new socket (of this loop or another
     * thread's) reuse the number and receive the queued request — a connect, send or recv on the
     * wrong socket.
     */
    private void closeAfterSubmission(int fd) {
        if (sq.unsubmitted() == 0) {
            closeDescriptorOf(fd);
            return;
        }
        if (deferredCount == deferredCloses.length) deferredCloses = Arrays.copyOf(deferredCloses, deferredCount * 2);
        deferredCloses[deferredCount++] = fd;
    }

    /** After a submission: closes the descriptors that waited for it, if the kernel took every SQE. */
    private void closeDeferred(boolean evenIfUnsubmitted) {
        if (deferredCount == 0 || (!evenIfUnsubmitted && sq.unsubmitted() != 0)) return;
        for (int i = 0; i < deferredCount; i++) {
            closeDescriptorOf(deferredCloses[i]);
        }
        deferredCount = 0;
    }

    @Override
    protected void poolCreated(BufferPool pool) {
        if (pool.index() >= bufferRings.length) bufferRings = java.util.Arrays.copyOf(bufferRings, 2 * pool.index() + 1);
        bufferRings[pool.index()] = new BufferRing(pool, arena, state, ring.fd);
    }

    @Override
    protected void bufferReleased(BufferPool pool, int bufferId) {
        bufferRings[pool.index()].release(bufferId);
        // Receives the kernel ended with ENOBUFS: re-arm those waiting now, once each.
        for (int left = pool.waitingCount(); left > 0; ) {
            int n = pool.takeWaiting(waiting, left);
            left -= n;
            for (int i = 0; i < n; i++) {
                int op = ops.slotOf(waiting[i]);
                if (op < 0 || !ops.isPending(op) || (ops.backendState(op) & IN_KERNEL) != 0) continue;
                int h = handleIndex(ops.handleIdOf(op));
                if (h >= 0 && handles.readHead(h) == op) startRead(op, h);
            }
        }
    }

    // ---- submission and completion ------------------------------------------------------------

    private void inKernel(int op) {
        ops.setBackendState(op, IN_KERNEL);
    }

    private void armWakeRead() {
        sq.read(eventfd, wakeBuffer.address(), 8, UserData.WAKE);
    }

    /** The submission queue's action when it is full: submit what is queued, flush the CQ overflow if still full. */
    private void submitFull() {
        submitNow();
        if (sq.isFull()) ring.enter(state, 0, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0); // flush overflow
    }

    /** Submits queued SQEs without waiting (the ring is full). */
    private void submitNow() {
        if (!enabled) {
            throw new AsyncIoException("io_uring: more than " + sq.entries()
                    + " submissions before the loop's first poll() (raise AsyncIoConfig.queueDepth)", Errno.ENOBUFS.code());
        }
        sq.publish();
        int r = ring.enter(state, sq.unsubmitted(), 0, 0, MemorySegment.NULL, 0);
        if (r < 0) counters.error();
        closeDeferred(false);
    }

    @Override
    protected void waitForEvents(long timeoutMillis) {
        sq.publish();
        int toSubmit = sq.unsubmitted();
        int min = timeoutMillis == 0 || cq.ready() > 0 ? 0 : 1;
        int flags = IORING_ENTER_GETEVENTS;
        MemorySegment arg = MemorySegment.NULL;
        long argSize = 0;
        if (min == 1 && timeoutMillis > 0) {
            timespec.set(ValueLayout.JAVA_LONG, TS_SEC, timeoutMillis / 1000);
            timespec.set(ValueLayout.JAVA_LONG, TS_NSEC, (timeoutMillis % 1000) * 1_000_000L);
            flags |= IORING_ENTER_EXT_ARG;
            arg = getEventsArg;
            argSize = GETEVENTS_ARG.byteSize();
        }
        int r = ring.enter(state, toSubmit, min, flags, arg, argSize);
        closeDeferred(false);
        if (r < 0 && r != -Errno.ETIME.code() /* the wait timed out */ && r != -sc.eintr() && r != -Errno.EBUSY.code()
                && r != -sc.eagain()) {
            counters.error();
        }
        int n = reap();
        if ((sq.flags() & IORING_SQ_CQ_OVERFLOW) != 0) {
            // Completions waiting in the kernel's overflow list (NODROP): flush them into the ring.
            ring.enter(state, 0, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
            n += reap();
        }
        counters.events(n);
    }

    /** Consumes every posted CQE; returns how many. */
    private int reap() {
        int n = 0;
        int head = cq.head();
        int tail = cq.tail();
        while (head != tail) {
            for (; head != tail; ) {
                long ud = cq.userData(head);
                int res = cq.res(head);
                int fl = cq.flags(head);
                // Free the slot before acting on it: a dispatch that submits (and so may flush the
                // kernel's overflow list into the CQ) must find room.
                cq.advanceTo(++head);
                n++;
                if ((fl & IORING_CQE_F_MORE) == 0) sq.finished(); // its request's last completion
                if (UserData.isInternal(ud)) {
                    internal(ud, res);
                } else if (UserData.isAccept(ud)) {
                    boolean more = (fl & IORING_CQE_F_MORE) != 0;
                    accepted(handleIndex(ud), res, more);
                } else {
                    completed(ud, res, fl);
                }
            }
            tail = cq.tail();
        }
        return n;
    }

    private void internal(long ud, int res) {
        if (ud == UserData.WAKE) {
            if (res != -Errno.ECANCELED.code()) wakeupReceived();
            if (!draining) armWakeRead();
        }
        // UserData.CANCEL: ENOENT or EALREADY when the target finished first; nothing to do either way

    }

    /** A multishot accept's completion for listener slot {@code h} (-1: it closed since). */
    private void accepted(int h, int res, boolean more) {
        if (h < 0) { // the listener closed while the accept was in flight
            if (res >= 0) closeDescriptorOf(res);
            return;
        }
        if (!more) handles.setFlags(h, handles.flags(h) & ~(H_ACCEPT_ARMED | H_ACCEPT_STOPPING));
        if (res >= 0) {
            if (handles.readHead(h) >= 0) {
                int op = pollReadQueue(h);
                complete(op, adoptAccepted(res));
            } else {
                ArrayDeque<Integer> backlog = acceptBacklog.computeIfAbsent(h, k -> new ArrayDeque<>());
                backlog.add(res);
                if (backlog.size() >= ACCEPT_BACKLOG_LIMIT && more && (handles.flags(h) & H_ACCEPT_STOPPING) == 0) {
                    sq.cancel(acceptTag(h), UserData.CANCEL);
                    handles.setFlags(h, handles.flags(h) | H_ACCEPT_STOPPING);
                }
            }
        } else if (res == -Errno.EINVAL.code() && multishotAccept) {
            multishotAccept = false; // a kernel before 5.19: one accept request per connection
        } else if (res != -Errno.ECANCELED.code() && handles.readHead(h) >= 0) {
            int op = pollReadQueue(h);
            complete(op, res);
        }
        if (!more && handles.readHead(h) >= 0) serveAccepts(h);
    }

    private void completed(long ud, int res, int flags) {
        int op = ops.slotOf(ud);
        if (op < 0) return; // cannot happen: a slot stays taken while the kernel owns its request
        if (ops.pool(op) >= 0) {
            received(op, res, flags);
            return;
        }
        int s = ops.backendState(op);
        ops.setBackendState(op, 0);
        int h = handleIndex(ops.handleIdOf(op));
        Operation kind = ops.kind(op);
        if ((s & CANCELLED) != 0) {
            if (h >= 0) unqueue(kind, h, op);
            completeWithFollowers(op, (s & CLOSING) != 0 || h < 0 ? -Errno.ECANCELED.code() : cancelledResult(op, kind, res));
            if (h >= 0) startNext(kind, h);
            return;
        }
        if (h < 0) { // closed while in flight, without a cancel (cannot happen; be safe)
            completeWithFollowers(op, -Errno.ECANCELED.code());
            return;
        }
        switch (kind) {
            case READ -> {
                pollReadQueue(h);
                complete(op, res);
                startNext(kind, h);
            }
            case WRITE -> {
                long len = ops.segment(op).byteSize();
                if (res > 0 && ops.bytesSent(op) + res < len) {
                    ops.setBytesSent(op, ops.bytesSent(op) + res);
                    startWrite(op, h); // the rest of a partial send, before any later write
                    return;
                }
                pollWriteQueue(h);
                complete(op, res > 0 ? len : res == 0 ? -Errno.EPIPE.code() : res);
                startNext(kind, h);
            }
            case CONNECT -> {
                pollWriteQueue(h);
                handles.setFlags(h, handles.flags(h) & ~H_CONNECTING);
                if (res < 0) {
                    complete(op, res);
                    closeHandle(h);
                    return;
                }
                complete(op, 0);
                int read = handles.readHead(h);
                if (read >= 0) startRead(read, h);
                startNext(Operation.WRITE, h);
            }
            default -> throw new IllegalStateException("unexpected completion of " + kind);
        }
    }

    /**
     * The result of an operation cancel() raced with: the kernel may have finished it before the
     * cancel reached it. A read that received bytes reports them (they left the socket: dropping
     * them would lose data); a write reports success only if it sent everything; else ECANCELED.
     */
    private long cancelledResult(int op, Operation kind, int res) {
        return switch (kind) {
            case READ -> res >= 0 ? res : -Errno.ECANCELED.code();
            case WRITE -> res >= 0 && ops.bytesSent(op) + res == ops.segment(op).byteSize()
                    ? ops.segment(op).byteSize() : -Errno.ECANCELED.code();
            case CONNECT -> res == 0 ? 0 : -Errno.ECANCELED.code();
            default -> -Errno.ECANCELED.code();
        };
    }

    /** A completion of a multishot receive: a chunk (MORE set), or its end. */
    private void received(int op, int res, int flags) {
        BufferPool pool = pool(ops.pool(op));
        if (res > 0 && (flags & IORING_CQE_F_BUFFER) != 0) {
            int b = flags >>> IORING_CQE_BUFFER_SHIFT;
            if (!chunk(op, b, res)) {
                bufferRings[pool.index()].release(b); // no slot to report it: drop, end the receive
                cancelInKernel(op, false);
            }
        }
        if ((flags & IORING_CQE_F_MORE) != 0) return;
        int s = ops.backendState(op);
        ops.setBackendState(op, 0);
        int h = handleIndex(ops.handleIdOf(op));
        if ((s & CANCELLED) != 0 || h < 0) {
            if (h >= 0) unqueue(Operation.READ, h, op);
            completeWithFollowers(op, -Errno.ECANCELED.code());
            if (h >= 0) startNext(Operation.READ, h);
        } else if (res > 0) {
            startRead(op, h); // ended after data (for example the CQ was full): go on receiving
        } else if (res == -Errno.ENOBUFS.code()) {
            pausedForBuffers(op); // the user holds every buffer: resumes on a release
        } else {
            pollReadQueue(h);
            complete(op, res); // 0 at end of stream, -ENOBUFS when the user holds every buffer
            startNext(Operation.READ, h);
        }
    }

    private void unqueue(Operation kind, int h, int op) {
        if (kind == Operation.READ) {
            if (handles.readHead(h) == op) pollReadQueue(h);
        } else if (handles.writeHead(h) == op) {
            pollWriteQueue(h);
        }
    }

    private void startNext(Operation kind, int h) {
        if (kind == Operation.READ) {
            int next = handles.readHead(h);
            if (next >= 0 && (ops.backendState(next) & IN_KERNEL) == 0) startRead(next, h);
        } else {
            int next = handles.writeHead(h);
            if (next >= 0 && (ops.backendState(next) & IN_KERNEL) == 0) startWrite(next, h);
        }
    }

    // ---- wake-ups and shutdown ----------------------------------------------------------------

    @Override
    protected void wakeKernel() {
        synchronized (wakeLock) {
            if (!wakeClosed) Posix.write(wakeState, eventfd, wakeValue, 8);
        }
    }

    /** Cancels what is left in the kernel and waits for every request to come back. */
    @Override
    protected void drainKernel() {
        if (!enabled) { // nothing was ever submitted, and nothing queued ever will be
            closeDeferred(true);
            return;
        }
        draining = true;
        sq.cancel(UserData.WAKE, UserData.CANCEL);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        while (sq.inFlight() > 0 && System.nanoTime() - deadline < 0) {
            waitForEvents(100);
        }
        closeDeferred(true); // the ring closes next: queued SQEs will never run
    }

    @Override
    protected void closeBackend() {
        synchronized (wakeLock) {
            wakeClosed = true;
            Posix.close(state, eventfd);
        }
        ring.close(); // if requests were still out (drain timed out), the kernel cancels them here
        super.closeBackend();
    }
}
