package io.fasterapi.aio.unix.readiness;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.BufferPool;
import io.fasterapi.aio.core.Driver;
import io.fasterapi.aio.core.Handles;
import io.fasterapi.aio.core.LoopContext;
import io.fasterapi.aio.core.Operations;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.unix.DatagramConstants;
import io.fasterapi.aio.unix.MmsgBatch;
import io.fasterapi.aio.unix.MsgHdr;
import io.fasterapi.aio.unix.SockAddr;
import io.fasterapi.aio.unix.Posix;
import io.fasterapi.aio.unix.PosixSockets;
import io.fasterapi.aio.unix.SocketConstants;
import io.fasterapi.aio.unix.ZeroCopyNotices;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The readiness engine shared by epoll and kqueue: turns "the socket is readable/writable" into
 * "your read/write/accept/connect completed".
 *
 * <p>An operation is tried at once when its socket is known ready, and parked on EAGAIN until the
 * poller reports the next edge; each socket is registered once, edge-triggered, for both
 * directions. A read that fills less than its buffer leaves the socket marked not ready (the
 * kernel raises a new edge when more data arrives), which saves the EAGAIN call: an echo round
 * trip costs one wait, one recv and one send.
 */
public final class ReadinessEngine implements Driver {
    private static final int READ_READY = 1;
    private static final int WRITE_READY = 2;
    /** Sticky: the peer's FIN was seen, so a short read no longer means "wait for the next edge". */
    private static final int PEER_CLOSED = 4;
    /** SO_ZEROCOPY is set on the socket. */
    private static final int ZC_ON = 8;
    /** The socket refused SO_ZEROCOPY: its sends copy. */
    private static final int ZC_REFUSED = 16;
    /** Datagram receives were asked on the socket during this turn: they run before the wait. */
    private static final int DEFERRED = 32;
    private static final int ENOBUFS = Errno.ENOBUFS.code();

    /** A receive that waits for a pool buffer. */
    private static final int PAUSED = 1;

    // Results are portable (NativeLibc translates errno), whatever the system numbers them.
    private static final int EAGAIN = Errno.EAGAIN.code();
    private static final int EINTR = Errno.EINTR.code();
    private static final int EINPROGRESS = Errno.EINPROGRESS.code();

    private final LoopContext ctx;
    private final Handles handles;
    private final Operations ops;
    private final Poller poller;
    /** The engine's native memory (the sockets' scratch and errno state); freed last. */
    private final Arena arena = Arena.ofShared();
    private final PosixSockets sockets;
    private final SocketConstants sc;
    private final MemorySegment callState;
    private final IntConsumer resumeReceive = this::resumeReceive;
    /** The header of every gather write's sendmsg: the call copies it, so one serves all. */
    private final MsgHdr gather;
    /** The header of every datagram's sendmsg and recvmsg, with room for the address. */
    private final MsgHdr datagram;
    /** MSG_TRUNC as a receive's input (Linux: return the real length), or 0; and as it shows in msg_flags. */
    private final int truncIn, msgTrunc;
    /** A datagram sender's address bytes on their way into its holder. */
    private final byte[] addressBytes = new byte[16];
    /** recvmmsg's vector where the system has it (Linux), else null; the ops of its last call. */
    private final MmsgBatch batch;
    private final int[] batchOps = new int[MmsgBatch.SIZE];
    /** The pool buffers of a pool datagram receive's last batch. */
    private final int[] batchBuffers = new int[MmsgBatch.SIZE];
    /** Where a pool datagram's sender is decoded before it is copied into its chunk. */
    private final DatagramSender sender = new DatagramSender();
    /** Handle ids with deferred datagram receives (see {@link #submit}). */
    private long[] deferred = new long[16];
    private int deferredCount;
    private int batchSize;
    private long batchCalls, batchDatagrams;

