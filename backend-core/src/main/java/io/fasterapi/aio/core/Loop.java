package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.ConnectOptions;
import io.fasterapi.aio.DatagramOptions;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The event loop every backend shares: it implements {@link AsyncIo} and owns everything that is
 * not about the kernel: ids and slots, argument and thread checks, per-handle queues, timers,
 * completion delivery, tasks, wake-ups and statistics. The kernel side is a {@link Driver} (one of
 * the two engines with its kernel interface), made by the backend's provider and handed a
 * {@link LoopContext} to report through.
 *
 * <p>Completions never reach a handler inside the call that caused them: they wait in a delivery
 * queue that {@link #poll} drains.
 */
public final class Loop implements AsyncIo {
    private final String name;
    private final AsyncIoConfig config;
    private final int loopNumber;
    private final Handles handles;
    private final Operations ops;
    private final TimerHeap timers;
    private final Counters counters = new Counters();
    private final Completions completions;
    private final Observation observation;
    private final BufferPools pools;
    private final HandleQueues queues;
    private final LoopContext context;
    private final Driver driver;
    private final Inbox inbox = new Inbox();
    private final LoopThread thread = new LoopThread();
    private volatile boolean running;
    private volatile boolean stopRequested;
    private volatile boolean open = true;
    private boolean closing;
    /** Whether the last turn was woken ({@link #wake()}, {@link #stop()}): poll then returns even with nothing delivered. */
    private boolean wokenLastTurn;
    private Runnable onWake;
    /**
     * The loop may block in its wait: set before it looks at the inbox, cleared after the wait.
     * {@link #execute} wakes the kernel only then; a busy loop takes tasks on its next turn anyway,
     * so a stream of submissions from other threads costs no wake-up while the loop has work.
     * (Both sides write, then read the other's: volatile accesses are totally ordered, so either
     * the loop sees the task, or the submitter sees the flag.)
     */
    private volatile boolean mayBlock;

    /**
     * A loop named {@code name} whose driver {@code driverFactory} makes from the loop's context.
     * If the factory throws, the loop gives back what it took and the exception propagates.
     */
    public Loop(String name, AsyncIoConfig config, Function<LoopContext, Driver> driverFactory) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.loopNumber = LoopNumbers.take();
        this.handles = new Handles(loopNumber, Math.min(1024, config.maxHandles()), config.maxHandles());
        this.ops = new Operations(loopNumber, config.queueDepth(), config.maxOperations());
        this.timers = new TimerHeap(ops);
        this.observation = new Observation(name, loopNumber, config, counters, ops, handles);
        List<BufferPool> poolList = new ArrayList<>();
        this.completions = new Completions(ops, counters, poolList, config.uncaughtHandler(), observation);
        this.pools = new BufferPools(loopNumber, ops, completions, poolList);
        this.context = new LoopContext(loopNumber, handles, ops, counters, completions, pools, observation);
        this.queues = context.queues;
        try {
            this.driver = Objects.requireNonNull(driverFactory.apply(context), "driver");
        } catch (RuntimeException | Error e) {
            open = false;
            LoopNumbers.release(loopNumber);
            throw e;
        }
        context.attach(driver);
        observation.start(); // last: a loop that failed to open shows up nowhere
    }

    /** The driver under this loop (for the backend's own diagnostics and tests). */
    public Driver driver() {
        return driver;
    }

    // ---- AsyncIo: sockets ---------------------------------------------------------------------

    @Override
    public String backend() {
        return name;
    }

    @Override
    public AsyncIoConfig config() {
        return config;
    }

    @Override
    public long listen(InetSocketAddress address, ListenOptions options) {
        checkNewSocket(address, options, "listen " + address);
        return registerListener(driver.sockets().openListener(address, options), address);
    }

    @Override
    public long listen(UnixDomainSocketAddress address, ListenOptions options) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        checkOpenForSockets();
        checkHandleRoom("listen " + address);
        long fd = driver.sockets().openListener(address, options);
        Object file = LoopContext.fileKey(address.getPath()); // the socket file bind made, told from one made later
        long id;
        try {
            id = registerListener(fd, address);
        } catch (RuntimeException e) {
            LoopContext.removeSocketFile(address.getPath(), file);
            throw e;
        }
        context.ownSocketFile(Ids.index(id), address.getPath(), file); // removed when the listener closes
        return id;
    }

    /** The checks before a socket is opened on {@code address}: arguments, thread, an open loop, resolved, handle room. */
    private void checkNewSocket(InetSocketAddress address, Object options, String what) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        checkOpenForSockets();
        if (address.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + address);
        checkHandleRoom(what);
    }

    private void checkOpenForSockets() {
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
    }

    private void checkHandleRoom(String what) {
        if (handles.openCount() >= config.maxHandles()) {
            throw new AsyncIoException(what + ": " + config.maxHandles() + " handles open", Errno.EMFILE.code());
        }
    }

    /** A listening descriptor becomes a handle, registered with the driver; closed again if that fails. */
    private long registerListener(long fd, java.net.SocketAddress address) {
        return handles.id(registerNew(Handles.KIND_LISTENER, fd, "listen on " + address));
    }

    /** A new descriptor of {@code kind} becomes a handle slot, registered with the driver; closed again if that fails. */
    private int registerNew(int kind, long fd, String what) {
        int h = handles.allocate(kind, fd);
        int r = driver.register(h);
        if (r < 0) {
            driver.closeDescriptor(h);
            handles.free(h);
            throw new AsyncIoException(what + ": registering with " + name + " failed", -r);
        }
        return h;
    }

    @Override
    public long accept(long listener, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        int h = handleIndex(listener, Handles.KIND_LISTENER, "accept");
        int op = newOperation(Operation.ACCEPT, h, listener, handler, userData);
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        queues.addRead(h, op);
        driver.submit(op, h);
        return ops.id(op);
    }

    @Override
    public long connect(InetSocketAddress remote, ConnectOptions options, CompletionHandler handler, long userData) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        checkOpenForSockets();
        if (remote.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + remote);
        InetSocketAddress local = options.localAddress();
        if (local != null && local.getAddress().getClass() != remote.getAddress().getClass()) {
            throw new IllegalArgumentException("local address " + local + " is not of the family of " + remote);
        }
        checkHandleRoom("connect");
        return startConnect(driver.sockets().openStream(remote, options), remote, handler, userData);
    }

    @Override
    public long connect(UnixDomainSocketAddress remote, CompletionHandler handler, long userData) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(handler, "handler");
        checkOpenForSockets();
        checkHandleRoom("connect");
        return startConnect(driver.sockets().openStream(remote), remote, handler, userData);
    }

    /** A new stream descriptor becomes a handle whose write queue a CONNECT heads. */
    private long startConnect(long fd, java.net.SocketAddress remote, CompletionHandler handler, long userData) {
        int h = handles.allocate(Handles.KIND_STREAM, fd);
        long id = handles.id(h);
        int op = ops.allocate(Operation.CONNECT, h, handler, userData);
        if (op < 0) {
            driver.closeDescriptor(h);
            handles.free(h);
            throw tooManyOperations();
        }
        ops.handleId[op] = id;
        queues.addWrite(h, op);
        driver.connect(op, h, remote);
        return id;
    }

    @Override
    public long read(long handle, MemorySegment buffer, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, true);
        return submitTransfer(Operation.READ, handle, buffer, null, null, null, handler, userData);
    }

    @Override
    public long read(long handle, ByteBuffer buffer, CompletionHandler handler, long userData) {
        Arguments.checkBuffer(buffer, true);
        return submitTransfer(Operation.READ, handle, MemorySegment.ofBuffer(buffer), buffer, null, null, handler, userData);
    }

    @Override
    public long write(long handle, MemorySegment buffer, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, false);
        return submitTransfer(Operation.WRITE, handle, buffer, null, null, null, handler, userData);
    }

    @Override
    public long write(long handle, ByteBuffer buffer, CompletionHandler handler, long userData) {
        Arguments.checkBuffer(buffer, false);
        return submitTransfer(Operation.WRITE, handle, MemorySegment.ofBuffer(buffer), buffer, null, null, handler, userData);
    }

    @Override
    public long write(long handle, MemorySegment[] buffers, CompletionHandler handler, long userData) {
        Objects.requireNonNull(buffers, "buffers");
        for (int i = 0; i < buffers.length; i++) Arguments.checkSegment(buffers[i], false, i);
        return submitGather(handle, buffers, null, handler, userData);
    }

    @Override
    public long write(long handle, ByteBuffer[] buffers, CompletionHandler handler, long userData) {
        Objects.requireNonNull(buffers, "buffers");
        MemorySegment[] segments = new MemorySegment[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            Arguments.checkBuffer(buffers[i], false, i);
            segments[i] = MemorySegment.ofBuffer(buffers[i]);
        }
        return submitGather(handle, segments, buffers, handler, userData);
    }

    private long submitGather(long handle, MemorySegment[] segments, ByteBuffer[] buffers,
                              CompletionHandler handler, long userData) {
        return submitTransfer(Operation.WRITE, handle, null, null, segments, buffers, handler, userData);
    }

    // ---- datagrams ---------------------------------------------------------------------------

    @Override
    public long openDatagram(InetSocketAddress bindAddress, DatagramOptions options) {
        checkNewSocket(bindAddress, options, "openDatagram " + bindAddress);
        int h = registerNew(Handles.KIND_DATAGRAM, driver.sockets().openDatagram(bindAddress, options), "openDatagram " + bindAddress);
        handles.ipv6Datagram[h] = bindAddress.getAddress() instanceof java.net.Inet6Address;
        return handles.id(h);
    }

    @Override
    public long sendTo(long handle, MemorySegment buffer, InetSocketAddress target, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, false);
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + target);
        return submitTransfer(Operation.WRITE, handle, buffer, null, null, null, target, null, handler, userData);
    }

    @Override
    public long receiveFrom(long handle, MemorySegment buffer, DatagramSender from, CompletionHandler handler, long userData) {
        Arguments.checkSegment(buffer, true);
        Objects.requireNonNull(from, "from");
        return submitTransfer(Operation.READ, handle, buffer, null, null, null, null, from, handler, userData);
    }

    /** The last IPv4 target seen v4-mapped, and its mapped form: a steady peer costs no allocation. */
    private InetSocketAddress lastIpv4Target, lastMapped;

    /**
     * An IPv4 target of an IPv6 (dual-stack) UDP socket as {@code ::ffff:a.b.c.d}: Linux takes a
     * {@code sockaddr_in} there, macOS, FreeBSD and Windows refuse it.
     */
    private InetSocketAddress asIpv6(InetSocketAddress target) {
        if (!(target.getAddress() instanceof java.net.Inet4Address v4)) return target;
        if (target.equals(lastIpv4Target)) return lastMapped;
        byte[] mapped = new byte[16];
        mapped[10] = mapped[11] = (byte) 0xff;
        System.arraycopy(v4.getAddress(), 0, mapped, 12, 4);
        try {
            lastMapped = new InetSocketAddress(java.net.Inet6Address.getByAddress(null, mapped, (java.net.NetworkInterface) null),
                    target.getPort());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 16 bytes
        }
        lastIpv4Target = target;
        return lastMapped;
    }

    @Override
    public void connectDatagram(long handle, InetSocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        checkLoopThread();
        if (remote.isUnresolved()) throw new IllegalArgumentException("unresolved address: " + remote);
        int h = handleIndex(handle, Handles.KIND_DATAGRAM, "connectDatagram");
        if (h < 0) throw new AsyncIoException("connectDatagram: handle is closed", Errno.EBADF.code());
        driver.sockets().connectDatagram(handles.fd(h), handles.ipv6Datagram[h] ? asIpv6(remote) : remote);
    }

    @Override
    public void joinGroup(long handle, java.net.InetAddress group, java.net.NetworkInterface ni) {
        membership(handle, group, ni, true);
    }

    @Override
    public void leaveGroup(long handle, java.net.InetAddress group, java.net.NetworkInterface ni) {
        membership(handle, group, ni, false);
    }

    private void membership(long handle, java.net.InetAddress group, java.net.NetworkInterface ni, boolean join) {
        Objects.requireNonNull(group, "group");
        checkLoopThread();
        if (!group.isMulticastAddress()) throw new IllegalArgumentException(group + " is not a multicast address");
        String what = join ? "joinGroup" : "leaveGroup";
        int h = handleIndex(handle, Handles.KIND_DATAGRAM, what);
        if (h < 0) throw new AsyncIoException(what + ": handle is closed", Errno.EBADF.code());
        driver.sockets().membership(handles.fd(h), group, ni, join);
    }

    @Override
    public long createBufferPool(int count, int size) {
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
        BufferPool pool = pools.create(count, size);
        driver.poolCreated(pool);
        pools.add(pool);
        return pool.id;
    }

    @Override
    public MemorySegment bufferPoolMemory(long pool) {
        checkLoopThread();
        return poolOf(pool).memory();
    }

    @Override
    public long receive(long handle, long pool, CompletionHandler handler, long userData) {
        return receiveInto(handle, pool, null, handler, userData, "receive");
    }

    @Override
    public long receiveFrom(long handle, long pool, DatagramSender from, CompletionHandler handler, long userData) {
        Objects.requireNonNull(from, "from");
        return receiveInto(handle, pool, from, handler, userData, "receiveFrom");
    }

    /** A multishot receive into {@code pool}: chunks of a stream, or datagrams (with their senders into {@code from}). */
    private long receiveInto(long handle, long pool, DatagramSender from, CompletionHandler handler, long userData, String what) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        BufferPool bp = poolOf(pool);
        int h = handleIndex(handle, from != null ? Handles.KIND_DATAGRAM : KIND_TRANSFER, what);
        boolean datagram = h >= 0 && handles.kind[h] == Handles.KIND_DATAGRAM;
        if (datagram && bp.bufferSize() <= POOL_DATAGRAM_OFFSET) {
            throw new IllegalArgumentException(what + ": a datagram pool needs buffers of more than " + POOL_DATAGRAM_OFFSET
                    + " bytes (POOL_DATAGRAM_OFFSET), not " + bp.bufferSize());
        }
        int op = newOperation(Operation.READ, h, handle, handler, userData);
        ops.pool[op] = bp.index;
        ops.sender[op] = from;
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        ops.datagram[op] = datagram;
        queues.addRead(h, op);
        driver.submit(op, h);
        return ops.id(op);
    }

    @Override
    public void releaseBuffer(long pool, int bufferId) {
        checkLoopThread();
        BufferPool bp = poolOf(pool);
        pools.release(bp, bufferId);
        driver.bufferReleased(bp, bufferId);
    }

    private BufferPool poolOf(long id) {
        checkOwnId(id, Ids.POOL);
        return pools.of(id);
    }

    /** A read or write of one buffer ({@code segment}) or a gather write ({@code gather}). */
    private long submitTransfer(Operation kind, long handle, MemorySegment segment, ByteBuffer bb,
                                MemorySegment[] gather, ByteBuffer[] gatherBuffers,
                                CompletionHandler handler, long userData) {
        return submitTransfer(kind, handle, segment, bb, gather, gatherBuffers, null, null, handler, userData);
    }

    /**
     * A read or write of one buffer ({@code segment}), a gather write ({@code gather}), a sendTo
     * ({@code target}) or a receiveFrom ({@code sender}), on a stream or datagram handle (sendTo and
     * receiveFrom on datagram handles only).
     */
    private long submitTransfer(Operation kind, long handle, MemorySegment segment, ByteBuffer bb,
                                MemorySegment[] gather, ByteBuffer[] gatherBuffers,
                                InetSocketAddress target, DatagramSender sender,
                                CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        String what = target != null ? "sendTo" : sender != null ? "receiveFrom" : kind == Operation.READ ? "read" : "write";
        int h = handleIndex(handle, target != null || sender != null ? Handles.KIND_DATAGRAM : KIND_TRANSFER, what);
        if (h >= 0 && gather != null && handles.kind[h] == Handles.KIND_DATAGRAM) {
            throw new IllegalArgumentException("write: a gather write needs a stream socket; a datagram is one buffer");
        }
        int op = newOperation(kind, h, handle, handler, userData);
        ops.segment[op] = segment;
        ops.byteBuffer[op] = bb;
        ops.gather[op] = gather;
        ops.gatherBuffers[op] = gatherBuffers;
        ops.target[op] = h >= 0 && target != null && handles.ipv6Datagram[h] ? asIpv6(target) : target;
        ops.sender[op] = sender;
        ops.length[op] = gather != null ? Gather.total(gather) : segment.byteSize();
        if (h < 0 || closing) return failNow(op, h < 0 ? Errno.EBADF : Errno.ECANCELED);
        ops.datagram[op] = handles.kind[h] == Handles.KIND_DATAGRAM;
        if (kind == Operation.READ) {
            queues.addRead(h, op);
        } else {
            queues.addWrite(h, op);
        }
        driver.submit(op, h);
        return ops.id(op);
    }

    @Override
    public void shutdownOutput(long handle) {
        checkLoopThread();
        int h = handleIndex(handle, Handles.KIND_STREAM, "shutdownOutput");
        if (h < 0) throw new AsyncIoException("shutdownOutput: handle is closed", Errno.EBADF.code());
        // Refused here: on a connecting socket Linux and BSD would not fail but abort the connect.
        int head = handles.writeHead[h];
        if (head >= 0 && ops.kind(head) == Operation.CONNECT) {
            throw new AsyncIoException("shutdownOutput: the socket is not connected yet (its CONNECT is pending)",
                    Errno.ENOTCONN.code());
        }
        driver.sockets().shutdownOutput(handles.fd(h));
    }

    @Override
    public boolean close(long handle) {
        checkLoopThread();
        int h = handleIndex(handle, -1, "close");
        if (h < 0) return false;
        context.closeHandle(h);
        return true;
    }

    @Override
    public long close(long handle, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        int h = handleIndex(handle, -1, "close");
        int op = newOperation(Operation.CLOSE, -1, handle, handler, userData);
        if (h < 0) return failNow(op, Errno.EBADF);
        context.closeHandle(h, op);
        return ops.id(op);
    }

    @Override
    public InetSocketAddress localAddress(long handle) {
        return inet(addressOf(handle, true), "localAddress", "localSocketAddress");
    }

    @Override
    public InetSocketAddress remoteAddress(long handle) {
        return inet(addressOf(handle, false), "remoteAddress", "remoteSocketAddress");
    }

    @Override
    public java.net.SocketAddress localSocketAddress(long handle) {
        return addressOf(handle, true);
    }

    @Override
    public java.net.SocketAddress remoteSocketAddress(long handle) {
        return addressOf(handle, false);
    }

    private static InetSocketAddress inet(java.net.SocketAddress a, String method, String instead) {
        if (a instanceof InetSocketAddress i) return i;
        throw new IllegalArgumentException(method + " of a Unix domain socket (" + a + "): use " + instead);
    }

    @Override
    public long adopt(long nativeSocket) {
        checkLoopThread();
        if (closing) throw new IllegalStateException("the loop is closing");
        if (handles.findFd(nativeSocket) >= 0) {
            throw new AsyncIoException("adopt " + nativeSocket + ": this loop owns it already", Errno.EEXIST.code());
        }
        if (handles.openCount() >= config.maxHandles()) {
            throw new AsyncIoException("adopt: " + config.maxHandles() + " handles open", Errno.EMFILE.code());
        }
        Sockets sockets = driver.sockets();
        int kind = sockets.adoptable(nativeSocket); // refuses before anything is changed
        int h = handles.allocate(kind, nativeSocket);
        int r = driver.register(h); // before any change: a refusal here leaves the socket as it was
        if (r < 0) {
            handles.free(h); // not ours after all: left open for its owner
            throw new AsyncIoException("adopt " + nativeSocket + ": registering with " + name + " failed", -r);
        }
        try {
            sockets.prepareAdopted(nativeSocket);
        } catch (RuntimeException e) { // fcntl refused (cannot happen on an open socket): ours now, so closed
            driver.closeDescriptor(h);
            handles.free(h);
            throw e;
        }
        return handles.id(h);
    }

    @Override
    public long nativeDescriptor(long handle) {
        return optionFd(handle, "nativeDescriptor");
    }

    @Override
    public <T> void setOption(long handle, SocketOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        driver.sockets().setOption(optionFd(handle, "setOption"), option, value);
    }

    @Override
    public <T> T getOption(long handle, SocketOption<T> option) {
        Objects.requireNonNull(option, "option");
        return driver.sockets().getOption(optionFd(handle, "getOption"), option);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return driver.sockets().supportedOptions();
    }

    /** The descriptor of a listener or socket, for an option call. */
    private long optionFd(long handle, String what) {
        checkLoopThread();
        int h = handleIndex(handle, -1, what);
        if (h < 0) throw new AsyncIoException(what + ": handle is closed", Errno.EBADF.code());
        return handles.fd(h);
    }

    private java.net.SocketAddress addressOf(long handle, boolean local) {
        checkLoopThread();
        int h = handleIndex(handle, -1, local ? "localAddress" : "remoteAddress");
        if (h < 0) throw new AsyncIoException("address of a closed handle", Errno.EBADF.code());
        return driver.sockets().address(handles.fd(h), local);
    }

    // ---- timers and cancellation --------------------------------------------------------------

    @Override
    public long schedule(long delayNanos, CompletionHandler handler, long userData) {
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        if (delayNanos < 0) throw new IllegalArgumentException("negative delay: " + delayNanos);
        int op = newOperation(Operation.TIMER, -1, 0, handler, userData);
        if (closing) return failNow(op, Errno.ECANCELED);
        timers.add(op, System.nanoTime() + delayNanos);
        return ops.id(op);
    }

    @Override
    public boolean cancel(long operationId) {
        checkLoopThread();
        checkOwnId(operationId, Ids.OPERATION);
        int op = ops.lookup(operationId);
        if (op < 0 || ops.state[op] != Operations.STATE_PENDING) return false;
        // A CLOSE has already closed its handle; it only waits to complete after what it cancelled.
        if (ops.kind[op] == Operation.CLOSE.ordinal()) return false;
        if (ops.kind[op] == Operation.TIMER.ordinal()) {
            timers.remove(op);
            context.complete(op, -Errno.ECANCELED.code());
            return true;
        }
        int h = context.handleOf(ops.handleId[op]);
        // Its handle is closed: the close cancelled it already, and it completes with ECANCELED
        // right after the operation ahead of it in the kernel. Completing it here would leave it
        // linked in that chain, whose next walk would then stop at its reused slot.
        if (h < 0) return true;
        if (driver.cancel(op, false)) return true;
        queues.unlink(h, op);
        context.complete(op, -Errno.ECANCELED.code());
        return true;
    }

    // ---- the loop -----------------------------------------------------------------------------

    @Override
    public int poll(long timeoutMillis) {
        if (timeoutMillis < -1) throw new IllegalArgumentException("timeout must be >= -1, was " + timeoutMillis);
        checkOpen();
        bindToCurrentThread();
        if (timeoutMillis == 0) return turn(0);
        // A turn can end with nothing to deliver before the timeout: an interrupted wait (EINTR),
        // readiness that found EAGAIN again, a partial write continued. poll waits on until a
        // delivery, a wake-up or the timeout, as its Javadoc promises.
        return pollNanos(timeoutMillis < 0 ? -1 : timeoutMillis * 1_000_000);
    }

    @Override
    public int poll(java.time.Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout: " + timeout);
        checkOpen();
        bindToCurrentThread();
        return pollNanos(timeout.toNanos());
    }

    /** {@link #poll(long)} in nanoseconds (-1: no limit). */
    private int pollNanos(long timeoutNanos) {
        if (timeoutNanos == 0) return turn(0);
        long deadline = System.nanoTime() + timeoutNanos;
        long wait = timeoutNanos;
        while (true) {
            int delivered = turn(wait);
            if (delivered > 0 || wokenLastTurn || !open) return delivered;
            if (timeoutNanos < 0) continue;
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            wait = left;
        }
    }

    /** One turn: waits at most {@code timeoutNanos} (-1: no limit; 0 when work is waiting). */
    private int turn(long timeoutNanos) {
        long wait = timeoutNanos;
        if (wait != 0) mayBlock = true;
        if (!completions.isEmpty() || !inbox.isEmpty()) {
            wait = 0;
        } else if (!timers.isEmpty()) {
            wait = timers.waitNanos(wait, System.nanoTime());
        }
        counters.add(Counters.POLLS, 1);
        driver.await(wait);
        if (timeoutNanos != 0) mayBlock = false;
        int delivered = 0;
        wokenLastTurn = context.takeWoken();
        if (wokenLastTurn) {
            inbox.wakeConsumed();
            counters.add(Counters.WAKES, 1);
            Runnable cb = onWake;
            if (cb != null) {
                delivered += completions.runSafely(cb);
            }
        }
        if (!timers.isEmpty()) timers.expire(System.nanoTime(), completions);
        delivered += completions.deliver();
        delivered += runTasks();
        return delivered + completions.deliver();
    }

    @Override
    public void run() {
        checkOpen();
        synchronized (this) {
            bindToCurrentThread();
            if (running) throw new IllegalStateException("run() is already executing");
            running = true;
        }
        try {
            long timeout = config.pollBusy() ? 0 : config.pollTimeoutNanos();
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
    public void stop() {
        stopRequested = true;
        wake();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void wake() {
        if (open && inbox.claimWake()) {
            driver.wake();
        }
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        checkOpen();
        inbox.add(task);
        if (!open && inbox.remove(task)) throw new IllegalStateException("the loop is closed");
        if (mayBlock && !thread.isCurrent()) {
            wake();
        }
    }

    @Override
    public void onWake(Runnable callback) {
        checkLoopThread();
        this.onWake = callback;
    }

    @Override
    public IoStats stats() {
        return counters.snapshot();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (!open || closing) return;
        if (!thread.isCurrent()) {
            throw new IllegalStateException("close() on " + Thread.currentThread().getName() + " but the loop belongs to "
                    + thread.name() + ": call stop(), then close() on that thread after run() returns");
        }
        if (running) throw new IllegalStateException("close() inside run(): call stop() and close after run() returns");
        runTasks();
        closing = true;
        try {
            for (int h = 0; h < handles.capacityUsed(); h++) {
                if (handles.kind[h] != Handles.KIND_FREE) context.closeHandle(h);
            }
            timers.cancelAll(completions);
            driver.drain();
            // Handlers may submit again while the loop closes; those complete with ECANCELED. A
            // handler that resubmits forever is cut off: after a few rounds the loop refuses calls.
            for (int round = 0; !completions.isEmpty() || !inbox.isEmpty(); round++) {
                if (round == 16) open = false;
                completions.deliver();
                runTasks();
            }
        } finally {
            open = false;
            // A task added while the loop closed (execute() saw it open) runs now, and finds it
            // closed: its caller hears of it rather than waiting for a turn that will never come.
            // A later execute() sees the loop closed and takes its task back (see execute).
            runTasks();
            completions.deliver(); // what those tasks submitted completes (ECANCELED), once
            try {
                driver.close();
            } finally {
                try {
                    pools.close();
                } finally {
                    observation.close(); // before the number can be taken again: the MXBean's name is free
                    LoopNumbers.release(loopNumber);
                }
            }
        }
    }

    // ---- internals ----------------------------------------------------------------------------

    private void bindToCurrentThread() {
        if (thread.bind()) driver.bound();
    }

    private int runTasks() {
        return inbox.run(completions);
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
        context.complete(op, -error.code());
        return ops.id(op);
    }

    /** The slot of {@code id}, or -1 when it is closed or stale; throws for ids that were never this loop's. */
    /** For {@link #handleIndex}: a stream or a datagram socket (what read and write take). */
    private static final int KIND_TRANSFER = -2;

    private int handleIndex(long id, int expectedKind, String what) {
        checkOwnId(id, Ids.HANDLE);
        int h = handles.lookup(id);
        if (h < 0 || expectedKind == -1) return h;
        int k = handles.kind[h];
        boolean ok = expectedKind == KIND_TRANSFER ? k == Handles.KIND_STREAM || k == Handles.KIND_DATAGRAM : k == expectedKind;
        if (!ok) {
            throw new IllegalArgumentException(what + ": handle 0x" + Long.toHexString(id) + " is a " + kindName(k) + "; "
                    + what + " needs a " + (expectedKind == KIND_TRANSFER ? "connected or datagram socket" : kindName(expectedKind)));
        }
        return h;
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case Handles.KIND_LISTENER -> "listener";
            case Handles.KIND_DATAGRAM -> "datagram socket";
            default -> "connected socket";
        };
    }

    private void checkOwnId(long id, int kind) {
        Ids.checkOwn(id, kind, loopNumber);
    }

    private void checkLoopThread() {
        checkOpen();
        thread.check();
    }

    private void checkOpen() {
        if (!open) throw new IllegalStateException("the loop is closed");
    }
}
