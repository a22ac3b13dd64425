package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 2: 200,000 connect / exchange / close cycles (2,000,000 with -Daio.soak=true), 500
 * in flight at a time, each with a guard timer that is cancelled when the cycle ends. Descriptors,
 * handle and operation slots, timers and native memory are measured at a quiet moment after a
 * warm-up and again at the end: they must not have grown. The loop's tables are also capped
 * (maxHandles, maxOperations) at a few times what 500 cycles need, so a leaked slot would soon
 * surface as EMFILE / ENOBUFS.
 */
class ChurnIT {

    static final int CYCLES = Reliability.scaled(200_000);
    static final int WARM_UP = 20_000;
    static final int IN_FLIGHT = 500;
    static final int LISTENERS = 4;
    static final int MESSAGE = 64;
    static final long NMT_SLACK_KB = 1024;

    /** One connect/exchange/close cycle's state; reused by the cycles that slot runs. */
    private static final class Slot {
        final int index;
        final MemorySegment out;
        final MemorySegment in;
        long cycle;
        long client;
        long guard;
        boolean clientDone;

        Slot(int index, Arena arena) {
            this.index = index;
            this.out = arena.allocate(MESSAGE, 8);
            this.in = arena.allocate(MESSAGE, 8);
        }
    }

    private final List<String> failures = new ArrayList<>();
    /** Server ends' buffers: an accept may take any slot's connection, so they are pooled, not per slot. */
    private final java.util.ArrayDeque<MemorySegment> serverBuffers = new java.util.ArrayDeque<>();
    private long started;
    private long finished;
    private long serversClosed;
    private long guardsFired;

    @ContractTest
    void connectExchangeCloseCyclesLeakNothing(Backend backend) {
        CancellationContractTest.warmUp(backend);
        int maxHandles = 2 * IN_FLIGHT + LISTENERS + 64;
        int maxOperations = 6 * IN_FLIGHT + 64;
        long t0 = System.nanoTime();
        int fdsBefore = Fds.count();
        try (Arena arena = Arena.ofConfined();
             TestLoop loop = new TestLoop(backend, backend.create(backend.config().maxHandles(maxHandles)
                     .maxOperations(maxOperations).queueDepth(Math.min(4096, maxOperations)).build()))) {
            AsyncIo io = loop.io();
            long[] listeners = new long[LISTENERS];
            InetSocketAddress[] addresses = new InetSocketAddress[LISTENERS];
            for (int i = 0; i < LISTENERS; i++) {
                listeners[i] = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
                addresses[i] = io.localAddress(listeners[i]);
            }
            Slot[] slots = new Slot[IN_FLIGHT];
            for (int i = 0; i < IN_FLIGHT; i++) {
                slots[i] = new Slot(i, arena);
                serverBuffers.add(arena.allocate(MESSAGE, 8));
            }
            IoStats start = io.stats();

            // Warm-up, then a quiet moment: the reference point.
            runCycles(loop, io, slots, listeners, addresses, WARM_UP);
            Snapshot warm = Snapshot.take(io);
            // The rest, then the same quiet moment.
            runCycles(loop, io, slots, listeners, addresses, CYCLES);
            Snapshot end = Snapshot.take(io);
            long seconds = Math.max(1, (System.nanoTime() - t0) / 1_000_000_000L);

            IoStats d = io.stats().minus(start);
            assertEquals(CYCLES, d.connects(), "connects");
            assertEquals(CYCLES, d.accepts(), "accepts");
            assertEquals(2L * CYCLES, d.closes(), "closes");
            assertEquals(0, guardsFired, "guard timers that fired (a cycle took over 30 s)");
            assertEquals(CYCLES, d.errors(), "errors: exactly the cancelled guard timers (ECANCELED), " + d);
            assertEquals(2L * CYCLES * MESSAGE, d.bytesRead(), "bytes read");
            assertEquals(2L * CYCLES * MESSAGE, d.bytesWritten(), "bytes written");

            Reliability.report(backend.name(), CYCLES + " connect/exchange/close cycles (" + IN_FLIGHT
                    + " in flight) in " + seconds + " s; after warm-up " + warm + "; at the end " + end);
            assertEquals(warm.fds, end.fds, "descriptors grew after warm-up");
            assertEquals(0, end.pending, "operation slots still taken at the end");
            assertEquals(LISTENERS, end.handles, "handles still open at the end (only the listeners should be)");
            assertEquals(0, end.timers, "timers left in the heap (every guard timer was cancelled)");
            if (warm.nmtKb >= 0) {
                assertTrue(end.nmtKb - warm.nmtKb <= NMT_SLACK_KB, "native memory (NMT Other) grew from " + warm.nmtKb
                        + " KB after warm-up to " + end.nmtKb + " KB at the end");
            } else {
                Reliability.report(backend.name(), Reliability.NMT_OFF);
            }
            for (long l : listeners) {
                assertTrue(io.close(l));
            }
        }
        Fds.assertCount(fdsBefore, "descriptors after the loop closed");
    }

