package io.fasterapi.aio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A group of loops: N loops on N threads, one per core usually (the way a server uses every
 * core; listeners share a port with SO_REUSEPORT, see {@link ListenOptions}): each thread creates its loop, runs the setup on it,
 * then runs the loop until {@link #close()}. Loops are set up one after the other, in index order,
 * so a later setup can use what an earlier one produced (the port a first listener was given, for
 * listeners sharing it with SO_REUSEPORT).
 *
 * <p>{@link #close()} stops every loop, waits for its thread, which closes its loop (completing
 * every pending operation) and then runs the cleanup its setup returned.
 *
 * @since 1.1
 */
public final class LoopGroup implements AutoCloseable {

    /** Prepares one loop, on that loop's thread. */
    @FunctionalInterface
    public interface Setup {
        /**
         * Sets up loop {@code index} (listeners, servers...).
         *
         * @return what to run on the loop's thread after the loop was closed (free buffers), or null
         */
        Runnable setUp(AsyncIo io, int index) throws Exception;
    }

    private final List<AsyncIo> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    private LoopGroup() {
    }

    /**
     * Starts {@code count} loops configured by {@code config}, threads named {@code name-0},
     * {@code name-1}..., and returns once every setup has run.
     *
     * @throws IllegalStateException when a loop cannot be created or its setup throws (the loops
     *                               already started are closed first)
     */
    public static LoopGroup start(String name, int count, AsyncIoConfig config, Setup setup) {
        if (count < 1) throw new IllegalArgumentException("count must be >= 1, was " + count);
        LoopGroup g = new LoopGroup();
        for (int i = 0; i < count; i++) {
            CompletableFuture<AsyncIo> ready = new CompletableFuture<>();
            int index = i;
            Thread t = new Thread(() -> g.runLoop(config, setup, index, ready), name + "-" + i);
            t.setDaemon(true);
            t.start();
            try {
                g.loops.add(ready.get(60, TimeUnit.SECONDS));
                g.threads.add(t);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                g.close();
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (cause instanceof RuntimeException re) throw re;
                throw new IllegalStateException("loop " + i + " of '" + name + "' failed to start: " + cause, cause);
            }
        }
        return g;
    }

    private void runLoop(AsyncIoConfig config, Setup setup, int index, CompletableFuture<AsyncIo> ready) {
        AsyncIo io;
        Runnable cleanup;
        try {
            io = AsyncIo.create(config);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            return;
        }
        try {
            cleanup = setup.setUp(io, index);
        } catch (Throwable t) {
            io.close();
            ready.completeExceptionally(t);
            return;
        }
        ready.complete(io);
        try {
            io.run();
        } catch (Throwable t) {
            synchronized (failures) {
                failures.add(t);
            }
        } finally {
            io.close();
            if (cleanup != null) cleanup.run();
        }
    }

    /** Number of loops. */
    public int size() {
        return loops.size();
    }

    /** Loop {@code i}; from other threads only its thread-safe methods ({@code execute}, {@code stats}...). */
    public AsyncIo loop(int i) {
        return loops.get(i);
    }

    /** Every loop, in index order. */
    public List<AsyncIo> loops() {
        return List.copyOf(loops);
    }

    /**
     * Stops every loop and waits for its thread to close it and clean up. Idempotent.
     *
     * @throws IllegalStateException when a loop's run threw, or a thread did not end within 30 s
     */
    @Override
    public void close() {
        for (AsyncIo io : loops) {
            io.stop();
        }
        List<String> stuck = new ArrayList<>();
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) stuck.add(t.getName());
        }
        if (!stuck.isEmpty()) throw new IllegalStateException("loop threads did not stop: " + stuck);
        synchronized (failures) {
            if (!failures.isEmpty()) {
                IllegalStateException e = new IllegalStateException("a loop failed: " + failures.getFirst(), failures.getFirst());
                failures.clear();
                throw e;
            }
        }
    }
}
