package io.fasterapi.aio.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a server measures about itself, the same way for every server.
 *
 * <p>Each loop thread registers itself ({@link #register}) and gets its own {@link Counter}, to
 * which only it adds (plain fields); other threads read them (a benchmark counter, not a
 * synchronisation point). Samples take the process's CPU time
 * ({@code OperatingSystemMXBean#getProcessCpuTime}: every thread, JIT and GC included), the bytes
 * all registered loop threads allocated ({@code ThreadMXBean#getThreadAllocatedBytes}), and the
 * requests served, summed over the loops. The measured window starts {@code warmup} seconds after the first connection
 * (the client's warm-up) and ends at exit: SIGTERM (a shutdown hook) or {@code --duration}.
 *
 * <p>At exit one line goes to standard output:
 * <pre>SERVER impl=nio mode=http loops=1 requests=... cpu_ns=... alloc_bytes=... rss_kb=... window_ms=... total_requests=... warm=true</pre>
 * SIGHUP prints {@code COUNT requests=<total so far>} (used to frame the strace pass).
 */
final class ServerStats {
    private final String impl;
    private final Args.Mode mode;
    private final int messageSize;
    private final long warmupNanos;
    private final CopyOnWriteArrayList<Thread> loopThreads = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Counter> counters = new CopyOnWriteArrayList<>();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final AtomicBoolean printed = new AtomicBoolean();
    private final AtomicBoolean startOnce = new AtomicBoolean();

    /** One loop's counts, written by that loop's thread only. */
    static final class Counter {
        /** HTTP requests answered. */
        long requests;
        /** Echo bytes written back. */
        long echoBytes;
    }

    /** Counts kept by many threads (a thread per connection): requests, or echo bytes in echo mode. */
    private volatile java.util.concurrent.atomic.LongAdder shared;
    /** More fields for the exit line (key=value ...), or null. */
    private volatile java.util.function.Supplier<String> extra;

    /** Counts from {@code adder} too: requests answered, or in echo mode the bytes echoed. */
    void countWith(java.util.concurrent.atomic.LongAdder adder) {
        shared = adder;
    }

    /** Adds {@code fields} (key=value ...) to the exit line. */
    void extra(java.util.function.Supplier<String> fields) {
        extra = fields;
    }

    private volatile boolean started;
    private volatile Sample warm;

    record Sample(long nanos, long cpuNanos, long allocated, long requests) {
    }

    ServerStats(String impl, Args.Mode mode, int messageSize, double warmupSeconds) {
        this.impl = impl;
        this.mode = mode;
        this.messageSize = messageSize;
        this.warmupNanos = (long) (warmupSeconds * 1e9);
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /**
     * Registers {@code loopThread} as one of the server's loop threads (its allocation is counted)
     * and returns the counter it alone adds to. Call before the load starts.
     */
    Counter register(Thread loopThread) {
        Counter c = new Counter();
        loopThreads.add(loopThread);
        counters.add(c);
        return c;
    }

    /** Installs the exit line (SIGTERM, or after {@code durationSeconds} if > 0) and the SIGHUP count. */
    void install(double durationSeconds) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::printResult, "bench-exit"));
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    s -> System.out.println("COUNT requests=" + requestsNow()));
        } catch (IllegalArgumentException e) {
            System.err.println("no SIGHUP count: " + e.getMessage());
        }
        if (durationSeconds > 0) {
            Thread t = new Thread(() -> {
                sleep((long) (durationSeconds * 1e9));
                System.exit(0);
            }, "bench-duration");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Called by a loop thread on every accepted connection; the first starts the warm-up clock. */
    void connectionAccepted() {
        if (started || !startOnce.compareAndSet(false, true)) { // several loops may accept at once
            return;
        }
        started = true;
        if (warmupNanos == 0) { // no warm-up (the 1MRC): the window starts here, before any request
            Sample now = sample(); // another loop may already count its first requests: they are in the window
            warm = new Sample(now.nanos, now.cpuNanos, now.allocated, 0);
            return;
        }
        Thread t = new Thread(() -> {
            sleep(warmupNanos);
            warm = sample();
        }, "bench-warmup");
        t.setDaemon(true);
        t.start();
    }

    String impl() {
        return impl;
    }

    long requestsNow() {
        long requests = 0;
        long echoBytes = 0;
        for (Counter c : counters) {
            requests += c.requests;
            echoBytes += c.echoBytes;
        }
        var a = shared;
        if (a != null) {
            if (mode == Args.Mode.ECHO) echoBytes += a.sum(); else requests += a.sum();
        }
        return mode == Args.Mode.ECHO ? echoBytes / messageSize : requests;
    }

    private long allocated() {
        long sum = 0;
        for (Thread t : loopThreads) {
            long b = threads.getThreadAllocatedBytes(t.threadId());
            if (b > 0) { // -1: the thread ended
                sum += b;
            }
        }
        return sum;
    }

    private Sample sample() {
        return new Sample(System.nanoTime(), os.getProcessCpuTime(), allocated(), requestsNow());
    }

    private void printResult() {
        if (!printed.compareAndSet(false, true)) {
            return;
        }
        Sample end = sample();
        Sample from = warm;
        boolean isWarm = from != null;
        if (from == null) {
            from = new Sample(end.nanos - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L, 0, 0, 0);
        }
        System.out.println(String.format(Locale.ROOT,
                "SERVER impl=%s mode=%s loops=%d requests=%d cpu_ns=%d alloc_bytes=%d rss_kb=%d window_ms=%d total_requests=%d warm=%b",
                impl, mode.name().toLowerCase(Locale.ROOT), loopThreads.size(), end.requests - from.requests, end.cpuNanos - from.cpuNanos,
                end.allocated - from.allocated, vmHwmKb(), (end.nanos - from.nanos) / 1_000_000, end.requests, isWarm)
                + (extra != null ? " " + extra.get() : ""));
        System.out.flush();
    }

    /** Peak resident set size (VmHWM) in KiB, or -1. */
    static long vmHwmKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