    /** The process and loop at a quiet moment (no cycle in flight). */
    private record Snapshot(int fds, int pending, int handles, int timers, long nmtKb, long rssKb) {
        static Snapshot take(AsyncIo io) {
            System.gc();
            return new Snapshot(Fds.count(), Reliability.pendingOperations(io), Reliability.openHandles(io),
                    Reliability.timers(io), Reliability.nativeOtherKb(), Reliability.rssKb());
        }

        @Override
        public String toString() {
            return "fds=" + fds + " pendingOps=" + pending + " handles=" + handles + " timers=" + timers
                    + " nmtOther=" + nmtKb + "KB rss=" + rssKb + "KB";
        }
    }

    /** Runs cycles until {@code total} have finished since the test began, IN_FLIGHT at a time. */
    private void runCycles(TestLoop loop, AsyncIo io, Slot[] slots, long[] listeners, InetSocketAddress[] at, long total) {
        for (Slot s : slots) {
            if (started < total) startCycle(io, s, listeners, at, total);
        }
        loop.await(total + " cycles", Duration.ofMinutes(30), () -> !failures.isEmpty()
                || (finished == total && serversClosed == total));
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: "
                + failures.subList(0, Math.min(10, failures.size())));
        loop.pollFor(Duration.ofMillis(20)); // cancelled guard timers' completions
    }

    private void startCycle(AsyncIo io, Slot s, long[] listeners, InetSocketAddress[] at, long total) {
        long cycle = started++;
        s.cycle = cycle;
        s.clientDone = false;
        int l = (int) (cycle % LISTENERS);
        s.guard = io.schedule(Duration.ofSeconds(30).toNanos(), e -> {
            if (e.result() == 0) {
                guardsFired++;
                failures.add("cycle " + cycle + " still running after 30 s");
            } else if (e.result() != -Errno.ECANCELED.code()) {
                failures.add("guard timer: " + e);
            }
        }, cycle);
        io.accept(listeners[l], e -> {
            if (e.result() <= 0) {
                failures.add("accept: " + e);
                return;
            }
            MemorySegment buf = serverBuffers.poll();
            if (buf == null) {
                failures.add("more server ends open than cycles in flight");
                return;
            }
            serve(io, e.result(), buf);
        });
        s.out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, cycle);
        Bytes.fill(s.out.asSlice(8), cycle);
        s.client = io.connect(at[l], e -> {
            if (e.result() != 0) {
                failures.add("connect of cycle " + cycle + ": " + e);
                return;
            }
            io.write(s.client, s.out, w -> {
                if (w.result() != MESSAGE) failures.add("client write of cycle " + cycle + ": " + w);
            });
            ConnectionsIT.readFully(io, s.client, s.in, 0, failures, () -> {
                long diff = s.out.mismatch(s.in);
                if (diff >= 0) failures.add("cycle " + cycle + ": echo differs at byte " + diff);
                if (!io.close(s.client)) failures.add("cycle " + cycle + ": client handle already closed");
                if (!io.cancel(s.guard)) failures.add("cycle " + cycle + ": guard timer not pending");
                finished++;
                if (started < total) startCycle(io, s, listeners, at, total);
            });
        }, cycle);
    }

    /** Server end: read the message (an 8-byte cycle number and seeded bytes), check it, echo it, close. */
    private void serve(AsyncIo io, long h, MemorySegment buf) {
        ConnectionsIT.readFully(io, h, buf, 0, failures, () -> {
            long cycle = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment expected = Bytes.random(a, MESSAGE - 8, cycle);
                if (expected.mismatch(buf.asSlice(8)) >= 0) failures.add("server: message of cycle " + cycle + " corrupt");
            }
            io.write(h, buf, w -> {
                if (w.result() != MESSAGE) failures.add("server echo of cycle " + cycle + ": " + w);
                // The server closes first: TIME_WAIT stays on the listener's side, not on client ports.
                if (!io.close(h)) failures.add("server handle of cycle " + cycle + " already closed");
                serversClosed++;
                serverBuffers.add(buf);
            });
        });
    }
}
