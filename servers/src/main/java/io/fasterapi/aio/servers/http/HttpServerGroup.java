package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.LoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * One {@link HttpServer} per loop of a {@link LoopGroup}, all on one port with SO_REUSEPORT: on
 * Linux the kernel spreads connections among the loops (macOS and FreeBSD share the port without
 * that promise: see {@link ListenOptions#reusePort()}). With port 0, the first loop's listener picks
 * the port and the others join it. One loop needs no SO_REUSEPORT; more than one fails on Windows,
 * which has none.
 */
public final class HttpServerGroup implements AutoCloseable {
    private final LoopGroup loops;
    private final InetSocketAddress address;
    private final HttpServer[] servers;

    private HttpServerGroup(LoopGroup loops, InetSocketAddress address, HttpServer[] servers) {
        this.loops = loops;
        this.address = address;
        this.servers = servers;
    }

    /**
     * Starts {@code count} loops, each with a server answering through {@code handlers.apply(i)}
     * (a handler per loop, so it may keep loop-confined state).
     *
     * @throws io.fasterapi.aio.AsyncIoException with {@link io.fasterapi.aio.Errno#EOPNOTSUPP} for
     *         {@code count > 1} on Windows (no SO_REUSEPORT), after closing what it started
     */
    public static HttpServerGroup start(int count, AsyncIoConfig config, InetSocketAddress address, HttpLimits limits,
                                        IntFunction<HttpHandler> handlers, Consumer<Throwable> handlerErrors) {
        AtomicReference<InetSocketAddress> bound = new AtomicReference<>(address);
        ListenOptions options = ListenOptions.defaults().withBacklog(4096).withReusePort(count > 1);
        HttpServer[] servers = new HttpServer[count];
        LoopGroup g = LoopGroup.start("http", count, config, (io, i) -> {
            HttpServer s = new HttpServer(io, bound.get(), options, limits, handlers.apply(i), handlerErrors);
            if (i == 0) bound.set(s.address());
            servers[i] = s;
            return s::free;
        });
        return new HttpServerGroup(g, bound.get(), servers);
    }

    /**
     * One loop per socket of {@code nativeSockets}, listening sockets made elsewhere (systemd's
     * socket activation, {@code LISTEN_FDS}), each adopted by its loop and served by a handler of
     * {@code handlers}. The group's address is the first socket's.
     *
     * @throws io.fasterapi.aio.AsyncIoException when a loop refuses its descriptor, after closing what it started
     */
    public static HttpServerGroup adopting(AsyncIoConfig config, long[] nativeSockets, HttpLimits limits,
                                           IntFunction<HttpHandler> handlers, Consumer<Throwable> handlerErrors) {
        if (nativeSockets.length == 0) throw new IllegalArgumentException("no socket to serve");
        HttpServer[] servers = new HttpServer[nativeSockets.length];
        LoopGroup g = LoopGroup.start("http", nativeSockets.length, config, (io, i) -> {
            servers[i] = HttpServer.adopting(io, nativeSockets[i], limits, handlers.apply(i), handlerErrors);
            return servers[i]::free;
        });
        return new HttpServerGroup(g, servers[0].address(), servers);
    }

    /**
     * Stops gracefully ({@link HttpServer#drain()} on every loop): no new connection, and each
     * request in progress is answered; waits until every connection has closed, at most
     * {@code timeout}. Returns the connections still open then ({@link #close()} ends them). Call
     * from any thread but a loop's.
     */
    public int drain(java.time.Duration timeout) throws InterruptedException {
        for (int i = 0; i < servers.length; i++) loops.loop(i).execute(servers[i]::drain);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int open = 0;
            for (int i = 0; i < servers.length; i++) open += onLoop(i, servers[i]::openConnections);
            if (open == 0 || System.nanoTime() - deadline > 0) return open;
            Thread.sleep(10);
        }
    }

    /** Requests answered so far, over every loop. Any thread but a loop's. */
    public long requests() throws InterruptedException {
        long n = 0;
        for (int i = 0; i < servers.length; i++) n += onLoop(i, servers[i]::requests);
        return n;
    }

    /** The value of {@code read} taken on loop {@code i}'s thread (server state is confined to it). */
    private <T> T onLoop(int i, java.util.function.Supplier<T> read) throws InterruptedException {
        try {
            return loops.loop(i).submit(read).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("loop " + i + " did not answer", e);
        }
    }

    /** The address every loop listens on. */
    public InetSocketAddress address() {
        return address;
    }

    /** The loops. */
    public LoopGroup loops() {
        return loops;
    }

    /** Stops the loops; each closes its server and frees it. */
    @Override
    public void close() {
        loops.close();
    }
}
