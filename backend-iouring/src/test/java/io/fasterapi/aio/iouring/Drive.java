package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.CompletionEngine;
import io.fasterapi.aio.core.Loop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test-only driver for io_uring loops in this module (the integration TCK helpers live in another
 * module): polls until a condition holds, records completions, fails on handler exceptions.
 */
final class Drive {
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("aio.tck.timeoutSeconds", 30));
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AsyncIo io;

    Drive(AsyncIoConfig.Builder config) {
        this.io = AsyncIo.create(config.backend(IoUringProvider.NAME).uncaughtHandler(failures::add).build());
        assertEquals(IoUringProvider.NAME, io.backend());
    }

    Drive() {
        this(AsyncIoConfig.builder());
    }

    /** A loop whose ring tries only {@code preferences} (the package-private hook for fallback tests). */
    Drive(AsyncIoConfig.Builder config, int[] preferences) {
        AsyncIoConfig c = config.backend(IoUringProvider.NAME).uncaughtHandler(failures::add).build();
        this.io = new Loop(IoUringProvider.NAME, c, ctx -> new CompletionEngine(ctx, new IoUringKernel(c, preferences)));
    }

    void check() {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a handler threw on the loop thread: " + failures.getFirst(), failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Polls until {@code done}; returns the most completions one poll delivered. */
    int await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int most = 0;
        while (!done.getAsBoolean()) {
            check();
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) fail("timed out after " + TIMEOUT.toMillis() + " ms waiting for " + what + "; " + io.stats());
            most = Math.max(most, io.poll(Math.min(left, 50)));
        }
        check();
        return most;
    }

    void pollFor(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        long left;
        while ((left = (deadline - System.nanoTime()) / 1_000_000) > 0) io.poll(Math.min(left, 20));
        io.poll(0);
        check();
    }

    long listen(int backlog) {
        return io.listen(new InetSocketAddress(LOOPBACK, 0), ListenOptions.defaults().withBacklog(backlog));
    }

    /** {client, server} connected through the loop to {@code listener}. */
    long[] pair(long listener) {
        Rec a = new Rec();
        Rec c = new Rec();
        io.accept(listener, a);
        long client = io.connect(io.localAddress(listener), c);
        await("connect and accept", () -> a.done() && c.done());
        assertEquals(0, c.one().result(), () -> "CONNECT " + c);
        long server = a.one().result();
        if (server <= 0) fail("ACCEPT " + a);
        return new long[] {client, server};
    }

    void close() {
        if (io.isOpen()) io.close();
        check();
    }

    /** Records every completion. */
    static final class Rec implements CompletionHandler {
        final List<IoEvent.Snapshot> events = new ArrayList<>();

        @Override
        public void completed(IoEvent e) {
            events.add(e.snapshot());
        }

        boolean done() {
            return !events.isEmpty();
        }

        IoEvent.Snapshot one() {
            if (events.size() != 1) fail("expected exactly one completion, got " + events.size() + ": " + events);
            return events.getFirst();
        }

        void assertCancelled(Operation op) {
            IoEvent.Snapshot e = one();
            assertEquals(op, e.operation(), () -> "operation of " + e);
            assertEquals(-Errno.ECANCELED.code(), e.result(), () -> "expected ECANCELED: " + e);
        }

        @Override
        public String toString() {
            return "Rec" + events;
        }
    }
}