    /** Writes of at least this many bytes go out with MSG_ZEROCOPY; Long.MAX_VALUE: never. */
    private final long zeroCopyThreshold;
    /** The reader of zero-copy notices (null when zero-copy is off). */
    private final ZeroCopyNotices notices;
    /** Per handle slot: zero-copy sends whose notice has not come; the head write completes only at 0. */
    private int[] zeroCopyOut = new int[0];
    /** Zero-copy sends made, and those the kernel's notices covered (loop thread). */
    private long zeroCopySends, zeroCopyNoticed;

    /** An engine over {@code poller}, with the socket calls of the system {@code constants} describe. */
    public ReadinessEngine(LoopContext ctx, Poller poller, SocketConstants constants) {
        this(ctx, poller, constants, Long.MAX_VALUE);
    }

    /**
     * As {@link #ReadinessEngine(LoopContext, Poller, SocketConstants)}, sending writes of at least
     * {@code zeroCopyThreshold} bytes with Linux's MSG_ZEROCOPY (Long.MAX_VALUE: never).
     */
    public ReadinessEngine(LoopContext ctx, Poller poller, SocketConstants constants, long zeroCopyThreshold) {
        this.ctx = ctx;
        this.handles = ctx.handles;
        this.ops = ctx.ops;
        this.poller = poller;
        this.sockets = new PosixSockets(arena, constants);
        this.sc = constants;
        this.callState = sockets.callState();
        this.gather = new MsgHdr(arena, constants);
        this.datagram = new MsgHdr(arena, constants);
        this.msgTrunc = DatagramConstants.msgTrunc(constants);
        this.truncIn = DatagramConstants.realLengthOnTrunc(constants) ? msgTrunc : 0;
        this.batch = constants == SocketConstants.LINUX ? new MmsgBatch(arena) : null;
        this.zeroCopyThreshold = zeroCopyThreshold;
        this.notices = zeroCopyThreshold == Long.MAX_VALUE ? null : new ZeroCopyNotices(arena);
    }

    @Override
    public PosixSockets sockets() {
        return sockets;
    }

    @Override
    public int register(int h) {
        handles.setFlags(h, handles.kind(h) == Handles.KIND_LISTENER ? READ_READY : READ_READY | WRITE_READY);
        return poller.register((int) handles.fd(h), handles.id(h));
    }

    @Override
    public void connect(int op, int h, java.net.SocketAddress remote) {
        int fd = (int) handles.fd(h);
        int r = sockets.connect(fd, remote);
        // Registered only after connect(): an unconnected socket polls as writable+hup, and that
        // stale edge must not be mistaken for the connection's completion.
        int reg = r == 0 || r == -EINPROGRESS ? poller.register(fd, handles.id(h)) : 0;
        if (r == -EINPROGRESS && reg == 0) {
            handles.setFlags(h, 0);
            return;
        }
        ctx.pollWrite(h);
        if (r == 0 && reg == 0) {
            handles.setFlags(h, READ_READY | WRITE_READY);
            ctx.complete(op, 0);
        } else {
            ctx.complete(op, r < 0 ? r : reg);
            ctx.closeHandle(h);
        }
    }

    @Override
    public void submit(int op, int h) {
        if (ops.kind(op) == Operation.WRITE) {
            // Sent at once, datagrams too: deferring sends to batch them costs a ping-pong an extra
            // turn (and wait) per message, more than sendmmsg saves it.
            if (handles.writeHead(h) == op && (handles.flags(h) & WRITE_READY) != 0) drainWrites(h);
        } else if (batch != null && isDatagramReceive(op)) {
            // Datagram receives asked during a turn are tried together before the next wait: one
            // recvmmsg for all the datagrams waiting, instead of a recvmsg per receive.
            defer(h);
        } else if (handles.readHead(h) == op && (handles.flags(h) & READ_READY) != 0) {
            drainReads(h);
        }
    }

