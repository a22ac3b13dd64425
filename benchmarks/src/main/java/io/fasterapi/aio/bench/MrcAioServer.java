package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import io.fasterapi.aio.servers.mrc.EventStats;
import io.fasterapi.aio.servers.mrc.MrcHandler;

import java.net.InetSocketAddress;

/**
 * The 1MRC on our library as it ships: {@link HttpServerGroup} (one {@code HttpServer} per loop,
 * SO_REUSEPORT when {@code --loops} > 1) with {@link MrcHandler}, on {@code --backend io_uring|epoll}.
 * The only addition is a counter per loop for {@link ServerStats}: each loop's handler is wrapped in
 * one that adds one per request (and starts the measured window at the first request).
 *
 * <p>{@code --backend io_uring|epoll --port 9000 [--loops n] [--warmup s] [--duration s] [--batch-wait µs]}
 */
public final class MrcAioServer {
    private MrcAioServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        String[] known = java.util.Arrays.copyOf(AioServer.OPTIONS, AioServer.OPTIONS.length + 1);
        known[known.length - 1] = "backend";
        Args a = new Args(args, known);
        String backend = a.get("backend", "io_uring");
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats(backend, Args.Mode.MRC, 1, a.getDouble("warmup", 0));
        EventStats events = new EventStats();
        HttpServerGroup group = HttpServerGroup.start(loops, AioServer.config(backend, a),
                new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)), HttpLimits.defaults(),
                i -> counting(stats, new MrcHandler(events)), Throwable::printStackTrace);
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening " + backend + " " + group.address() + " mode=mrc loops=" + loops);
        System.out.flush();
        Thread.currentThread().join(); // the loops' threads are daemons: keep the JVM up until SIGTERM
    }

    /** Called on the loop's thread (HttpServerGroup creates each loop's handler there). */
    private static HttpHandler counting(ServerStats stats, MrcHandler mrc) {
        ServerStats.Counter counter = stats.register(Thread.currentThread());
        return new HttpHandler() {
            private boolean started;

            @Override
            public void handle(io.fasterapi.aio.servers.http.HttpRequest request,
                               io.fasterapi.aio.servers.http.HttpResponse response) {
                if (!started) {
                    started = true;
                    stats.connectionAccepted();
                }
                counter.requests++;
                mrc.handle(request, response);
            }
        };
    }
}
