package io.fasterapi.aio.container;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.servers.EchoServer;
import io.fasterapi.aio.spi.AsyncIoProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The echo server, kept on the best backend: on its own loop thread, listening on
 * {@code aio.echo.host}:{@code aio.echo.port} (framework properties; 127.0.0.1:7007 by default).
 *
 * <p>When the selection changes (the backend in use stops, is updated or uninstalled; a better one
 * starts; {@code aio:use} picks another), the server moves: its loop stops, closes (pending
 * operations complete with ECANCELED, every connection and the listener close, its memory is
 * freed), and a new loop on the new backend listens on the same address. <b>Connections open on
 * the old backend are closed</b> (clients read end of stream) and clients that reconnect are
 * served by the new one: a loop's sockets belong to its backend and cannot outlive it.
 */
@Component(service = ServerStatus.class, immediate = true)
public final class EchoService implements BackendSelector.Listener, ServerStatus {
    private static final long STOP_TIMEOUT_SECONDS = 10;

    @Reference
    private BackendSelector selector;

    private InetSocketAddress address;
    private Running running;
    private int moves;
    private volatile String problem;

    /** One loop on one backend, and the thread that runs it. */
    private static final class Running {
        final AsyncIoProvider provider;
        final CountDownLatch started = new CountDownLatch(1);
        volatile AsyncIo io;
        volatile EchoServer server;
        volatile Throwable failure;
        Thread thread;

        Running(AsyncIoProvider provider) {
            this.provider = provider;
        }
    }

    @Activate
    void activate(BundleContext context) {
        String host = property(context, "aio.echo.host", "127.0.0.1");
        int port = Integer.parseInt(property(context, "aio.echo.port", "7007"));
        address = new InetSocketAddress(host, port);
        selector.addListener(this);
        selectionChanged();
    }

    @Deactivate
    void deactivate() {
        selector.removeListener(this);
        synchronized (this) {
            stop();
        }
    }

    private static String property(BundleContext context, String key, String fallback) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    @Override
    public synchronized void selectionChanged() {
        AsyncIoProvider best = selector.best().orElse(null);
        if (running != null && running.provider == best && running.failure == null) return;
        boolean wasRunning = running != null;
        stop();
        if (best == null) {
            problem = "no backend available";
            return;
        }
        if (wasRunning) moves++;
        start(best);
    }

    private void start(AsyncIoProvider provider) {
        Running r = new Running(provider);
        r.thread = new Thread(() -> serve(r), "aio-echo-" + provider.name());
        r.thread.setDaemon(true);
        r.thread.start();
        try {
            if (!r.started.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                r.failure = new IllegalStateException("the loop did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = r;
        problem = r.failure == null ? null : "echo server on " + provider.name() + " failed: " + r.failure.getMessage();
        if (problem != null) System.err.println("io.fasterapi.aio.container: " + problem);
    }

    /** The loop thread: open the loop and the server here, so both belong to this thread. */
    private void serve(Running r) {
        AsyncIo io = null;
        EchoServer server = null;
        try {
            io = r.provider.open(AsyncIoConfig.defaults());
            server = new EchoServer(io, address, 16 * 1024, null);
            r.io = io;
            r.server = server;
            r.started.countDown();
            io.run();
        } catch (Throwable t) {
            r.failure = t;
            r.started.countDown();
        } finally {
            if (io != null) io.close(); // pending operations end with ECANCELED, every socket closes
            if (server != null) server.free();
        }
    }

    /** Stops the running loop and waits until its thread has closed it. */
    private void stop() {
        Running r = running;
        running = null;
        if (r == null) return;
        AsyncIo io = r.io;
        if (io != null) io.stop();
        try {
            r.thread.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (r.thread.isAlive()) {
            System.err.println("io.fasterapi.aio.container: the echo loop on " + r.provider.name() + " did not stop in time");
        }
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public synchronized String backend() {
        return running != null && running.failure == null ? running.provider.name() : null;
    }

    @Override
    public synchronized InetSocketAddress address() {
        return running != null && running.server != null ? running.server.address() : null;
    }

    @Override
    public synchronized IoStats stats() {
        return running != null && running.io != null ? running.io.stats() : null;
    }

    @Override
    public synchronized int openConnections() {
        return running != null && running.server != null ? running.server.openConnections() : 0;
    }

    @Override
    public synchronized int moves() {
        return moves;
    }

    @Override
    public String problem() {
        return problem;
    }
}