    /** Datagram receives were asked on {@code h} this turn: they are run before the wait (once per socket). */
    private void defer(int h) {
        if ((handles.flags(h) & DEFERRED) != 0) return;
        handles.setFlags(h, handles.flags(h) | DEFERRED);
        if (deferredCount == deferred.length) deferred = Arrays.copyOf(deferred, deferredCount * 2);
        deferred[deferredCount++] = handles.id(h);
    }

    /** Runs the datagram receives deferred by {@link #submit}. */
    private void runDeferred() {
        int n = deferredCount;
        deferredCount = 0;
        for (int i = 0; i < n; i++) {
            int h = ctx.handleOf(deferred[i]);
            if (h < 0) continue; // closed since
            handles.setFlags(h, handles.flags(h) & ~DEFERRED);
            if (handles.readHead(h) >= 0 && (handles.flags(h) & READ_READY) != 0) drainReads(h);
        }
    }

    @Override
    public boolean cancel(int op, boolean handleClosing) {
        // Parked operations are ours alone, except a zero-copy write whose bytes are all sent: the
        // kernel still reads its pages (retransmits) until the notices come. It is not cancelled
        // then, and completes with its length when they do, as a write the kernel finished should.
        int h = ops.handle(op);
        return !handleClosing && ops.kind(op) == Operation.WRITE && handles.writeHead(h) == op
                && h < zeroCopyOut.length && zeroCopyOut[h] > 0 && ops.bytesSent(op) == ops.length(op);
    }

    @Override
    public void closeDescriptor(int h) {
        // close() also removes the descriptor from the kernel's interest list (it is never
        // duplicated); the poller only forgets what it has not yet told the kernel.
        poller.beforeClose((int) handles.fd(h));
        if (h < zeroCopyOut.length) zeroCopyOut[h] = 0; // the kernel frees the pages with the socket
        ctx.closeFd(handles.fd(h));
    }

    // ---- the engine ---------------------------------------------------------------------------

    @Override
    public void await(long timeoutNanos) {
        // What the deferred receives completed is delivered at once: do not wait first.
        if (deferredCount > 0) {
            runDeferred();
            if (ctx.hasCompletions()) timeoutNanos = 0;
        }
        int n = poller.select(timeoutNanos);
        if (poller.woken()) ctx.woken();
        ctx.counters.events(n);
        for (int i = 0; i < n; i++) {
            int h = ctx.handleOf(poller.token(i));
            if (h < 0) continue; // closed earlier in this batch
            int ready = poller.readiness(i);
            if (h < zeroCopyOut.length && zeroCopyOut[h] > 0) {
                takeNotices(h); // they come as EPOLLERR, or were merged into one already queued
                // The head write waited for them: finish it now, whatever else this event says.
                if (zeroCopyOut[h] == 0 && handles.writeHead(h) >= 0) drainWrites(h);
                if (ctx.handleOf(poller.token(i)) < 0) continue;
            }
            int flags = handles.flags(h);
            if ((ready & (Poller.WRITABLE | Poller.ERROR)) != 0) {
                handles.setFlags(h, flags |= WRITE_READY);
                if (handles.writeHead(h) >= 0) drainWrites(h);
                if (ctx.handleOf(poller.token(i)) < 0) continue; // a failed connect closed it
            }
            if ((ready & (Poller.READABLE | Poller.ERROR | Poller.READ_CLOSED)) != 0) {
                int closed = (ready & Poller.READ_CLOSED) != 0 ? PEER_CLOSED : 0;
                handles.setFlags(h, handles.flags(h) | READ_READY | closed);
                if (handles.readHead(h) >= 0) drainReads(h);
            }
        }
    }

