package io.fasterapi.aio.servers;

import io.fasterapi.aio.AsyncIoConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What a test's loops, servers and client threads threw, recorded instead of printed: the loops'
 * uncaught handler ({@link #config}), the servers' handler-error sink ({@link #sink}) and the
 * client threads ({@link #guard}) all feed it; a test asserts it is empty ({@link #assertNone}) and
 * prints {@link #count()}. Thread-safe.
 */
public final class CaughtErrors {
    /** One throwable and where it was caught. */
    public record Caught(String where, Throwable error) {
        @Override
        public String toString() {
            return where + ": " + error;
        }
    }

    private final ConcurrentLinkedQueue<Caught> caught = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();

    /** Records {@code error}, caught at {@code where}. */
    public void record(String where, Throwable error) {
        caught.add(new Caught(where, error));
        count.incrementAndGet();
    }

    /** A sink that records what it receives as caught at {@code where} (a server's handler errors). */
    public Consumer<Throwable> sink(String where) {
        return t -> record(where, t);
    }

    /** A loop configuration on {@code backend} (null: the best here) whose uncaught handler records here. */
    public AsyncIoConfig config(String backend) {
        return AsyncIoConfig.builder().backend(backend).uncaughtHandler(sink("loop " + (backend == null ? "(best)" : backend)))
                .build();
    }

    /** {@code body} for a client thread: whatever it throws is recorded as caught at {@code where}. */
    public Runnable guard(String where, ThrowingRunnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                record(where, t);
            }
        };
    }

    /** A thread's body that may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Everything recorded so far, in the order caught. */
    public List<Caught> all() {
        return List.copyOf(caught);
    }

    /** Everything recorded so far (since the start, also what {@link #take} removed). */
    public long count() {
        return count.get();
    }

    /** Removes and returns what was recorded so far: for a test that provokes an error on purpose. */
    public List<Caught> take() {
        List<Caught> taken = new ArrayList<>();
        for (Caught c; (c = caught.poll()) != null; ) taken.add(c);
        return taken;
    }

    /** Fails, with every recorded throwable attached, unless nothing is recorded (apart from what was taken). */
    public void assertNone(String context) {
        List<Caught> now = all();
        if (now.isEmpty()) return;
        AssertionError e = new AssertionError(context + ": " + now.size() + " caught: " + now, now.getFirst().error());
        for (Caught c : now.subList(1, now.size())) e.addSuppressed(c.error());
        throw e;
    }
}
