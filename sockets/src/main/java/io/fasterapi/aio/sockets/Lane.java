package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIo;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One loop of a group as the blocking sockets use it: its thread (a blocking call there would stop
 * the loop it waits for, so it is refused), and the hand-over of work to it through
 * {@link AsyncIo#execute}, whose queue is lock-free and which wakes the loop only when it may be
 * blocked in its wait.
 */
final class Lane {
    final AsyncIo io;
    final int index;
    private final Thread thread;
    private final AioSockets group;

    Lane(AioSockets group, AsyncIo io, Thread thread, int index) {
        this.group = group;
        this.io = io;
        this.thread = thread;
        this.index = index;
    }

    /** Hands {@code task} to the loop; false when the loop has closed (the group is closed). */
    boolean execute(Runnable task) {
        try {
            io.execute(task);
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    /** Refuses a blocking call on any loop thread of the group: it would wait for a loop it stops. */
    void checkNotLoopThread() {
        group.checkNotLoopThread();
    }

    /** Whether the loop may hand {@code m} to the kernel as it is: native, and not confined to another thread. */
    boolean canUse(java.lang.foreign.MemorySegment m) {
        return m.isNative() && m.isAccessibleBy(thread);
    }

    /**
     * Runs {@code call} on the loop and returns its value, waiting for it (options, addresses: the
     * loop answers at once). What it throws is rethrown here.
     */
    <T> T call(Supplier<T> call) throws IOException {
        checkNotLoopThread();
        CompletableFuture<T> f;
        try {
            f = io.submit(call);
        } catch (IllegalStateException closed) {
            throw new ClosedChannelException();
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IOException(e.getCause());
        }
    }
}
