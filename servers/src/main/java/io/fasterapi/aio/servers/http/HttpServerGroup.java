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

    private HttpServerGroup(LoopGroup loops, InetSocketAddress address) {
        this.loops = loops;
        this.address = address;
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
        LoopGroup g = LoopGroup.start("http", count, config, (io, i) -> {
            HttpServer s = new HttpServer(io, bound.get(), options, limits, handlers.apply(i), handlerErrors);
            if (i == 0) bound.set(s.address());
            return s::free;
        });
        return new HttpServerGroup(g, bound.get());
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
