package io.fasterapi.aio;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to create a loop: the seed's {@code config} (backend, max_events, queue_depth, zero_copy,
 * poll_busy, poll_timeout) plus the table sizes a Java loop needs. Immutable; build one with
 * {@link #builder()}, or take {@link #defaults()}.
 *
 * @param backend           the provider's name ("epoll", "io_uring", ...), or {@code null} to pick
 *                          the best available one
 * @param maxEvents         the most readiness or completion events taken from the kernel per poll
 * @param queueDepth        submission queue entries for completion backends; also the initial
 *                          number of operation slots
 * @param maxOperations     the most operations pending at once; beyond it a submission throws
 *                          {@link AsyncIoException} with {@link Errno#ENOBUFS}
 * @param maxHandles        the most handles open at once; beyond it {@link Errno#EMFILE}
 * @param zeroCopy          send writes of at least {@code zeroCopyThreshold} bytes without copying them
 *                          into the kernel, where the backend can ({@code IORING_OP_SEND_ZC} and
 *                          {@code SENDMSG_ZC} on io_uring, Linux 6.0+; {@code MSG_ZEROCOPY} on
 *                          epoll, Linux 4.14+; see {@link BackendInfo#zeroCopy()}); others copy. Such a
 *                          write completes only once the kernel says it is done with the buffer,
 *                          which can be after the peer acknowledged the bytes. Over loopback the
 *                          kernel copies anyway, at the receiving socket, and it costs more than it saves
 * @param pollBusy          {@link AsyncIo#run()} never sleeps: every turn asks the kernel without
 *                          waiting, and turns again at once. On io_uring that is an
 *                          {@code io_uring_enter} with no minimum (it submits, and runs the deferred
 *                          work that posts completions: a ring set up with DEFER_TASKRUN posts
 *                          nothing unless the loop enters the kernel, so spinning on the queue
 *                          alone would never see one); on epoll and kqueue a wait of 0; on IOCP a
 *                          0 ms dequeue. It spends a whole core to save the wake-up of a
 *                          sleeping thread on each event (see the README's benchmark)
 * @param pollTimeout       the longest {@link AsyncIo#run()} blocks in one poll, of any precision
 *                          (see {@link AsyncIo#poll(java.time.Duration)}); {@code null} for no limit
 * @param batchWaitMicros   after sending on a connection that has a read pending, how long a poll
 *                          may hold out for one completion more than the sends' own, so that a
 *                          request and its answer cost one kernel call instead of two; 0 (the
 *                          default) never. Only io_uring on Linux 6.12 or later has such a wait;
 *                          others ignore it. A send's completion can be reported this much later
 *                          than it happened when the peer is slow to answer (and a task handed in
 *                          from another thread run as late, if the sends are still in the kernel);
 *                          timers are not delayed. It pays where arming
 *                          a kernel timer is cheap: under some hypervisors it costs more than the
 *                          call it saves (see the README's benchmark)
 * @param zeroCopyThreshold the smallest write sent without copying when {@code zeroCopy} is on
 *                          (default 16 KiB): pinning pages and waiting for the kernel's notice cost
 *                          more than copying a small buffer (the kernel's documentation puts the
 *                          break-even near 10 KB)
 * @param uncaughtHandler   receives exceptions thrown by handlers and tasks
 * @param jmx               register the loop as a platform MXBean while it is open
 *                          ({@code io.fasterapi.aio:type=AsyncIo,backend=<name>,loop=<number>}: its
 *                          statistics, pending operations and open handles); on by default, and
 *                          ignored where the {@code java.management} module is absent. The loop's
 *                          JFR events need no switch: they cost nothing unless a recording enables
 *                          them ({@code io.fasterapi.aio} category). @since 1.1
 */
public record AsyncIoConfig(String backend, int maxEvents, int queueDepth, int maxOperations, int maxHandles,
                            boolean zeroCopy, boolean pollBusy, java.time.Duration pollTimeout, int batchWaitMicros,
                            int zeroCopyThreshold, Consumer<Throwable> uncaughtHandler, boolean jmx) {

    /** The default {@link #zeroCopyThreshold()}: 16 KiB. */
    public static final int DEFAULT_ZERO_COPY_THRESHOLD = 16 * 1024;

    /** The default uncaught handler: prints the stack trace to standard error. */
    public static final Consumer<Throwable> PRINT_STACK_TRACE = t -> {
        System.err.print("io.fasterapi.aio: exception in a completion handler or task: ");
        t.printStackTrace();
    };

    /** The largest handle table a loop supports (handle indexes have 24 bits). */
    public static final int HANDLE_LIMIT = 1 << 24;

    /** Validates every field. */
    public AsyncIoConfig {
        if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be >= 1, was " + maxEvents);
        if (queueDepth < 1) throw new IllegalArgumentException("queueDepth must be >= 1, was " + queueDepth);
        if (maxOperations < 1) throw new IllegalArgumentException("maxOperations must be >= 1, was " + maxOperations);
        if (maxHandles < 1 || maxHandles > HANDLE_LIMIT) {
            throw new IllegalArgumentException("maxHandles must be in 1.." + HANDLE_LIMIT + ", was " + maxHandles);
        }
        if (pollTimeout != null && pollTimeout.isNegative()) {
            throw new IllegalArgumentException("pollTimeout must not be negative, was " + pollTimeout);
        }
        if (batchWaitMicros < 0 || batchWaitMicros > 1_000_000) {
            throw new IllegalArgumentException("batchWaitMicros must be in 0..1000000, was " + batchWaitMicros);
        }
        if (zeroCopyThreshold < 1) {
            throw new IllegalArgumentException("zeroCopyThreshold must be >= 1, was " + zeroCopyThreshold);
        }
        Objects.requireNonNull(uncaughtHandler, "uncaughtHandler");
    }

    /** The configuration before {@code jmx} (registered: true). */
    public AsyncIoConfig(String backend, int maxEvents, int queueDepth, int maxOperations, int maxHandles,
                         boolean zeroCopy, boolean pollBusy, java.time.Duration pollTimeout, int batchWaitMicros,
                         int zeroCopyThreshold, Consumer<Throwable> uncaughtHandler) {
        this(backend, maxEvents, queueDepth, maxOperations, maxHandles, zeroCopy, pollBusy, pollTimeout, batchWaitMicros,
                zeroCopyThreshold, uncaughtHandler, true);
    }

    /** The configuration of API 1.0, without {@code batchWaitMicros} (0) and {@code zeroCopyThreshold} (the default). */
    public AsyncIoConfig(String backend, int maxEvents, int queueDepth, int maxOperations, int maxHandles,
                         boolean zeroCopy, boolean pollBusy, long pollTimeoutMillis, Consumer<Throwable> uncaughtHandler) {
        this(backend, maxEvents, queueDepth, maxOperations, maxHandles, zeroCopy, pollBusy, millis(pollTimeoutMillis), 0,
                DEFAULT_ZERO_COPY_THRESHOLD, uncaughtHandler);
    }

    private static java.time.Duration millis(long pollTimeoutMillis) {
        if (pollTimeoutMillis < -1) throw new IllegalArgumentException("pollTimeoutMillis must be >= -1, was " + pollTimeoutMillis);
        return pollTimeoutMillis < 0 ? null : java.time.Duration.ofMillis(pollTimeoutMillis);
    }

    /** {@link #pollTimeout()} in milliseconds, rounded up; -1 for no limit (the API 1.0 form). */
    public long pollTimeoutMillis() {
        return pollTimeout == null ? -1 : (pollTimeoutNanos() + 999_999) / 1_000_000;
    }

    /** {@link #pollTimeout()} in nanoseconds (saturated at {@code Long.MAX_VALUE}); -1 for no limit. */
    public long pollTimeoutNanos() {
        if (pollTimeout == null) return -1;
        try {
            return pollTimeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Best backend, 1,024 events per poll, 4,096 queue entries, a million operations and handles. */
    public static AsyncIoConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backend = backend;
        b.maxEvents = maxEvents;
        b.queueDepth = queueDepth;
        b.maxOperations = maxOperations;
        b.maxHandles = maxHandles;
        b.zeroCopy = zeroCopy;
        b.pollBusy = pollBusy;
        b.pollTimeout = pollTimeout;
        b.batchWaitMicros = batchWaitMicros;
        b.zeroCopyThreshold = zeroCopyThreshold;
        b.uncaughtHandler = uncaughtHandler;
        b.jmx = jmx;
        return b;
    }

    /** Builds an {@link AsyncIoConfig}; every setter returns this builder. */
    public static final class Builder {
        private String backend;
        private int maxEvents = 1024;
        private int queueDepth = 4096;
        private int maxOperations = 1 << 20;
        private int maxHandles = 1 << 20;
        private boolean zeroCopy;
        private boolean pollBusy;
        private java.time.Duration pollTimeout;
        private int batchWaitMicros;
        private int zeroCopyThreshold = DEFAULT_ZERO_COPY_THRESHOLD;
        private Consumer<Throwable> uncaughtHandler = PRINT_STACK_TRACE;
        private boolean jmx = true;

        private Builder() {
        }

        /** @param name a provider name, or {@code null} for the best available */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /** @param n events taken from the kernel per poll */
        public Builder maxEvents(int n) {
            this.maxEvents = n;
            return this;
        }

        /** @param n submission queue entries (completion backends) and initial operation slots */
        public Builder queueDepth(int n) {
            this.queueDepth = n;
            return this;
        }

        /** @param n the most operations pending at once */
        public Builder maxOperations(int n) {
            this.maxOperations = n;
            return this;
        }

        /** @param n the most handles open at once */
        public Builder maxHandles(int n) {
            this.maxHandles = n;
            return this;
        }

        /** @param on allow zero-copy sends where the backend has them */
        public Builder zeroCopy(boolean on) {
            this.zeroCopy = on;
            return this;
        }

        /** Sets {@link AsyncIoConfig#zeroCopyThreshold()}, in bytes (at least 1). */
        public Builder zeroCopyThreshold(int bytes) {
            this.zeroCopyThreshold = bytes;
            return this;
        }

        /** @param on spin in {@link AsyncIo#run()} instead of blocking */
        public Builder pollBusy(boolean on) {
            this.pollBusy = on;
            return this;
        }

        /** @param millis the longest one poll of {@link AsyncIo#run()} blocks; -1 for no limit */
        public Builder pollTimeoutMillis(long millis) {
            this.pollTimeout = millis(millis);
            return this;
        }

        /**
         * @param timeout the longest one poll of {@link AsyncIo#run()} blocks, of any precision;
         *                {@code null} for no limit
         * @since 1.1
         */
        public Builder pollTimeout(java.time.Duration timeout) {
            this.pollTimeout = timeout;
            return this;
        }

        /** @param micros how long a poll may wait for a read after sends on its connection; 0: never */
        public Builder batchWaitMicros(int micros) {
            this.batchWaitMicros = micros;
            return this;
        }

        /** @param handler receives exceptions thrown by handlers and tasks */
        public Builder uncaughtHandler(Consumer<Throwable> handler) {
            this.uncaughtHandler = handler;
            return this;
        }

        /**
         * @param on register the loop as a platform MXBean while it is open (default true);
         *           false for a loop that must not show up there
         * @since 1.1
         */
        public Builder jmx(boolean on) {
            this.jmx = on;
            return this;
        }

        /** @return the configuration; throws {@link IllegalArgumentException} on a bad value */
        public AsyncIoConfig build() {
            return new AsyncIoConfig(backend, maxEvents, queueDepth, maxOperations, maxHandles, zeroCopy, pollBusy,
                    pollTimeout, batchWaitMicros, zeroCopyThreshold, uncaughtHandler, jmx);
        }
    }
}
