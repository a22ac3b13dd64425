package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.core.BufferPool;
import io.fasterapi.aio.core.Ids;
import io.fasterapi.aio.core.Kernel;
import io.fasterapi.aio.core.SlotLeases;
import io.fasterapi.aio.unix.DatagramConstants;
import io.fasterapi.aio.unix.EventFd;
import io.fasterapi.aio.unix.MsgHdr;
import io.fasterapi.aio.unix.NativeLibc;
import io.fasterapi.aio.unix.Posix;
import io.fasterapi.aio.unix.PosixSockets;
import io.fasterapi.aio.unix.SockAddr;
import io.fasterapi.aio.unix.SocketConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;

/**
 * io_uring as a {@link Kernel}: every request is an SQE, and every submission of a turn goes to
 * the kernel in the one {@code io_uring_enter} that also waits. Accepts are multishot, pool
 * receives are multishot on a provided buffer ring. Wake-ups complete a read of an eventfd that
 * is always in the ring.
 */
final class IoUringKernel implements Kernel {

    private final Arena arena = Arena.ofShared();
    private final PosixSockets sockets;
    private final SocketConstants sc = SocketConstants.LINUX;
    private final MemorySegment state;
    private final MemorySegment wakeState;
    private final Ring ring;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private final MemorySegment wakeBuffer;
    private final MemorySegment wakeValue;
    private final MemorySegment getEventsArg;
    private final MemorySegment timespec;
    /** Sends of at least this many bytes go zero-copy; Long.MAX_VALUE when off or the kernel lacks SEND_ZC. */
    private final long zeroCopyThreshold;
    /** Whether gather writes go zero-copy too (SENDMSG_ZC, 6.1+). */
    private final boolean zeroCopySendmsg;
    /** Per handle slot: 0 not asked yet, 1 an IP socket (zero-copy sends), 2 another (copies); reset at its close. */
    private byte[] zeroCopyFamily = new byte[0];
    /** Per operation slot: a zero-copy send is out, reported only at its notification. */
    private boolean[] zeroCopyOut = new boolean[0];
    /** Per operation slot: the result of a zero-copy send, kept until its notification. */
    private int[] zeroCopyResult = new int[0];
    /** Zero-copy requests made (for tests and benchmarks). */
    private long zeroCopySends;
    /** Per operation slot: a datagram receive is in the kernel. */
    private boolean[] receiving = new boolean[0];
    /** Per operation slot: where a datagram receive's sender goes (null: a connected socket's read). */
    private DatagramSender[] senders = new DatagramSender[0];
    /** Per operation slot: the pool of a multishot datagram receive, whose buffers start with the kernel's header and the sender; else null. */
    private BufferPool[] datagramPools = new BufferPool[0];
    /**
     * The name room of a multishot RECVMSG: after {@code io_uring_recvmsg_out} (16 bytes) it makes
     * the datagram start at {@link AsyncIo#POOL_DATAGRAM_OFFSET}, as on every backend.
     */
    private static final int NAME_ROOM = AsyncIo.POOL_DATAGRAM_OFFSET - (int) RECVMSG_OUT.byteSize();
    /** A datagram's sender copied out of its pool buffer (which may be unaligned) to be decoded. */
    private final MemorySegment nameCopy;
    private final byte[] addressBytes = new byte[16];
    /** The msghdr of each SENDMSG while the kernel has it (it reads the iovecs until the request ends). */
    private final SlotLeases<MsgHdr> headers = new SlotLeases<>(() -> new MsgHdr(arena, sc));
    /** The provided buffer ring of each buffer pool, by pool index. */
    private BufferRing[] bufferRings = new BufferRing[4];
    /** The socket address of each CONNECT (up to a sockaddr_un), lent until the request ends. */
    private final SlotLeases<MemorySegment> connectAddresses = new SlotLeases<>(() -> arena.allocate(SockAddr.STORAGE_SIZE, 8));
    private final int eventfd;
    private final Object wakeLock = new Object();
    private boolean wakeClosed;
    private boolean enabled;
    private boolean draining;
    private boolean multishotAccept = true;
    /** {@link AsyncIoConfig#batchWaitMicros()}, or 0 when the kernel has no min_wait (before 6.12). */
    private final int batchWaitMicros;
    /** Multishot accepts not yet known to work (a kernel before 5.19 refuses them with EINVAL). */
    private final Set<Long> untriedAccepts = new HashSet<>();
    /** Descriptors closed while an SQE naming them was still unsubmitted. */
    private int[] deferredCloses = new int[16];
    private int deferredCount;
    /** The most CQEs one {@link #await} reaps ({@link AsyncIoConfig#maxEvents()}); the rest wait for the next. */
    private final int maxEvents;
    /** The io_uring_enter calls of {@link #await}, waiting or not (for tests: an exchange costs one or two). */
    private long waits;
    /** Calls that failed outside a wait (a submission when the ring was full, a close): reported at the next one. */
    private int unreportedErrors;
    /** Whether the last look found the CQ overflow flag set: one report per time it is found set. */
    private boolean overflowFlagSeen;
    /** The kernel's dropped-completions counter when last looked at. */
    private int droppedSeen;
    /** Overflows found outside a wait (a full submission queue), and the completions dropped since: reported at the next one. */
    private int unreportedOverflows;
    private long unreportedDropped;

