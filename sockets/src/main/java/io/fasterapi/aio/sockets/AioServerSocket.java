package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening socket whose {@link #accept()} blocks, spread over the loops of an
 * {@link AioSockets} group: a TCP server socket has one listener per loop on the same port
 * (SO_REUSEPORT, so the kernel spreads the connections), each keeping an accept in the kernel; the
 * connections accepted wait in one queue (at most the backlog, then the loops stop accepting until
 * {@link #accept()} takes some) and each stays on the loop that accepted it. A Unix domain server
 * socket, or one on a system without SO_REUSEPORT, listens on one loop.
 *
 * <p>As the JDK's server sockets: {@link #setAcceptTimeout} makes {@link #accept()} throw
 * {@link SocketTimeoutException}; an interrupt of a thread blocked in it closes the server socket
 * and throws {@link ClosedByInterruptException}; {@link #close()} from another thread makes it
 * throw {@link AsynchronousCloseException}.
 */
public final class AioServerSocket implements Closeable {
    private final AioSockets group;
    private final SocketAddress address;
    private final Listener[] listeners;
    private final LinkedBlockingQueue<Object> ready = new LinkedBlockingQueue<>();
    private final int limit;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Put in the queue to wake the takers when the server socket closes. */
    private static final Object POISON = new Object();
    private volatile long acceptTimeoutNanos;

    private AioServerSocket(AioSockets group, SocketAddress address, Listener[] listeners, int limit) {
        this.group = group;
        this.address = address;
        this.listeners = listeners;
        this.limit = limit;
    }

    /** Listens on {@code address} ({@code InetSocketAddress} or {@code UnixDomainSocketAddress}) on the group's loops. */
    static AioServerSocket open(AioSockets group, SocketAddress address, int backlog) throws IOException {
        List<Lane> lanes = group.lanes();
        boolean shard = address instanceof InetSocketAddress && lanes.size() > 1 && group.reusePort();
        if (shard && ((InetSocketAddress) address).getPort() != 0) {
            // SO_REUSEPORT would let this join another server socket of this user on the port: a bind
            // without it says whether the port is taken, as the JDK's server sockets would.
            try (var probe = java.nio.channels.ServerSocketChannel.open()) {
                probe.bind(address);
            } catch (BindException e) {
                throw new BindException("listen " + address + ": address in use");
            }
        }
        int count = shard ? lanes.size() : 1;
        Listener[] ls = new Listener[count];
        SocketAddress bound = address;
        try {
            for (int i = 0; i < count; i++) {
                Lane lane = lanes.get(i);
                SocketAddress at = i == 0 ? address : bound; // the port the first was given, for port 0
                ListenOptions options = ListenOptions.defaults().withBacklog(backlog).withReusePort(shard);
                long handle = lane.call(() -> at instanceof UnixDomainSocketAddress u ? lane.io.listen(u, options)
                        : lane.io.listen((InetSocketAddress) at, options));
                ls[i] = new Listener(lane, handle);
                if (i == 0) bound = lane.call(() -> lane.io.localSocketAddress(handle));
            }
        } catch (AsyncIoException e) {
            for (Listener l : ls) if (l != null) l.close();
            if (e.errno() == Errno.EADDRINUSE.code()) throw new BindException("listen " + address + ": address in use");
            throw IoErrors.of(-e.errno(), "listen " + address);
        } catch (RuntimeException | IOException e) {
            for (Listener l : ls) if (l != null) l.close();
            throw e;
        }
        AioServerSocket s = new AioServerSocket(group, bound, ls, Math.max(backlog, 16));
        for (Listener l : ls) l.server = s;
        for (Listener l : ls) l.lane.execute(l::arm);
        group.opened(s);
        return s;
    }

    /**
     * Waits for a connection and returns it as a socket on the loop that accepted it.
     *
     * @throws SocketTimeoutException     when the accept timeout passed first (the server socket stays open)
     * @throws ClosedByInterruptException when the thread was interrupted (the server socket is closed)
     * @throws AsynchronousCloseException when another thread closed the server socket meanwhile
     */
    public AioSocket accept() throws IOException {
        group.checkNotLoopThread();
        if (Thread.currentThread().isInterrupted()) {
            close();
            throw new ClosedByInterruptException();
        }
        if (closed.get()) throw new ClosedChannelException();
        Object taken;
        try {
            long t = acceptTimeoutNanos;
            taken = t > 0 ? ready.poll(t, TimeUnit.NANOSECONDS) : ready.take();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        }
        if (taken == null) throw new SocketTimeoutException("accept timed out");
        if (taken == POISON) {
            ready.offer(POISON); // for the next taker
            throw new AsynchronousCloseException();
        }
        for (Listener l : listeners) l.resumeIfPaused();
        if (taken instanceof IOException e) throw e; // EMFILE and the like, as the JDK's accept throws them
        return (AioSocket) taken;
    }

    /** The accept timeout (zero: none). */
    public void setAcceptTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout: " + timeout);
        acceptTimeoutNanos = timeout.toNanos();
    }

    /** The bound address (the real port after listening on port 0; the path of a Unix domain socket). */
    public SocketAddress getLocalAddress() {
        return address;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the listeners (a Unix domain socket's file is removed), and the connections accepted
     * that no {@link #accept()} took; blocked accepts throw {@link AsynchronousCloseException}.
     * Idempotent; any thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        group.closed(this);
        CompletableFuture<?>[] done = new CompletableFuture<?>[listeners.length];
        for (int i = 0; i < listeners.length; i++) done[i] = listeners[i].close();
        // The loops close them at once; no accept adds after this. (On a loop thread the close
        // tasks run after this call: an accept completing meanwhile sees the closed flag.)
        if (!group.isLoopThread()) CompletableFuture.allOf(done).join();
        ready.offer(POISON);
        for (Object o; (o = ready.poll()) != null; ) {
            if (o instanceof AioSocket s) s.close();
        }
        ready.offer(POISON);
    }

    @Override
    public String toString() {
        return "AioServerSocket[" + address + ", " + listeners.length + " listener(s)" + (closed.get() ? ", closed" : "") + "]";
    }

    /** One listener on one loop, keeping an accept in the kernel while the queue has room. */
    private static final class Listener implements CompletionHandler {
        final Lane lane;
        final long handle;
        AioServerSocket server;
        /** Loop thread: an accept is out. */
        private boolean armed;
        /** The queue was full: no accept is out until {@link #resumeIfPaused}. */
        private final AtomicBoolean paused = new AtomicBoolean();
        private boolean closing;

        Listener(Lane lane, long handle) {
            this.lane = lane;
            this.handle = handle;
        }

        /** Loop thread: keeps one accept out unless the queue is full or the listener closed. */
        void arm() {
            if (armed || closing) return;
            if (server.ready.size() >= server.limit) {
                paused.set(true);
                if (server.ready.size() >= server.limit) return; // else a taker made room meanwhile: go on
                paused.set(false);
            }
            lane.io.accept(handle, this, 0);
            armed = true; // (after: a refused accept leaves the listener free to try again)
        }

        @Override
        public void completed(IoEvent e) {
            armed = false;
            long r = e.result();
            if (r >= 0) {
                AioSocket s = new AioSocket(server.group, lane, r);
                if (server.closed.get()) {
                    s.close(); // closed meanwhile: nobody will take it
                    return;
                }
                server.ready.offer(s);
            } else if (r == -Errno.ECANCELED.code() || r == -Errno.EBADF.code()) {
                return; // closed
            } else if (r != -Errno.ECONNABORTED.code()) {
                // Out of descriptors or memory: accept() throws it, and the loop tries again in
                // 100 ms rather than at once (the connection waits in the backlog meanwhile).
                server.ready.offer(IoErrors.of(r, "accept"));
                lane.io.schedule(java.time.Duration.ofMillis(100), t -> arm());
                return;
            }
            arm(); // a connection aborted before it was accepted concerns that one only
        }

        /** Any thread: a taker made room; an accept goes out again if none is. */
        void resumeIfPaused() {
            if (paused.compareAndSet(true, false)) lane.execute(this::arm);
        }

        /** Closes the listener on its loop; completes when done. */
        CompletableFuture<?> close() {
            try {
                return lane.io.submit(() -> {
                    closing = true;
                    return lane.io.close(handle);
                }).exceptionally(t -> false); // (done either way)
            } catch (IllegalStateException closed) {
                return CompletableFuture.completedFuture(null); // the loop closed: so did the listener
            }
        }
    }
}
