package io.fasterapi.aio.core;

import io.fasterapi.aio.IoStats;

/**
 * The loop's statistics. Written only by the loop's thread as plain fields (no atomics on the hot
 * path); another thread reading them sees recent values, which is what {@link IoStats} promises.
 */
public final class Counters {
    long accepts, reads, writes, connects, closes, timers, polls, events, errors, wakes, bytesRead, bytesWritten;

    /** Counts kernel events (readiness or completion entries) a backend took from the kernel. */
    public void events(int n) {
        events += n;
    }

    /** Counts a system call that failed inside the loop without completing an operation. */
    public void error() {
        errors++;
    }

    IoStats snapshot() {
        return new IoStats(accepts, reads, writes, connects, closes, timers, polls, events, errors, wakes, bytesRead,
                bytesWritten);
    }
}