    IoUringKernel(AsyncIoConfig config) {
        this(config, Ring.FLAG_PREFERENCES);
    }

    /** With the setup flag sets to try, best first (tests force fallbacks through this). */
    IoUringKernel(AsyncIoConfig config, int[] flagPreferences) {
        this.maxEvents = config.maxEvents();
        this.sockets = new PosixSockets(arena, sc);
        this.state = sockets.callState();
        this.wakeState = arena.allocate(NativeLibc.callStateLayout());
        this.wakeBuffer = arena.allocate(ValueLayout.JAVA_LONG);
        this.wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.getEventsArg = arena.allocate(GETEVENTS_ARG);
        this.timespec = arena.allocate(TIMESPEC);
        this.nameCopy = arena.allocate(NAME_ROOM, 8);
        int entries = Math.min(config.queueDepth(), 32768);
        // Multishot accept and completions of a whole turn can outnumber submissions: 4x room.
        int cqEntries = Math.max(entries * 4, 1024);
        try {
            this.ring = Ring.open(state, arena, entries, cqEntries, flagPreferences);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        this.sq = ring.sq;
        sq.whenFull(this::submitFull);
        this.cq = ring.cq;
        int ev = EventFd.create(state, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        if (ev < 0) {
            ring.close();
            arena.close();
            throw new AsyncIoException("eventfd failed", -ev);
        }
        this.eventfd = ev;
        this.enabled = !ring.setupFlag(IORING_SETUP_R_DISABLED);
        this.batchWaitMicros = ring.has(IORING_FEAT_MIN_TIMEOUT) ? config.batchWaitMicros() : 0;
        boolean zc = config.zeroCopy() && ring.supports(IORING_OP_SEND_ZC);
        this.zeroCopyThreshold = zc ? config.zeroCopyThreshold() : Long.MAX_VALUE;
        this.zeroCopySendmsg = zc && ring.supports(IORING_OP_SENDMSG_ZC);
        armWakeRead();
    }

    /** The setup flags the kernel accepted, for diagnostics. */
    String setupDescription() {
        return ring.describeFlags();
    }

    @Override
    public PosixSockets sockets() {
        return sockets;
    }

    @Override
    public void bound() {
        if (!enabled) {
            // SINGLE_ISSUER binds the ring to the thread that enables it: the loop thread.
            int r = ring.enable();
            if (r < 0) throw new AsyncIoException("io_uring_register(ENABLE_RINGS)", -r);
            enabled = true;
        }
    }

    // ---- requests -----------------------------------------------------------------------------

    @Override
    public int register(int h, long fd, long handleId, boolean listener) {
        return 0; // io_uring needs no registration: requests name the descriptor
    }

    @Override
    public boolean picksBuffers() {
        return true;
    }

    @Override
    public int read(int op, long id, int h, long fd, long address, int length) {
        sq.recv((int) fd, address, length, id);
        return 0;
    }

    @Override
    public int write(int op, long id, int h, long fd, long address, int length) {
        if (length >= zeroCopyThreshold && zeroCopyAllowed(h, fd)) {
            sq.sendZeroCopy((int) fd, address, length, sc.msgNosignal(), id);
            zeroCopyOut(op); // after the SQE is claimed: a claim that throws leaves the slot clean
        } else {
            sq.send((int) fd, address, length, sc.msgNosignal(), id);
        }
        return 0;
    }

    /**
     * Whether handle slot {@code h}'s socket takes zero-copy sends: TCP and UDP ones do, a Unix
     * domain socket refuses them (EOPNOTSUPP). Asked once per handle, at its first large write.
     */
    private boolean zeroCopyAllowed(int h, long fd) {
        if (h >= zeroCopyFamily.length) zeroCopyFamily = Arrays.copyOf(zeroCopyFamily, Math.max(h + 1, zeroCopyFamily.length * 2));
        if (zeroCopyFamily[h] == 0) {
            int family = sockets.family(fd);
            zeroCopyFamily[h] = (byte) (family == sc.afInet() || family == sc.afInet6() ? 1 : 2);
        }
        return zeroCopyFamily[h] == 1;
    }

    /** Operation slot {@code op} (its id's index) sends zero-copy: its report waits for the notification. */
    private void zeroCopyOut(int op) {
        if (op >= zeroCopyOut.length) {
            int n = Math.max(op + 1, zeroCopyOut.length * 2);
            zeroCopyOut = Arrays.copyOf(zeroCopyOut, n);
            zeroCopyResult = Arrays.copyOf(zeroCopyResult, n);
        }
        zeroCopyOut[op] = true;
        zeroCopySends++;
    }

    @Override
    public int writeGather(int op, long id, int h, long fd, MemorySegment[] buffers, long skip) {
        MsgHdr m = headers.lend(op);
        long bytes = m.describe(buffers, skip);
        boolean zeroCopy = zeroCopySendmsg && bytes >= zeroCopyThreshold && zeroCopyAllowed(h, fd);
        sq.sendmsg((int) fd, m.header().address(), sc.msgNosignal(), zeroCopy, id);
        if (zeroCopy) zeroCopyOut(op);
        return 0;
    }

    @Override
    public int receiveFrom(int op, long id, int h, long fd, long address, int length, DatagramSender from) {
        MsgHdr m = headers.lend(op);
        m.describeOne(address, length);
        if (from != null) m.receiveName();
        growReceiving(op);
        sq.recvmsg((int) fd, m.header().address(), DatagramConstants.MSG_TRUNC_LINUX, id);
        receiving[op] = true; // after the claim
        senders[op] = from;
        return 0;
    }

    @Override
    public int receiveDatagrams(int op, long id, int h, long fd, BufferPool pool, DatagramSender from) {
        MsgHdr m = headers.lend(op);
        m.describeMultishot(NAME_ROOM);
        growReceiving(op);
        sq.recvmsgMultishot((int) fd, m.header().address(), pool.index(), id);
        datagramPools[op] = pool; // after the claim
        senders[op] = from;
        return 0;
    }

    private void growReceiving(int op) {
        if (op < receiving.length) return;
        int n = Math.max(op + 1, receiving.length * 2);
        receiving = Arrays.copyOf(receiving, n);
        senders = Arrays.copyOf(senders, n);
        datagramPools = Arrays.copyOf(datagramPools, n);
    }

    /**
     * A datagram of a multishot RECVMSG in buffer {@code bid} of {@code pool}: its sender into
     * {@code from} (null: not wanted); returns {@link #TRUNCATED} when it was cut (the CQE's result counts the
     * kernel's header and name room, which the caller takes off).
     */
    private int datagramIn(BufferPool pool, int bid, DatagramSender from) {
        MemorySegment memory = pool.memory();
        long at = (long) bid * pool.bufferSize();
        int outFlags = memory.get(ValueLayout.JAVA_INT_UNALIGNED, at + RECVMSG_OUT_FLAGS);
        if (from != null) {
            MemorySegment.copy(memory, at + RECVMSG_OUT.byteSize(), nameCopy, 0, NAME_ROOM);
            if (!SockAddr.decodeInto(nameCopy, sc, from, addressBytes)) from.clear();
        }
        return (outFlags & DatagramConstants.MSG_TRUNC_LINUX) != 0 ? TRUNCATED : 0;
    }

    @Override
    public int sendTo(int op, long id, int h, long fd, long address, int length, InetSocketAddress target) {
        MsgHdr m = headers.lend(op);
        m.describeOne(address, length);
        if (target != null) m.sendName(SockAddr.encode(target, sc, m.name()));
        sq.sendmsg((int) fd, m.header().address(), sc.msgNosignal(), false, id);
        return 0;
    }

    @Override
    public int receive(int op, long id, int h, long fd, BufferPool pool, int bufferId) {
        sq.recvMultishot((int) fd, pool.index(), id);
        return 0;
    }

    @Override
    public int connect(int op, long id, int h, long fd, java.net.SocketAddress remote) {
        MemorySegment address = connectAddresses.lend(op);
        int len = SockAddr.encode(remote, sc, address);
        sq.connect((int) fd, address.address(), len, id);
        return 0;
    }

    @Override
    public int accept(int op, long id, int h, long fd) {
        sq.accept((int) fd, sc.sockNonblock() | sc.sockCloexec(), multishotAccept, id);
        if (multishotAccept) untriedAccepts.add(id);
        return 0;
    }

    @Override
    public void cancel(int op, long id) {
        sq.cancel(id, UserData.CANCEL);
    }

    /**
     * Closes {@code fd} once no SQE that names it is still waiting in the submission queue. The
     * kernel takes its own reference to the socket when it takes an SQE, so after submission the
     * number can be freed; before it, closing would let a new socket (of this loop or another
     * thread's) reuse the number and receive the queued request: a connect, send or recv on the
     * wrong socket.
     */
    @Override
    public int close(int h, long fd) {
        if (h < zeroCopyFamily.length) zeroCopyFamily[h] = 0; // the slot's next socket is asked again
        if (sq.unsubmitted() == 0) return sockets.close(fd);
        if (deferredCount == deferredCloses.length) deferredCloses = Arrays.copyOf(deferredCloses, deferredCount * 2);
        deferredCloses[deferredCount++] = (int) fd;
        return 0; // a failure of the deferred close is reported at the next wait
    }

    private void closeNow(int fd) {
        if (sockets.close(fd) < 0) unreportedErrors++;
    }

    /** After a submission: closes the descriptors that waited for it, if the kernel took every SQE. */
    private void closeDeferred(boolean evenIfUnsubmitted) {
        if (deferredCount == 0 || (!evenIfUnsubmitted && sq.unsubmitted() != 0)) return;
        for (int i = 0; i < deferredCount; i++) {
            closeNow(deferredCloses[i]);
        }
        deferredCount = 0;
    }

    @Override
    public void poolCreated(BufferPool pool) {
        if (pool.index() >= bufferRings.length) bufferRings = Arrays.copyOf(bufferRings, 2 * pool.index() + 1);
        bufferRings[pool.index()] = new BufferRing(pool, arena, state, ring.fd);
    }

    @Override
    public void recycle(BufferPool pool, int bufferId) {
        bufferRings[pool.index()].release(bufferId);
    }

    // ---- submission and completion ------------------------------------------------------------

    private void armWakeRead() {
        sq.read(eventfd, wakeBuffer.address(), 8, UserData.WAKE);
    }

    /** The submission queue's action when it is full: submit what is queued, flush the CQ overflow if still full. */
    private void submitFull() {
        if (!enabled) {
            throw new AsyncIoException("io_uring: more than " + sq.entries()
                    + " submissions before the loop's first poll() (raise AsyncIoConfig.queueDepth)", Errno.ENOBUFS.code());
        }
        sq.publish();
        if (ring.enter(state, sq.unsubmitted(), 0, 0, MemorySegment.NULL, 0) < 0) unreportedErrors++;
        closeDeferred(false);
        if (sq.isFull()) {
            lookForOverflow();
            ring.enter(state, 0, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0); // flush overflow
        }
    }

    /**
     * Notes a CQ overflow: the kernel's flag newly set (completions wait in its overflow list
     * because the loop reaped more slowly than they were posted; none is lost), or its dropped
     * counter grown (completions lost). Reported through the sink at the end of the next wait.
     */
    private void lookForOverflow() {
        boolean flagged = (sq.flags() & IORING_SQ_CQ_OVERFLOW) != 0;
        int dropped = cq.dropped() - droppedSeen; // a u32 that wraps: the difference is still right
        if (flagged && !overflowFlagSeen || dropped != 0) {
            unreportedOverflows++;
            unreportedDropped += Integer.toUnsignedLong(dropped);
        }
        overflowFlagSeen = flagged;
        droppedSeen += dropped;
    }

    private void reportOverflows(Sink sink) {
        for (; unreportedOverflows > 0; unreportedOverflows--) {
            sink.completionQueueOverflow(unreportedDropped);
            unreportedDropped = 0;
        }
    }

    /**
     * Submits and waits in one {@code io_uring_enter}. With {@code quiet} sends queued (each on a
     * socket with a receive in the kernel) and {@link AsyncIoConfig#batchWaitMicros()} set, it waits
     * for one completion more than those, for at most that long (the kernel's min_wait, 6.12+): a
     * send completes during the submission, and would otherwise end the wait at once, leaving the
     * next request's receive to a second enter. After that time the wait ends on whatever has
     * been posted.
     */
    @Override
    public int await(long timeoutNanos, int quiet, Sink sink) {
        sq.publish();
        int toSubmit = sq.unsubmitted();
        int ready = cq.ready();
        lookForOverflow();
        if (ready > 0 && toSubmit == 0 && !overflowFlagSeen) {
            // Completions left by the last reap (maxEvents): take them without a system call.
            for (; unreportedErrors > 0; unreportedErrors--) sink.error();
            reportOverflows(sink);
            return reap(sink, maxEvents);
        }
        int min = timeoutNanos == 0 || ready > 0 ? 0 : 1;
        if (min == 1 && deferredCount > 0 && toSubmit > 0) {
            // Descriptors wait for these SQEs to be submitted before they close: submit them first, so
            // a close is not held back by a wait that may need it (the peer sees the close, then answers).
            if (ring.enter(state, toSubmit, 0, 0, MemorySegment.NULL, 0) < 0) unreportedErrors++;
            closeDeferred(false);
            toSubmit = sq.unsubmitted();
        }
        int minWait = 0;
        if (min == 1 && quiet > 0 && batchWaitMicros > 0) {
            min += quiet;
            // The kernel looks at the general timeout only after min_wait: a timer due sooner must not wait longer.
            minWait = timeoutNanos > 0 ? (int) Math.min(batchWaitMicros, Math.max(1, timeoutNanos / 1000)) : batchWaitMicros;
        }
        int flags = IORING_ENTER_GETEVENTS;
        MemorySegment arg = MemorySegment.NULL;
        long argSize = 0;
        if (min >= 1 && (timeoutNanos > 0 || minWait > 0)) {
            if (timeoutNanos > 0) {
                timespec.set(ValueLayout.JAVA_LONG, TS_SEC, timeoutNanos / 1_000_000_000L);
                timespec.set(ValueLayout.JAVA_LONG, TS_NSEC, timeoutNanos % 1_000_000_000L);
            }
            getEventsArg.set(ValueLayout.JAVA_LONG, GA_TS, timeoutNanos > 0 ? timespec.address() : 0);
            getEventsArg.set(ValueLayout.JAVA_INT, GA_MIN_WAIT_USEC, minWait);
            flags |= IORING_ENTER_EXT_ARG;
            arg = getEventsArg;
            argSize = GETEVENTS_ARG.byteSize();
        }
        int r = ring.enter(state, toSubmit, min, flags, arg, argSize);
        waits++;
        closeDeferred(false);
        if (r < 0 && r != -Errno.ETIME.code() /* the wait timed out */ && r != -sc.eintr() && r != -Errno.EBUSY.code()
                && r != -sc.eagain()) {
            sink.error();
        }
        for (; unreportedErrors > 0; unreportedErrors--) sink.error();
        int n = reap(sink, maxEvents);
        lookForOverflow();
        if (n < maxEvents && overflowFlagSeen) {
            // Completions waiting in the kernel's overflow list (NODROP): flush them into the ring.
            ring.enter(state, 0, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
            n += reap(sink, maxEvents - n);
        }
        reportOverflows(sink);
        return n;
    }

    /** Consumes posted CQEs, at most {@code limit}; returns how many. */
    private int reap(Sink sink, int limit) {
        int n = 0;
        int head = cq.head();
        int tail = cq.tail();
        while (head != tail && n < limit) {
            for (; head != tail && n < limit; ) {
                long ud = cq.userData(head);
                int res = cq.res(head);
                int fl = cq.flags(head);
                // Free the slot before acting on it: a dispatch that submits (and so may flush the
                // kernel's overflow list into the CQ) must find room.
                cq.advanceTo(++head);
                n++;
                boolean more = (fl & IORING_CQE_F_MORE) != 0;
                if (!more) sq.finished(); // its request's last completion
                if (UserData.isInternal(ud)) {
                    internal(ud, res, sink);
                    continue;
                }
                int slot = Ids.index(ud);
                if (slot < zeroCopyOut.length && zeroCopyOut[slot]) {
                    // A zero-copy send reports twice: its result (with F_MORE when a notification
                    // follows), then F_NOTIF once the kernel no longer reads the buffer. The engine
                    // hears of it once, at the end, so the caller cannot reuse the buffer too early.
                    if ((fl & IORING_CQE_F_NOTIF) == 0 && more) {
                        zeroCopyResult[slot] = res;
                        continue;
                    }
                    if ((fl & IORING_CQE_F_NOTIF) != 0) res = zeroCopyResult[slot];
                    zeroCopyOut[slot] = false; // else it failed before using the buffer: no notification comes
                    headers.giveBack(slot);
                    sink.completed(ud, res, 0);
                    continue;
                }
                int cut = 0;
                if (slot < datagramPools.length && datagramPools[slot] != null) {
                    if (res >= 0 && (fl & IORING_CQE_F_BUFFER) != 0) {
                        cut = datagramIn(datagramPools[slot], fl >>> IORING_CQE_BUFFER_SHIFT, senders[slot]);
                        res -= AsyncIo.POOL_DATAGRAM_OFFSET;
                    }
                    if (!more) {
                        datagramPools[slot] = null;
                        senders[slot] = null;
                    }
                }
                if (!more && slot < receiving.length && receiving[slot]) {
                    // A datagram receive: its sender into the holder. (MSG_TRUNC made the result the
                    // datagram's real length: the engine cuts it to the buffer and flags it.)
                    DatagramSender from = senders[slot];
                    if (from != null && res >= 0 && !SockAddr.decodeInto(headers.lent(slot).name(), sc, from, addressBytes)) from.clear();
                    receiving[slot] = false;
                    senders[slot] = null;
                }
                if (!more) {
                    headers.giveBack(slot);
                    connectAddresses.giveBack(slot);
                }
                if (!untriedAccepts.isEmpty() && untriedAccepts.remove(ud) && res == -Errno.EINVAL.code() && !more) {
                    multishotAccept = false; // a kernel before 5.19: one accept request per connection
                    res = -Errno.EAGAIN.code(); // asks the engine to arm it again
                }
                int flags = (more ? MORE : 0) | cut
                        | ((fl & IORING_CQE_F_BUFFER) != 0 ? BUFFER | (fl >>> IORING_CQE_BUFFER_SHIFT) << BUFFER_SHIFT : 0);
                sink.completed(ud, res, flags);
            }
            tail = cq.tail();
        }
        return n;
    }

    private void internal(long ud, int res, Sink sink) {
        if (ud == UserData.WAKE) {
            if (res != -Errno.ECANCELED.code()) sink.woken();
            if (!draining) armWakeRead();
        }
        // UserData.CANCEL: ENOENT or EALREADY when the target finished first; nothing to do either way
    }

    /** The zero-copy requests so far (loop thread; read it from elsewhere only after the loop has stopped). */
    long zeroCopySends() {
        return zeroCopySends;
    }

    /** The waits so far (loop thread; read it from elsewhere only after the loop has stopped). */
    long waits() {
        return waits;
    }

    /** The batch wait is on: configured, and the kernel has min_wait. */
    @Override
    public boolean batchesWaits() {
        return batchWaitMicros > 0;
    }

    @Override
    public int inFlight() {
        return enabled ? sq.inFlight() : 0; // a ring never enabled ran nothing, and never will
    }

    // ---- wake-ups and shutdown ----------------------------------------------------------------

    @Override
    public void wake() {
        synchronized (wakeLock) {
            if (!wakeClosed) Posix.write(wakeState, eventfd, wakeValue, 8);
        }
    }

    @Override
    public void stopWaking() {
        draining = true;
        if (enabled) sq.cancel(UserData.WAKE, UserData.CANCEL);
    }

    @Override
    public void close() {
        closeDeferred(true); // the ring closes now: queued SQEs will never run
        synchronized (wakeLock) {
            wakeClosed = true;
            Posix.close(state, eventfd);
        }
        boolean out = inFlight() > 0;
        ring.close(); // if requests were still out (the drain timed out), the kernel cancels them here
        // Their memory (msghdrs, addresses the kernel writes at completion) is kept then, as IOCP
        // keeps its OVERLAPPED blocks: the cancellation may finish after this returns.
        if (!out) arena.close();
    }
}
