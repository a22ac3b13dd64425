package io.fasterapi.aio.core;

/**
 * The thread a loop belongs to: the one that made it until the first {@code run()} or
 * {@code poll()}, which binds the loop to its caller for good.
 */
final class LoopThread {
    private volatile Thread owner = Thread.currentThread();
    private boolean bound;

    boolean isCurrent() {
        return Thread.currentThread() == owner;
    }

    String name() {
        return owner.getName();
    }

    /** Binds the loop to the calling thread; returns true the first time. Throws if another thread has it. */
    boolean bind() {
        Thread me = Thread.currentThread();
        if (owner != me) {
            if (bound) {
                throw new IllegalStateException("called on " + me.getName() + " but the loop belongs to " + owner.getName()
                        + " (the first thread that ran or polled it): use execute(Runnable) or stop()");
            }
            owner = me;
        }
        if (bound) return false;
        bound = true;
        return true;
    }

    /** Throws unless called on the loop's thread. */
    void check() {
        if (!isCurrent()) {
            throw new IllegalStateException("called on " + Thread.currentThread().getName() + " but the loop belongs to "
                    + owner.getName() + ": use execute(Runnable) to run code on the loop's thread");
        }
    }
}