    /** Runs the read queue (accepts or reads) of {@code h} until it is empty or the socket runs dry. */
    private void drainReads(int h) {
        int fd = (int) handles.fd(h);
        int op;
        while ((op = handles.readHead(h)) >= 0) {
            if (ops.kind(op) == Operation.ACCEPT) {
                int r = sockets.accept(fd);
                if (r == -EAGAIN) {
                    notReady(h, READ_READY);
                    return;
                }
                if (r == -EINTR) continue;
                ctx.pollRead(h);
                ctx.complete(op, r >= 0 ? ctx.adopt(r) : r);
            } else if (ops.pool(op) >= 0) {
                if (!receive(h, fd, op)) return;
            } else if (ops.isDatagram(op)) {
                if (batch != null && ops.pool(op) < 0 && isDatagramReceive(ops.nextInQueue(op))) {
                    // Several receives wait: one recvmmsg for them (Linux).
                    int k = receiveBatch(h, fd, op);
                    if (k == -EINTR) continue;
                    if (k == -EAGAIN || k >= 0 && k < batchSize) { // fewer than asked: the socket ran dry
                        notReady(h, READ_READY);
                        return;
                    }
                    if (k < 0) {
                        ctx.pollRead(h);
                        ctx.complete(op, k);
                    }
                    continue;
                }
                long r = receiveDatagram(fd, op);
                if (r == -EAGAIN) {
                    notReady(h, READ_READY);
                    return;
                }
                if (r == -EINTR) continue;
                ctx.pollRead(h);
                ctx.complete(op, r); // more datagrams may wait, whatever this one's size: read on until EAGAIN
            } else {
                MemorySegment buf = ops.segment(op);
                long len = buf.byteSize();
                long r = len == 0 ? 0 : Posix.recv(callState, fd, buf, len, 0);
                if (r == -EAGAIN) {
                    notReady(h, READ_READY);
                    return;
                }
                if (r == -EINTR) continue;
                ctx.pollRead(h);
                ctx.complete(op, r);
                if (r > 0 && r < len) {
                    drained(h);
                    if ((handles.flags(h) & READ_READY) == 0) return;
                }
            }
        }
    }

    /**
     * A multishot receive: reads chunks into pool buffers while data is there. Returns false when
     * the socket ran dry (the receive stays queued), true when the receive ended.
     */
    private boolean receive(int h, int fd, int op) {
        if (ops.isDatagram(op)) return receiveDatagrams(h, fd, op);
        BufferPool pool = ctx.pool(ops.pool(op));
        while (true) {
            int b = pool.take();
            if (b < 0) {
                pause(pool, op);
                return false;
            }
            ops.setEngineFlags(op, 0);
            long r = Posix.recv(callState, fd, pool.buffer(b), pool.bufferSize(), 0);
            if (r > 0) {
                if (!ctx.chunk(op, b, r)) {
                    pool.putBack(b);
                    ctx.pollRead(h);
                    ctx.complete(op, -Errno.ENOBUFS.code());
                    return true;
                }
                if (r < pool.bufferSize()) {
                    drained(h);
                    if ((handles.flags(h) & READ_READY) == 0) return false;
                }
                continue;
            }
            pool.putBack(b);
            if (r == -EAGAIN) {
                notReady(h, READ_READY);
                return false;
            }
            if (r == -EINTR) continue;
            ctx.pollRead(h);
            ctx.complete(op, r); // 0 at end of stream, or the error
            return true;
        }
    }

    /** The user holds every buffer of {@code pool}: receive {@code op} pauses (told once) until one is released. */
    private void pause(BufferPool pool, int op) {
        if ((ops.engineFlags(op) & PAUSED) == 0) {
            ops.setEngineFlags(op, PAUSED);
            ctx.paused(op);
        } else {
            pool.addWaiting(ops.id(op)); // still waiting: stay on the list
        }
    }

