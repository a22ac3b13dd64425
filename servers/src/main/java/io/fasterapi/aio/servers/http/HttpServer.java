package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * An HTTP/1.1 server on one loop: keep-alive, pipelining, {@code Content-Length} and chunked
 * bodies, {@code Expect: 100-continue}, a {@code Date} on every answer (formatted by a timer at
 * each turn of the second), the limits and timeouts of {@link HttpLimits}, and an
 * {@link HttpHandler} that answers. Request framing follows {@code HttpParser}. Everything runs on
 * the loop's thread; create it there. Several servers on several loops can share a port
 * ({@link ListenOptions#withReusePort}): see {@link HttpServerGroup}.
 *
 * <p>Memory follows the data in flight, not the connections: each connection owns only a small
 * read buffer ({@link #SMALL_READ_BYTES}), which holds a whole ordinary request. A request larger
 * than that borrows a full request buffer ({@code maxHeaderBytes + maxBodyBytes}) until the
 * connection is idle again, and answers are written into a response buffer borrowed until their
 * write completes. Borrowed buffers come from the server's free lists (native memory of its arena,
 * kept for reuse); closed connections are reused whole (parser, request and response objects), so
 * steady-state traffic allocates nothing per request, and an idle keep-alive connection holds
 * about {@value #SMALL_READ_BYTES} bytes of native memory.
 * Timeouts are checked by one repeating timer of the loop, which closes connections past their
 * deadline (answering {@code 408} when a request had begun).
 */
public final class HttpServer {
    private static final long ACCEPT_BACKOFF_NANOS = 50_000_000;
    /** Each connection's own read buffer: an ordinary request (or a pipelined batch of them) fits. */
    static final int SMALL_READ_BYTES = 1024;

    final AsyncIo io;
    final HttpHandler handler;
    final HttpLimits limits;
    private final long listener;
    private final InetSocketAddress address;
    private final Consumer<Throwable> handlerErrors;
    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<HttpConnection> pool = new ArrayDeque<>();
    private final ArrayDeque<MemorySegment> requestBuffers = new ArrayDeque<>();
    private final ArrayDeque<ResponseBuffer> responseBuffers = new ArrayDeque<>();
    /** Request and response buffers made so far (lent now, or in the free lists). */
    private int buffersMade;
    private final ArrayList<HttpConnection> open = new ArrayList<>();
    private final CompletionHandler onAccept = this::accepted;
    private final CompletionHandler onSweep = this::sweep;
    /** The Date field of every response, refreshed by a timer at each turn of the second. */
    final HttpDate date = new HttpDate(System.currentTimeMillis());
    private final CompletionHandler onSecond = this::nextSecond;
    private final long sweepNanos;
    private boolean running;
    /** Stopping gracefully: no accept; a connection closes when it has no request in progress. */
    boolean draining;
    private long sweepTimer, dateTimer;
    long accepted;
    long requests;

    /**
     * Listens on {@code address} and starts accepting; call on the loop's thread.
     *
     * @param handlerErrors receives what handlers throw (each is also answered 500), or null
     * @throws io.fasterapi.aio.AsyncIoException when the address cannot be bound
     */
    public HttpServer(AsyncIo io, InetSocketAddress address, ListenOptions options, HttpLimits limits,
                      HttpHandler handler, Consumer<Throwable> handlerErrors) {
        this(io, -1, address, options, limits, handler, handlerErrors);
    }

    /**
     * Serves on {@code nativeSocket}, a listening TCP socket made elsewhere (systemd's socket
     * activation: {@code LISTEN_FDS}); the loop adopts it ({@link AsyncIo#adopt}). Call on the
     * loop's thread.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the loop refuses the descriptor
     */
    public static HttpServer adopting(AsyncIo io, long nativeSocket, HttpLimits limits, HttpHandler handler,
                                      Consumer<Throwable> handlerErrors) {
        return new HttpServer(io, nativeSocket, null, null, limits, handler, handlerErrors);
    }

    private HttpServer(AsyncIo io, long nativeSocket, InetSocketAddress address, ListenOptions options, HttpLimits limits,
                       HttpHandler handler, Consumer<Throwable> handlerErrors) {
        this.io = io;
        this.handler = handler;
        this.limits = limits;
        this.handlerErrors = handlerErrors;
        long shortest = Math.min(limits.headerTimeout().toNanos(), limits.idleTimeout().toNanos());
        this.sweepNanos = Math.clamp(shortest / 4, 1_000_000L, 1_000_000_000L);
        try {
            listener = nativeSocket >= 0 ? io.adopt(nativeSocket) : io.listen(address, options);
            this.address = io.localAddress(listener);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        running = true;
        io.accept(listener, onAccept);
        sweepTimer = io.schedule(sweepNanos, onSweep, 0);
        nextSecond(null);
    }

    /** A server with {@link HttpLimits#defaults()} on {@code address} (SO_REUSEADDR, backlog 1,024). */
    public HttpServer(AsyncIo io, InetSocketAddress address, HttpHandler handler) {
        this(io, address, ListenOptions.defaults(), HttpLimits.defaults(), handler, null);
    }

    /** The bound address (the real port when asked for port 0). */
    public InetSocketAddress address() {
        return address;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /**
     * Request and response buffers lent to connections now: those with a request larger than
     * their own small buffer, or answers being written. An idle keep-alive connection holds none.
     */
    public int lentBuffers() {
        return buffersMade - requestBuffers.size() - responseBuffers.size();
    }

    /** Connections accepted so far. */
    public long acceptedConnections() {
        return accepted;
    }

    /** Requests answered so far (error answers included). */
    public long requests() {
        return requests;
    }

    /**
     * Stops gracefully: stops accepting, closes the connections waiting for a request, and lets
     * each other connection finish the request it is in (answer written, then closed). Call on the
     * loop's thread; {@link #openConnections()} reaches 0 when it is done, and {@link #close()}
     * ends what is left.
     */
    public void drain() {
        if (!running || draining) return;
        draining = true;
        if (io.isOpen()) {
            io.close(listener);
            // The idle ones close a turn later, on a timer: a request whose bytes the kernel already
            // has, with its read completed but not yet delivered, is taken up first (and answered).
            io.schedule(1_000_000, t -> {
                for (int i = open.size() - 1; i >= 0; i--) {
                    if (i < open.size()) open.get(i).closeIfIdle();
                }
            }, 0);
        }
    }

    /** Stops accepting and closes every connection; call on the loop's thread. */
    public void close() {
        if (!running) return;
        running = false;
        if (io.isOpen()) {
            io.cancel(sweepTimer);
            io.cancel(dateTimer);
            io.close(listener);
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /**
     * Frees the native memory. Call after the loop was closed (which completes every pending
     * operation), never while it runs.
     */
    public void free() {
        if (io.isOpen()) throw new IllegalStateException("close the loop first: operations may still use the buffers");
        pool.clear();
        open.clear();
        requestBuffers.clear();
        responseBuffers.clear();
        arena.close();
    }

    // ---- connections

    private void accepted(IoEvent e) {
        if (!e.failed()) {
            accepted++;
            if (!running || draining) {
                io.close(e.result());
                return;
            }
            HttpConnection c = pool.poll();
            if (c == null) {
                c = new HttpConnection(this, arena.allocate(Math.min(SMALL_READ_BYTES, limits.requestBufferBytes()), 64));
            }
            c.index = open.size();
            open.add(c);
            c.open(e.result());
            io.accept(listener, onAccept);
            return;
        }
        Errno error = e.error();
        if (error == Errno.ECANCELED || error == Errno.EBADF || !io.isOpen() || !running) {
            return;
        }
        if (error == Errno.EMFILE || error == Errno.ENFILE || error == Errno.ENOBUFS || error == Errno.ENOMEM) {
            io.schedule(ACCEPT_BACKOFF_NANOS, t -> {
                if (running && io.isOpen()) io.accept(listener, onAccept);
            }, 0);
        } else {
            io.accept(listener, onAccept);
        }
    }

    void closed(HttpConnection c) {
        int i = c.index;
        HttpConnection last = open.removeLast();
        if (last != c) {
            open.set(i, last);
            last.index = i;
        }
        c.index = -1;
    }

    void recycle(HttpConnection c) {
        if (arena.scope().isAlive()) pool.push(c);
    }

    /** A full request buffer for a request that does not fit a connection's own small one. */
    MemorySegment borrowRequestBuffer() {
        MemorySegment b = requestBuffers.poll();
        if (b != null) return b;
        buffersMade++;
        return arena.allocate(limits.requestBufferBytes(), 64);
    }

    void returnRequestBuffer(MemorySegment b) {
        requestBuffers.push(b);
    }

    /** A response buffer, lent until the answers written into it are sent. */
    ResponseBuffer borrowResponseBuffer() {
        ResponseBuffer b = responseBuffers.poll();
        if (b != null) return b;
        buffersMade++;
        return new ResponseBuffer(arena.allocate(limits.responseBufferBytes(), 64));
    }

    void returnResponseBuffer(ResponseBuffer b) {
        responseBuffers.push(b);
    }

    void handlerFailed(Throwable t) {
        if (handlerErrors != null) handlerErrors.accept(t);
    }

    /** Refreshes the Date field, and sets the timer again for the next turn of the second. */
    private void nextSecond(IoEvent e) {
        if (e != null && (e.failed() || !running)) return;
        long now = System.currentTimeMillis();
        date.refresh(now);
        dateTimer = io.schedule(HttpDate.millisToNextSecond(now) * 1_000_000L, onSecond, 0);
    }

    private void sweep(IoEvent e) {
        if (e.failed() || !running) return;
        long now = System.nanoTime();
        for (int i = open.size() - 1; i >= 0; i--) {
            if (i >= open.size()) continue; // an expiry closed more than one
            HttpConnection c = open.get(i);
            if (now - c.deadline > 0) c.expired();
        }
        sweepTimer = io.schedule(sweepNanos, onSweep, 0);
    }
}
