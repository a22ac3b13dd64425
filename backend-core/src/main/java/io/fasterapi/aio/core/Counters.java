package io.fasterapi.aio.core;

import io.fasterapi.aio.IoStats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The loop's statistics. Only the loop's thread writes them; {@link #snapshot()} may run on any
 * thread. Each counter is written with an opaque store: on the loop thread that costs what a plain
 * store does (no fence), and it guarantees what {@link IoStats} promises another thread: every
 * counter it reads is a value the loop wrote, never torn, never older than one it read before, and
 * each write becomes visible eventually. The counters of one snapshot may be from slightly
 * different moments.
 */
public final class Counters {
    private static final VarHandle AT = MethodHandles.arrayElementVarHandle(long[].class);
    static final int ACCEPTS = 0, READS = 1, WRITES = 2, CONNECTS = 3, CLOSES = 4, TIMERS = 5, POLLS = 6, EVENTS = 7,
            ERRORS = 8, WAKES = 9, BYTES_READ = 10, BYTES_WRITTEN = 11, DATAGRAMS_RECEIVED = 12, DATAGRAMS_SENT = 13;
    private final long[] values = new long[14];

    /** Adds {@code n} to counter {@code which}; loop thread only. */
    void add(int which, long n) {
        AT.setOpaque(values, which, (long) AT.getOpaque(values, which) + n);
    }

    /** Counts kernel events (readiness or completion entries) a backend took from the kernel. */
    public void events(int n) {
        add(EVENTS, n);
    }

    /** Counts a system call that failed inside the loop without completing an operation. */
    public void error() {
        add(ERRORS, 1);
    }

    private long get(int which) {
        return (long) AT.getOpaque(values, which);
    }

    IoStats snapshot() {
        return new IoStats(get(ACCEPTS), get(READS), get(WRITES), get(CONNECTS), get(CLOSES), get(TIMERS), get(POLLS),
                get(EVENTS), get(ERRORS), get(WAKES), get(BYTES_READ), get(BYTES_WRITTEN), get(DATAGRAMS_RECEIVED),
                get(DATAGRAMS_SENT));
    }
}