    /**
     * A multishot datagram receive: datagrams into pool buffers (from
     * {@link AsyncIo#POOL_DATAGRAM_OFFSET}, as on every backend) until the socket runs dry; on
     * Linux one recvmmsg for up to {@link MmsgBatch#SIZE} of them. Returns as {@link #receive}.
     */
    private boolean receiveDatagrams(int h, int fd, int op) {
        BufferPool pool = ctx.pool(ops.pool(op));
        int at = AsyncIo.POOL_DATAGRAM_OFFSET;
        int room = pool.bufferSize() - at;
        boolean named = ops.sender(op) != null;
        int max = batch != null ? MmsgBatch.SIZE : 1;
        while (true) {
            int n = 0;
            for (int b; n < max && (b = pool.take()) >= 0; ) batchBuffers[n++] = b;
            if (n == 0) {
                pause(pool, op);
                return false;
            }
            ops.setEngineFlags(op, 0);
            int k;
            long single = 0;
            if (batch != null) {
                for (int i = 0; i < n; i++) batch.set(i, pool.address(batchBuffers[i]) + at, room, named);
                k = Posix.recvmmsg(callState, fd, batch.vector(), n, truncIn);
                batchCalls++;
                if (k == 0) k = -EAGAIN;
            } else {
                single = receiveOne(fd, pool.address(batchBuffers[0]) + at, room, named ? sender : null);
                k = single < 0 ? (int) single : 1;
            }
            if (k < 0) {
                putBack(pool, 0, n);
                if (k == -EAGAIN) {
                    notReady(h, READ_READY);
                    return false;
                }
                if (k == -EINTR) continue;
                ctx.pollRead(h);
                ctx.complete(op, k);
                return true;
            }
            for (int i = 0; i < k; i++) {
                long length = batch != null ? batch.length(i) : single;
                int cut = 0;
                if (wasCut(length, room, batch != null ? batch.flags(i) : datagram.flags())) {
                    length = Math.min(length, room);
                    cut = IoEvent.TRUNCATED;
                }
                if (named && batch != null && !SockAddr.decodeInto(batch.name(i), sc, sender, addressBytes)) sender.clear();
                if (!ctx.datagram(op, batchBuffers[i], length, cut, named ? sender : null)) {
                    putBack(pool, i, n); // no slot to report it: the receive ends with ENOBUFS
                    ctx.pollRead(h);
                    ctx.complete(op, -ENOBUFS);
                    return true;
                }
            }
            if (batch != null) batchDatagrams += k;
            putBack(pool, k, n);
            if (k < n) { // fewer than asked: the socket ran dry
                notReady(h, READ_READY);
                return false;
            }
        }
    }

    /** Gives back the buffers taken for a batch from {@code from} to {@code to}, so the next take finds them in order. */
    private void putBack(BufferPool pool, int from, int to) {
        for (int i = to - 1; i >= from; i--) pool.putBack(batchBuffers[i]);
    }

    @Override
    public void bufferReleased(BufferPool pool, int bufferId) {
        pool.putBack(bufferId);
        ctx.resumeWaiting(pool, resumeReceive);
    }

    private void resumeReceive(int op) {
        int h = ops.handle(op);
        if ((handles.flags(h) & READ_READY) != 0) drainReads(h);
    }

