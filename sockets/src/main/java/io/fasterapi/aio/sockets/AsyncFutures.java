package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToLongFunction;

/**
 * Futures for callers who compose instead of block: each operation of one loop returns an
 * {@link OpFuture} that completes on the loop's thread with the operation's result (bytes, a
 * handle, or 0), or exceptionally with an {@link AsyncIoException} carrying the error. Callable
 * from any thread: from another thread the operation is handed to the loop
 * ({@link AsyncIo#execute}), on the loop's thread it is submitted at once. Stages that depend on a
 * future without {@code ...Async} run on the loop's thread, as handlers do: keep them short.
 *
 * <pre>{@code
 * AsyncFutures f = AsyncFutures.of(io);           // io runs on its own thread (io.run())
 * f.connect(address)
 *  .thenCompose(h -> f.write(h, request).thenCompose(n -> f.read(h, response)))
 *  .thenAccept(n -> System.out.println(n + " bytes back"));
 * }</pre>
 *
 * <p>{@link OpFuture#cancel} cancels the operation too. The future completes as cancelled at once,
 * but the kernel may still use the operation's buffer until the loop has it back:
 * {@link OpFuture#released()} says when, and a buffer is freed only after it.
 */
public final class AsyncFutures {
    private final AsyncIo io;
    /** The loop's thread, once known: calls on it submit at once. */
    private volatile Thread loopThread;

    private AsyncFutures(AsyncIo io) {
        this.io = io;
    }

    /** Futures over {@code io}, which runs (or will run) on its own thread. */
    public static AsyncFutures of(AsyncIo io) {
        AsyncFutures f = new AsyncFutures(Objects.requireNonNull(io, "io"));
        io.execute(() -> f.loopThread = Thread.currentThread());
        return f;
    }

    /** The loop. */
    public AsyncIo io() {
        return io;
    }

    /** Accepts one connection on {@code listener}; the future's value is the new handle. */
    public OpFuture accept(long listener) {
        return submit(op -> {
            op.accept = true;
            return io.accept(listener, op);
        });
    }

    /** Opens a socket and connects it; the value is the connected socket's handle. */
    public OpFuture connect(java.net.SocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        return submit(op -> {
            op.connect = true;
            long h = remote instanceof UnixDomainSocketAddress u ? io.connect(u, op) : io.connect((InetSocketAddress) remote, op);
            op.handle = h;
            return 0;
        });
    }

    /** Reads into {@code buffer} (kept alive until the future completes); the value is the bytes read, 0 at end of stream. */
    public OpFuture read(long handle, MemorySegment buffer) {
        return submit(op -> io.read(handle, buffer, op));
    }

    /** Writes all of {@code buffer}; the value is its size. */
    public OpFuture write(long handle, MemorySegment buffer) {
        return submit(op -> io.write(handle, buffer, op));
    }

    /** Gather write of every byte of {@code buffers}; the value is their total. */
    public OpFuture write(long handle, MemorySegment... buffers) {
        return submit(op -> io.write(handle, buffers, op));
    }

    /** Closes {@code handle} once its cancelled operations have completed; the value is 0. */
    public OpFuture close(long handle) {
        return submit(op -> io.close(handle, op, 0));
    }

    /** Completes with 0 after {@code delay} (a loop timer); cancelling cancels the timer. */
    public OpFuture delay(Duration delay) {
        return submit(op -> io.schedule(delay, op));
    }

    /**
     * Runs {@code submit} on the loop with a fresh future as its handler; its return value is the
     * operation id (for cancel). What it throws completes the future exceptionally.
     */
    private OpFuture submit(ToLongFunction<OpFuture> submit) {
        OpFuture op = new OpFuture(io);
        Runnable start = () -> {
            try {
                long id = submit.applyAsLong(op);
                op.started(id);
            } catch (Throwable t) {
                op.failedToStart(t);
            }
        };
        if (Thread.currentThread() == loopThread) {
            start.run();
        } else {
            try {
                io.execute(start);
            } catch (IllegalStateException closed) { // the loop has closed
                op.failedToStart(closed);
            }
        }
        return op;
    }

    /**
     * The future of one operation, and its handler on the loop. {@link #cancel} completes it as
     * cancelled and cancels the operation; {@link #released()} completes when the loop has the
     * operation back (its buffer free for reuse), whether it finished or was cancelled.
     */
    public static final class OpFuture extends CompletableFuture<Long> implements CompletionHandler {
        private final AsyncIo io;
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        /** Loop thread: the operation's id (0 until started). */
        private long id;
        private boolean cancelAsked;
        boolean connect, accept;
        long handle;

        private OpFuture(AsyncIo io) {
            this.io = io;
        }

        /** Completes when the loop has the operation back: its buffer may be reused or freed. */
        public CompletionStage<Void> released() {
            return released;
        }

        /** On the loop: the operation is out. */
        private void started(long operationId) {
            id = operationId;
            if (cancelAsked) stop();
        }

        /** On the loop: stops the operation (a connect by closing its socket, the only way to stop one). */
        private void stop() {
            if (connect) io.close(handle); else io.cancel(id);
        }

        private void failedToStart(Throwable t) {
            completeExceptionally(t);
            released.complete(null);
        }

        /** On the loop: the operation's completion. */
        @Override
        public void completed(IoEvent e) {
            long r = e.result();
            if (r >= 0 && isCancelled() && (connect || accept)) {
                io.close(connect ? handle : r); // a socket nobody will take: the future was cancelled
            } else if (r >= 0) {
                complete(connect ? handle : r);
            } else if (r == -Errno.ECANCELED.code() && isCancelled()) {
                // the cancel this future asked for
            } else {
                completeExceptionally(new AsyncIoException(e.operation() + ": " + Errno.nameOf((int) -r), (int) -r));
            }
            released.complete(null);
        }

        /**
         * Completes this future as cancelled (if it was not done) and cancels the operation on the
         * loop (a connect: closes its socket). A result the kernel had already produced is not
         * delivered here. See {@link #released()} before reusing the buffer.
         */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                Runnable ask = () -> {
                    if (id != 0 || handle != 0) stop();
                    else cancelAsked = true; // not started yet: stopped as it starts
                };
                try {
                    io.execute(ask);
                } catch (IllegalStateException closed) {
                    released.complete(null); // the loop closed: it cancelled everything
                }
            }
            return cancelled;
        }
    }
}
