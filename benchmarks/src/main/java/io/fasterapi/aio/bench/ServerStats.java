package io.fasterapi.aio.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a server measures about itself, the same way for every server.
 *
 * <p>The loop thread only adds to two plain counters ({@link #requests}, {@link #echoBytes}); other
 * threads read them (a benchmark counter, not a synchronisation point). Samples take the process's
 * CPU time ({@code OperatingSystemMXBean#getProcessCpuTime}: every thread, JIT and GC included),
 * the bytes the loop thread allocated ({@code ThreadMXBean#getThreadAllocatedBytes}), and the
 * requests served. The measured window starts {@code warmup} seconds after the first connection
 * (the client's warm-up) and ends at exit: SIGTERM (a shutdown hook) or {@code --duration}.
 *
 * <p>At exit one line goes to standard output:
 * <pre>SERVER impl=nio mode=http requests=... cpu_ns=... alloc_bytes=... rss_kb=... window_ms=... total_requests=... warm=true</pre>
 * SIGHUP prints {@code COUNT requests=<total so far>} (used to frame the strace pass).
 */
final class ServerStats {
    private final String impl;
    private final Args.Mode mode;
    private final int messageSize;
    private final long warmupNanos;
    private final Thread loopThread;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final AtomicBoolean printed = new AtomicBoolean();

    /** HTTP requests answered; written by the loop thread only. */
    long requests;
    /** Echo bytes written back; written by the loop thread only. */
    long echoBytes;

    private volatile boolean started;
    private volatile Sample warm;

    record Sample(long nanos, long cpuNanos, long allocated, long requests) {
    }

    ServerStats(String impl, Args.Mode mode, int messageSize, double warmupSeconds, Thread loopThread) {
        this.impl = impl;
        this.mode = mode;
        this.messageSize = messageSize;
        this.warmupNanos = (long) (warmupSeconds * 1e9);
        this.loopThread = loopThread;
        threads.setThreadAllocatedMemoryEnabled(true);
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

    /** Called by the loop thread on every accepted connection; the first starts the warm-up clock. */
    void connectionAccepted() {
        if (started) {
            return;
        }
        started = true;
        Thread t = new Thread(() -> {
            sleep(warmupNanos);
            warm = sample();
        }, "bench-warmup");
        t.setDaemon(true);
        t.start();
    }

    long requestsNow() {
        return mode == Args.Mode.ECHO ? echoBytes / messageSize : requests;
    }

    private Sample sample() {
        return new Sample(System.nanoTime(), os.getProcessCpuTime(), threads.getThreadAllocatedBytes(loopThread.threadId()),
                requestsNow());
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
                "SERVER impl=%s mode=%s requests=%d cpu_ns=%d alloc_bytes=%d rss_kb=%d window_ms=%d total_requests=%d warm=%b",
                impl, mode.name().toLowerCase(Locale.ROOT), end.requests - from.requests, end.cpuNanos - from.cpuNanos,
                end.allocated - from.allocated, vmHwmKb(), (end.nanos - from.nanos) / 1_000_000, end.requests, isWarm));
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