    /** Runs the write queue (a connect, then writes) of {@code h} until empty or the socket is full. */
    private void drainWrites(int h) {
        int fd = (int) handles.fd(h);
        int op;
        while ((op = handles.writeHead(h)) >= 0) {
            if (ops.kind(op) == Operation.CONNECT) {
                int err = sockets.socketError(fd);
                ctx.pollWrite(h);
                if (err == 0) {
                    handles.setFlags(h, READ_READY | WRITE_READY);
                    ctx.complete(op, 0);
                    continue;
                }
                ctx.complete(op, err > 0 ? -err : err);
                ctx.closeHandle(h);
                return;
            }
            MemorySegment buf = ops.segment(op);
            if (ops.isDatagram(op)) {
                long r = sendDatagram(fd, op);
                if (r == -EAGAIN) {
                    notReady(h, WRITE_READY);
                    return;
                }
                if (r == -EINTR) continue;
                ctx.pollWrite(h);
                ctx.complete(op, r); // a datagram leaves whole or not at all
                continue;
            }
            long len = ops.length(op);
            long done = ops.bytesSent(op);
            if (done == len) {
                // Sent, but the kernel may still read the buffer: wait for its notices (EPOLLERR).
                if (h < zeroCopyOut.length && zeroCopyOut[h] > 0) return;
                ctx.pollWrite(h);
                ctx.complete(op, len);
                continue;
            }
            long tried = buf != null ? len - done : gather.describe(ops.gather(op), done); // at most 64 buffers at a time
            boolean zeroCopy = tried >= zeroCopyThreshold && zeroCopyOn(h, fd);
            long r = send(fd, buf, done, tried, zeroCopy);
            if (r == -ENOBUFS && zeroCopy) r = send(fd, buf, done, tried, false); // no pages pinned (optmem_max): copy
            else if (r > 0 && zeroCopy) {
                zeroCopyOut[h]++;
                zeroCopySends++;
            }
            if (r == -EAGAIN) {
                notReady(h, WRITE_READY);
                return;
            }
            if (r == -EINTR) continue;
            if (r < 0) {
                ctx.pollWrite(h);
                ctx.complete(op, r);
                continue;
            }
            ops.setBytesSent(op, done + r);
            if (r < tried) {
                notReady(h, WRITE_READY); // the socket buffer is full; EPOLLOUT/EVFILT_WRITE resumes it
                return;
            }
        }
    }

    /**
     * recvmsg of one datagram into receive {@code op}'s buffer, its sender into the op's holder (if
     * any). Returns the bytes kept, or a negated errno; a datagram longer than the buffer is cut to
     * it, and the op gets {@link IoEvent#TRUNCATED}.
     */
    private long receiveDatagram(int fd, int op) {
        MemorySegment buf = ops.segment(op);
        long len = buf.byteSize();
        long r = receiveOne(fd, buf.address(), len, ops.sender(op));
        if (r < 0) return r;
        if (wasCut(r, len, datagram.flags())) {
            ops.addResultFlags(op, IoEvent.TRUNCATED);
            r = Math.min(r, len);
        }
        return r;
    }

    /**
     * recvmsg of one datagram into {@code len} bytes at {@code address}, its sender into
     * {@code from} (null: not wanted); {@code msg_flags} stay in {@link #datagram}. Returns its
     * length (on Linux the real one, which may exceed {@code len}), or a negated errno.
     */
    private long receiveOne(int fd, long address, long len, DatagramSender from) {
        datagram.describeOne(address, len);
        if (from != null) datagram.receiveName();
        long r = Posix.recvmsg(callState, fd, datagram.header(), truncIn);
        if (r >= 0 && from != null && !SockAddr.decodeInto(datagram.name(), sc, from, addressBytes)) from.clear();
        return r;
    }

    /** Whether a datagram of reported length {@code r} with {@code msgFlags} was cut to {@code room}. */
    private boolean wasCut(long r, long room, int msgFlags) {
        return r > room || (msgFlags & msgTrunc) != 0;
    }

    private boolean isDatagramReceive(int op) {
        return op >= 0 && ops.kind(op) == Operation.READ && ops.isDatagram(op) && ops.pool(op) < 0;
    }

    /**
     * recvmmsg for the datagram receives at the head of {@code h}'s read queue (up to
     * {@link MmsgBatch#SIZE}, starting with {@code first}); completes those that got a datagram, in
     * order. Returns how many did, or a negated errno (none did). {@link #batchSize} says how many
     * were asked: fewer received means the socket ran dry.
     */
    private int receiveBatch(int h, int fd, int first) {
        int n = 0;
        for (int op = first; n < MmsgBatch.SIZE && isDatagramReceive(op); op = ops.nextInQueue(op)) {
            MemorySegment buf = ops.segment(op);
            batch.set(n, buf.address(), buf.byteSize(), ops.sender(op) != null);
            batchOps[n++] = op;
        }
        batchSize = n;
        int k = Posix.recvmmsg(callState, fd, batch.vector(), n, truncIn);
        batchCalls++;
        if (k <= 0) return k == 0 ? -EAGAIN : k;
        for (int i = 0; i < k; i++) {
            int op = batchOps[i];
            long len = ops.segment(op).byteSize();
            long r = batch.length(i);
            if (wasCut(r, len, batch.flags(i))) {
                ops.addResultFlags(op, IoEvent.TRUNCATED);
                r = Math.min(r, len);
            }
            DatagramSender from = ops.sender(op);
            if (from != null && !SockAddr.decodeInto(batch.name(i), sc, from, addressBytes)) from.clear();
            ctx.pollRead(h);
            ctx.complete(op, r);
        }
        batchDatagrams += k;
        return k;
    }

