package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.LoopGroup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocking sockets for virtual threads, on any backend: io_uring, epoll, kqueue or IOCP, where the
 * JDK's own sockets always use the system's readiness poller. One group of loops (one per core by
 * default) runs the operations; a blocking call hands its operation to its socket's loop through a
 * lock-free queue, and the thread (a virtual thread parks without holding its carrier) waits for
 * the completion. A loop is woken only when it may be blocked in its wait: a busy loop takes many
 * submissions per turn and per wake-up ({@link #stats()} counts both).
 *
 * <pre>{@code
 * try (AioSockets sockets = AioSockets.open();
 *      AioServerSocket server = sockets.listen(new InetSocketAddress("127.0.0.1", 8080));
 *      var threads = Executors.newVirtualThreadPerTaskExecutor()) {
 *     while (true) {
 *         AioSocket s = server.accept();
 *         threads.submit(() -> {
 *             try (s) {
 *                 ByteBuffer b = ByteBuffer.allocate(1024);
 *                 while (s.read(b.clear()) > 0) s.write(b.flip());
 *             }
 *             return null;
 *         });
 *     }
 * }
 * }</pre>
 *
 * <p>Connections are spread over the loops: a server socket listens on every loop (SO_REUSEPORT)
 * and an accepted connection stays on the loop that accepted it; {@link #connect} takes the loops
 * in turn. Thread-safe.
 */
public final class AioSockets implements AutoCloseable {
    private final LoopGroup group;
    private final List<Lane> lanes = new ArrayList<>();
    private final Thread[] loopThreads;
    final NativeBuffers buffers = new NativeBuffers();
    private final AtomicInteger nextLane = new AtomicInteger();
    private final Set<AioServerSocket> servers = ConcurrentHashMap.newKeySet();
    private final boolean reusePort;
    private final String backend;

    private AioSockets(AsyncIoConfig config, int loops) {
        Thread[] threads = new Thread[loops];
        Lane[] made = new Lane[loops];
        try {
            this.group = LoopGroup.start("aio-sockets", loops, config, (io, i) -> {
                threads[i] = Thread.currentThread();
                made[i] = new Lane(this, io, threads[i], i);
                return null;
            });
        } catch (RuntimeException e) {
            buffers.close();
            throw e;
        }
        this.loopThreads = threads;
        lanes.addAll(List.of(made));
        this.backend = group.loop(0).backend();
        this.reusePort = !backend.equals("iocp"); // Windows has no SO_REUSEPORT
    }

    /** A group of one loop per core on the best backend available. */
    public static AioSockets open() {
        return open(AsyncIoConfig.defaults(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * A group of {@code loops} loops made with {@code config} (its {@code backend} names one, or
     * picks the best).
     *
     * @throws IllegalStateException when a loop cannot be made (no such backend...)
     */
    public static AioSockets open(AsyncIoConfig config, int loops) {
        Objects.requireNonNull(config, "config");
        if (loops < 1) throw new IllegalArgumentException("loops must be >= 1, was " + loops);
        return new AioSockets(config, loops);
    }

    /** Listens on {@code address} (an {@code InetSocketAddress}, port 0 for any, or a {@code UnixDomainSocketAddress}), backlog 128. */
    public AioServerSocket listen(SocketAddress address) throws IOException {
        return listen(address, 128);
    }

    /**
     * Listens on {@code address} with {@code backlog} (the kernel's queue, and the most connections
     * accepted ahead of {@link AioServerSocket#accept()}).
     *
     * @throws java.net.BindException when the address is in use (for a Unix domain socket: a file is at the path)
     */
    public AioServerSocket listen(SocketAddress address, int backlog) throws IOException {
        checkAddress(address);
        if (backlog < 1) throw new IllegalArgumentException("backlog must be >= 1, was " + backlog);
        checkNotLoopThread();
        return AioServerSocket.open(this, address, backlog);
    }

    /** Connects to {@code remote}, blocking until connected; a host name is resolved first, on this thread. */
    public AioSocket connect(SocketAddress remote) throws IOException {
        return connect(remote, Duration.ZERO);
    }

    /**
     * {@link #connect(SocketAddress)} within {@code timeout} (zero: none): after it the connect is
     * abandoned (its socket closed) and {@link java.net.SocketTimeoutException} thrown.
     */
    public AioSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        checkAddress(remote);
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout: " + timeout);
        checkNotLoopThread();
        if (remote instanceof InetSocketAddress i && i.isUnresolved()) {
            remote = new InetSocketAddress(InetAddress.getByName(i.getHostString()), i.getPort());
        }
        Lane lane = lanes.get(Math.floorMod(nextLane.getAndIncrement(), lanes.size()));
        return AioSocket.connect(this, lane, remote, timeout.toNanos());
    }

    private static void checkAddress(SocketAddress a) {
        Objects.requireNonNull(a, "address");
        if (!(a instanceof InetSocketAddress) && !(a instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("an InetSocketAddress or a UnixDomainSocketAddress, not " + a.getClass().getName());
        }
    }

    /** The backend the loops run on. */
    public String backend() {
        return backend;
    }

    /** The number of loops. */
    public int loops() {
        return lanes.size();
    }

    /** The loops' statistics added up: wake-ups ({@code wakes}) and turns ({@code polls}) per operation tell how well submissions batch. */
    public IoStats stats() {
        IoStats sum = lanes.getFirst().io.stats();
        for (int i = 1; i < lanes.size(); i++) sum = sum.plus(lanes.get(i).io.stats());
        return sum;
    }

    /** The loops, for a caller that wants to run callback-style work beside the sockets (their thread-safe methods only). */
    public List<AsyncIo> loopList() {
        return group.loops();
    }

    /**
     * Closes every server socket, then the loops: every socket's descriptor is closed and every
     * blocked call throws {@link java.nio.channels.AsynchronousCloseException}. Idempotent.
     */
    @Override
    public void close() {
        for (AioServerSocket s : servers) s.close();
        group.close();
        buffers.close();
    }

    // ---- for the sockets --------------------------------------------------------------------------

    List<Lane> lanes() {
        return lanes;
    }

    boolean reusePort() {
        return reusePort;
    }

    void opened(AioServerSocket s) {
        servers.add(s);
    }

    void closed(AioServerSocket s) {
        servers.remove(s);
    }

    /** Whether the calling thread is one of the loops'. */
    boolean isLoopThread() {
        Thread t = Thread.currentThread();
        for (Thread l : loopThreads) if (l == t) return true;
        return false;
    }

    /** Refuses a blocking call on one of the loops' threads: it would wait for a loop it stops. */
    void checkNotLoopThread() {
        Thread t = Thread.currentThread();
        for (Thread l : loopThreads) {
            if (l == t) throw new IllegalStateException("a blocking socket call on loop thread " + t.getName()
                    + ": it would stop the loop it waits for; call it from another thread (a virtual thread)");
        }
    }
}
