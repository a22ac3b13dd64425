package io.fasterapi.aio.servers;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A server in blocking style: one virtual thread accepts, and each connection is served by a
 * virtual thread of its own. It takes any blocking accept, so the same server code runs on the
 * blocking sockets of {@code io.fasterapi.aio.sockets} (any backend) and on the JDK's
 * {@code ServerSocketChannel}. It runs until {@link #close()}, which closes the listener.
 */
public final class ThreadPerConnection implements AutoCloseable {

    /** A blocking accept: the next connection, or an exception once the listener is closed. */
    @FunctionalInterface
    public interface Acceptor {
        ByteChannel accept() throws IOException;
    }

    /** Serves one connection on its own thread; the channel is the handler's to close. */
    @FunctionalInterface
    public interface Handler {
        void serve(ByteChannel connection) throws IOException;
    }

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread acceptor;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Consumer<Throwable> errors;
    private final java.io.Closeable listener;
    private volatile boolean closing;

    private ThreadPerConnection(Acceptor accept, java.io.Closeable listener, Handler handler, Consumer<Throwable> errors) {
        this.listener = listener;
        this.errors = errors != null ? errors : t -> { };
        this.acceptor = Thread.ofVirtual().name("accept").unstarted(() -> acceptAll(accept, handler));
    }

    /**
     * Starts accepting with {@code accept} from {@code listener}, each connection served by
     * {@code handler}; what a handler throws (other than the client going away) goes to
     * {@code errors} (null: nobody).
     */
    public static ThreadPerConnection start(Acceptor accept, java.io.Closeable listener, Handler handler,
                                            Consumer<Throwable> errors) {
        ThreadPerConnection s = new ThreadPerConnection(Objects.requireNonNull(accept, "accept"),
                Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(handler, "handler"), errors);
        s.acceptor.start();
        return s;
    }

    private void acceptAll(Acceptor accept, Handler handler) {
        while (true) {
            ByteChannel c;
            try {
                c = accept.accept();
            } catch (java.nio.channels.ClosedChannelException | RuntimeException e) {
                if (!closing) errors.accept(e);
                return; // the listener closed
            } catch (IOException e) { // a timeout, too many open files...: report it, go on
                if (closing) return;
                errors.accept(e);
                try {
                    Thread.sleep(10); // not a busy loop while descriptors are short
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            }
            accepted.increment();
            try {
                threads.submit(() -> {
                    try (c) {
                        handler.serve(c);
                    } catch (IOException e) {
                        failed.increment(); // a reset or a timeout concerns this client only
                    } catch (RuntimeException | Error e) {
                        failed.increment();
                        errors.accept(e);
                    }
                    return null;
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                return;
            }
        }
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.sum();
    }

    /** Connections that ended with an exception (a reset, a timeout, a handler's failure). */
    public long failed() {
        return failed.sum();
    }

    /**
     * Stops: closes the listener (which ends the accepting thread), waits up to 10 s for the
     * connections being served to end, then interrupts them.
     */
    @Override
    public void close() {
        closing = true;
        try {
            listener.close();
        } catch (IOException e) {
            errors.accept(e);
        }
        try {
            acceptor.join(10_000);
            threads.shutdown();
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(10, TimeUnit.SECONDS); // interrupted ones close their sockets and end
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