    /** recvmmsg calls and the datagrams they brought (loop thread; for tests and benchmarks). */
    public long[] datagramBatches() {
        return new long[] {batchCalls, batchDatagrams};
    }

    /** sendmsg of datagram {@code op}: to its target, or to the connected peer. */
    private long sendDatagram(int fd, int op) {
        MemorySegment buf = ops.segment(op);
        datagram.describeOne(buf.address(), buf.byteSize());
        InetSocketAddress target = ops.target(op);
        if (target != null) datagram.sendName(SockAddr.encode(target, sc, datagram.name()));
        return Posix.sendmsg(callState, fd, datagram.header(), sc.msgNosignal());
    }

    /** One send of what is left: the rest of {@code buf}, or the {@link #gather} header described already. */
    private long send(int fd, MemorySegment buf, long done, long tried, boolean zeroCopy) {
        int flags = sc.msgNosignal() | (zeroCopy ? ZeroCopyNotices.MSG_ZEROCOPY : 0);
        return buf != null ? Posix.send(callState, fd, done == 0 ? buf : buf.asSlice(done), tried, flags)
                : Posix.sendmsg(callState, fd, gather.header(), flags);
    }

    /** Whether {@code h}'s socket takes MSG_ZEROCOPY: SO_ZEROCOPY set at its first large write, once. */
    private boolean zeroCopyOn(int h, int fd) {
        int f = handles.flags(h);
        if ((f & (ZC_ON | ZC_REFUSED)) == 0) {
            boolean on = sockets.setZeroCopy(fd);
            handles.setFlags(h, f | (on ? ZC_ON : ZC_REFUSED));
            if (on && h >= zeroCopyOut.length) zeroCopyOut = Arrays.copyOf(zeroCopyOut, Math.max(h + 1, zeroCopyOut.length * 2));
            return on;
        }
        return (f & ZC_ON) != 0;
    }

    /** Counts off the zero-copy sends of {@code h} the kernel is done with. */
    private void takeNotices(int h) {
        long n = notices.drain(callState, (int) handles.fd(h));
        if (n < 0) {
            ctx.counters.error();
            return;
        }
        zeroCopyOut[h] = (int) Math.max(0, zeroCopyOut[h] - n);
        zeroCopyNoticed += n;
    }

    /**
     * Zero-copy sends so far: {@code [made, covered by the kernel's notices, of those the kernel
     * copied after all]} (loop thread; for tests and benchmarks).
     */
    public long[] zeroCopyCounts() {
        return new long[] {zeroCopySends, zeroCopyNoticed, notices == null ? 0 : notices.copied()};
    }

    private void notReady(int h, int flag) {
        handles.setFlags(h, handles.flags(h) & ~flag);
    }

    /**
     * After a read that filled less than its buffer: the socket is drained and the next edge will
     * say when more arrives, unless the peer's FIN was already seen: then no edge comes, and the
     * next read must try (it returns 0).
     */
    private void drained(int h) {
        if ((handles.flags(h) & PEER_CLOSED) == 0) notReady(h, READ_READY);
    }

    @Override
    public void wake() {
        poller.wakeup();
    }

    @Override
    public void close() {
        try {
            poller.close();
        } finally {
            arena.close();
        }
    }
}
