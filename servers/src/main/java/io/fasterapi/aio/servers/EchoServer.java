package io.fasterapi.aio.servers;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A TCP echo server on one loop: accepts connections and, on each, reads and writes back what it
 * read, until the peer closes or an error occurs.
 *
 * <p>Each connection borrows one native buffer from the server's pool while it is open (read into
 * it, write it all back, read again...). The pool's memory belongs to one arena owned by the
 * server and is freed by {@link #free()}. Everything here runs on the loop's thread.
 */
public final class EchoServer {
    /** Accept errors after which accepting again at once would fail again: wait a little. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(50);

    private final AsyncIo io;
    private final long listener;
    private final SocketAddress address;
    private final int bufferSize;
    private final Consumer<String> log;
    private final Arena arena = Arena.ofConfined();
    private final ArrayDeque<MemorySegment> pool = new ArrayDeque<>();
    private final CompletionHandler onAccept = this::accepted;

    private int open;
    private long accepted;
    private boolean accepting;

    /**
     * Listens on {@code address} and starts accepting; call on the loop's thread.
     *
     * @param log receives one line per connection event, or {@code null} for silence
     * @throws io.fasterapi.aio.AsyncIoException when the address cannot be bound
     */
    public EchoServer(AsyncIo io, InetSocketAddress address, int bufferSize, Consumer<String> log) {
        this(io, (SocketAddress) address, bufferSize, log);
    }

    /**
     * Listens on a Unix domain socket at {@code path} (its file is removed when the server's loop
     * closes the listener) and starts accepting; call on the loop's thread.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the path cannot be bound (EADDRINUSE: a file is there)
     */
    public EchoServer(AsyncIo io, UnixDomainSocketAddress path, int bufferSize, Consumer<String> log) {
        this(io, (SocketAddress) path, bufferSize, log);
    }

    private EchoServer(AsyncIo io, SocketAddress address, int bufferSize, Consumer<String> log) {
        this.io = io;
        this.bufferSize = bufferSize;
        this.log = log;
        try {
            this.listener = address instanceof UnixDomainSocketAddress u ? io.listen(u, ListenOptions.defaults())
                    : io.listen((InetSocketAddress) address, ListenOptions.defaults());
            this.address = io.localSocketAddress(listener);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        accepting = true;
        io.accept(listener, onAccept);
    }

    /**
     * The bound TCP address (the real port when asked for port 0).
     *
     * @throws IllegalStateException for a server on a Unix domain socket: see {@link #socketAddress()}
     */
    public InetSocketAddress address() {
        if (address instanceof InetSocketAddress a) return a;
        throw new IllegalStateException("a Unix domain socket server: its address is " + address);
    }

    /** The bound address, TCP or Unix domain. */
    public SocketAddress socketAddress() {
        return address;
    }

    /** Stops accepting (the listener closes, a Unix domain socket's file too); open connections go on. Loop thread. */
    public void stopAccepting() {
        if (!accepting) return;
        accepting = false;
        io.close(listener);
    }

    /** Connections open now. */
    public int openConnections() {
        return open;
    }

    /** Connections accepted so far. */
    public long acceptedConnections() {
        return accepted;
    }

    /** Native bytes the buffer pool holds (in use or free). */
    public long pooledBytes() {
        return (long) bufferSize * (open + pool.size());
    }

    /**
     * Frees the buffers. Call after the loop was closed (which completes every pending operation)
     * or once no connection is open.
     */
    public void free() {
        if (open > 0 && io.isOpen()) {
            throw new IllegalStateException(open + " connections still open");
        }
        pool.clear();
        arena.close();
    }

    private void accepted(IoEvent e) {
        if (!e.failed()) {
            accepted++;
            new Connection(e.result()).start();
            io.accept(listener, onAccept);
            return;
        }
        Errno error = e.error();
        if (error == Errno.ECANCELED || error == Errno.EBADF || !io.isOpen()) {
            accepting = false; // the listener or the loop was closed
            return;
        }
        log("accept failed: " + describe(e));
        if (error == Errno.EMFILE || error == Errno.ENFILE || error == Errno.ENOBUFS || error == Errno.ENOMEM) {
            io.schedule(ACCEPT_BACKOFF, t -> {
                if (accepting && io.isOpen()) {
                    io.accept(listener, onAccept);
                }
            });
        } else {
            io.accept(listener, onAccept); // ECONNABORTED and the like concern one connection only
        }
    }

    private MemorySegment borrow() {
        MemorySegment b = pool.poll();
        return b != null ? b : arena.allocate(bufferSize, 64);
    }

    private void log(String line) {
        if (log != null) {
            log.accept(line);
        }
    }

    private static String describe(IoEvent e) {
        Errno error = e.error();
        return error != null ? error.name() + " (" + error.description() + ")" : "error " + e.result();
    }

    /** One accepted connection: read, write back, read... */
    private final class Connection implements CompletionHandler {
        private final long handle;
        private MemorySegment buffer;
        private String peer;

        Connection(long handle) {
            this.handle = handle;
        }

        void start() {
            open++;
            buffer = borrow();
            if (log != null) {
                try {
                    InetSocketAddress a = io.remoteAddress(handle);
                    peer = a.getHostString() + ":" + a.getPort();
                } catch (RuntimeException ex) {
                    peer = "?";
                }
                log("accepted " + peer);
            }
            io.read(handle, buffer, this);
        }

        @Override
        public void completed(IoEvent e) {
            long n = e.result();
            if (n > 0 && e.operation() == Operation.READ) {
                io.write(handle, buffer.asSlice(0, n), this);
            } else if (n >= 0 && e.operation() == Operation.WRITE) {
                io.read(handle, buffer, this);
            } else {
                if (n < 0 && e.error() != Errno.ECANCELED) {
                    log(peer + ": " + e.operation().name().toLowerCase() + " failed: " + describe(e));
                }
                finish(n == 0 ? "closed by peer" : "closed");
            }
        }

        private void finish(String why) {
            if (io.isOpen()) {
                io.close(handle); // nothing else is pending on this handle: no other completion follows
            }
            pool.push(buffer);
            buffer = null;
            open--;
            if (peer != null) {
                log(peer + ": " + why);
            }
        }
    }
}
