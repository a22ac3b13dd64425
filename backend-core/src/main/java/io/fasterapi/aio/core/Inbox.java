package io.fasterapi.aio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What other threads hand a loop: tasks ({@code AsyncIo.execute}) and wake-ups. Repeated
 * {@code wake()} calls before the loop consumed the first cost one kernel wake-up: a flag set by
 * the first, cleared by the loop when it sees the wake-up.
 */
final class Inbox {
    private static final VarHandle WAKE_PENDING = VarHandles.field(MethodHandles.lookup(), "wakePending", int.class);

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    @SuppressWarnings("unused") // accessed through WAKE_PENDING
    private volatile int wakePending;

    void add(Runnable task) {
        tasks.add(task);
    }

    /** Takes {@code task} back if it is still queued (a loop closed meanwhile); true if it was. */
    boolean remove(Runnable task) {
        return tasks.remove(task);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** Whether this wake-up must reach the kernel (no other is on its way). Any thread. */
    boolean claimWake() {
        return WAKE_PENDING.compareAndSet(this, 0, 1);
    }

    /** The loop saw the wake-up: the next {@link #claimWake()} wakes the kernel again. */
    void wakeConsumed() {
        wakePending = 0;
    }

    /** Runs the tasks queued when it starts (later ones wait for the next turn); returns how many ran. */
    int run(Completions runner) {
        int n = 0;
        for (int budget = tasks.size(); budget > 0; budget--) {
            Runnable r = tasks.poll();
            if (r == null) break;
            n += runner.runSafely(r);
        }
        return n;
    }
}
