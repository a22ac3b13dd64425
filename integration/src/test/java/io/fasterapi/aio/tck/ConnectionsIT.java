package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 1: 10,000 connections held open at once on one loop (both ends: 20,000 handles),
 * each exchanging verified data; then all closed, and the process's descriptors and native memory
 * (NMT "Other") back where they started. An *IT class: Failsafe's JVM runs with NMT.
 */
class ConnectionsIT {

    static final int CONNECTIONS = 10_000;
    /** Connects submitted at once (the listen backlog is 1,024). */
    static final int BATCH = 500;
    /** Each client sends a 16-byte header (index, seed) and this much seeded payload; the server echoes it. */
    static final int PAYLOAD = 1024;
    static final int MESSAGE = 16 + PAYLOAD;
    /** Native memory allowed to stay after everything closed: NMT's own noise, not a per-connection cost. */
    static final long NMT_SLACK_KB = 1024;

    @ContractTest
    void tenThousandConnectionsHeldExchangedAndReleased(Backend backend) {
        Fds.assumeCountable();
        Reliability.assumeRlimit();
        int rounds = Reliability.SOAK ? 5 : 1;
        long needed = 2L * CONNECTIONS + Fds.count() + 1024;
        Reliability.NoFile limitBefore = Reliability.noFile();
        Reliability.NoFile restore = Reliability.ensureNoFile(needed);
        Reliability.NoFile now = Reliability.noFile();
        assertTrue(now.soft() >= needed, "RLIMIT_NOFILE is " + now + " and could not be raised to " + needed
                + ": 10,000 connections with both ends in this process need 20,000 descriptors");
        Reliability.report(backend.name(), "RLIMIT_NOFILE " + limitBefore + (restore != null ? ", raised to " + now : ""));
        try {
            CancellationContractTest.warmUp(backend);
            for (int round = 0; round < rounds; round++) {
                oneRound(backend, round);
            }
        } finally {
            if (restore != null) Reliability.setNoFile(restore);
        }
    }

    private static void oneRound(Backend backend, int round) {
        System.gc();
        int fdsBefore = Fds.count();
        long nmtBefore = Reliability.nativeOtherKb();
        long rssBefore = Reliability.rssKb();
        long started = System.nanoTime();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try (TestLoop loop = backend.open(); Arena arena = Arena.ofConfined()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress at = io.localAddress(listener);
            int fdsWithLoop = Fds.count();
            IoStats start = io.stats();

            MemorySegment clientOut = arena.allocate((long) CONNECTIONS * MESSAGE, 8);
            MemorySegment clientIn = arena.allocate((long) CONNECTIONS * MESSAGE, 8);
            MemorySegment serverBuf = arena.allocate((long) CONNECTIONS * MESSAGE, 8);
            long[] clients = new long[CONNECTIONS];
            long[] servers = new long[CONNECTIONS];
            int[] accepted = {0};
            int[] connected = {0};
            int[] serverVerified = {0};
            int[] clientVerified = {0};

            // Connect in batches (the listen backlog is finite), holding every connection open.
            for (int from = 0; from < CONNECTIONS; from += BATCH) {
                int to = Math.min(CONNECTIONS, from + BATCH);
                for (int i = from; i < to; i++) {
                    io.accept(listener, e -> {
                        if (e.result() <= 0) {
                            failures.add("accept: " + e);
                            return;
                        }
                        int j = accepted[0]++;
                        servers[j] = e.result();
                        serve(io, e.result(), serverBuf.asSlice((long) j * MESSAGE, MESSAGE), failures, serverVerified);
                    });
                    int k = i;
                    clients[i] = io.connect(at, e -> {
                        if (e.result() != 0) {
                            failures.add("connect " + k + ": " + e);
                            return;
                        }
                        connected[0]++;
                        MemorySegment out = clientOut.asSlice((long) k * MESSAGE, MESSAGE);
                        long seed = 0x5eedL * (k + 1) + round;
                        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, k);
                        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, seed);
                        Bytes.fill(out.asSlice(16), seed);
                        MemorySegment in = clientIn.asSlice((long) k * MESSAGE, MESSAGE);
                        io.write(clients[k], out, w -> {
                            if (w.result() != MESSAGE) failures.add("client write " + k + ": " + w);
                        });
                        readFully(io, clients[k], in, 0, failures, () -> {
                            long at2 = out.mismatch(in);
                            if (at2 >= 0) {
                                failures.add("client " + k + ": echo differs at byte " + at2);
                            } else {
                                clientVerified[0]++;
                            }
                        });
                    });
                }
                int t = to;
                loop.await(t + " connections up", () -> !failures.isEmpty() || (accepted[0] == t && connected[0] == t));
                assertTrue(failures.isEmpty(), () -> failures.subList(0, Math.min(10, failures.size())).toString());
            }
            loop.await("every connection's echo verified", () -> !failures.isEmpty()
                    || (clientVerified[0] == CONNECTIONS && serverVerified[0] == CONNECTIONS));
            assertTrue(failures.isEmpty(), () -> failures.subList(0, Math.min(10, failures.size())).toString());
            long upMillis = (System.nanoTime() - started) / 1_000_000;

            // All 10,000 are open at once: each end holds a descriptor and a handle, and waits in a read.
            assertEquals(fdsWithLoop + 2 * CONNECTIONS, Fds.count(), "descriptors with every connection open");
            assertEquals(2 * CONNECTIONS + 1, Reliability.openHandles(io), "open handles");
            int[] cancelled = {0};
            int[] endOfStream = {0};
            for (int i = 0; i < CONNECTIONS; i++) {
                for (long h : new long[] {clients[i], servers[i]}) {
                    io.read(h, arena.allocate(1), e -> {
                        // ECANCELED; or, on a completion backend, end of stream when the peer's
                        // close reached the kernel's read before the cancel did (the contract allows it).
                        if (e.result() == -Errno.ECANCELED.code() || e.result() == 0) {
                            cancelled[0]++;
                            if (e.result() == 0) endOfStream[0]++;
                        } else {
                            failures.add("held read: " + e);
                        }
                    });
                }
            }
            loop.pollFor(java.time.Duration.ofMillis(200));
            assertEquals(2 * CONNECTIONS, Reliability.pendingOperations(io), () -> "pending reads while held; "
                    + Reliability.tables(io) + " failures " + failures);
            long rssHeld = Reliability.rssKb();
            long nmtHeld = Reliability.nativeOtherKb();

            for (int i = 0; i < CONNECTIONS; i++) {
                assertTrue(io.close(servers[i]), "close of an accepted handle");
                assertTrue(io.close(clients[i]), "close of a connected handle");
            }
            loop.await("every held read cancelled", () -> cancelled[0] == 2 * CONNECTIONS || !failures.isEmpty());
            assertTrue(failures.isEmpty(), () -> failures.subList(0, Math.min(10, failures.size())).toString());
            assertEquals(fdsWithLoop, Fds.count(), "descriptors after closing every connection, loop open");
            assertEquals(0, Reliability.pendingOperations(io), () -> "pending operations: " + Reliability.tables(io));
            assertEquals(1, Reliability.openHandles(io), "open handles: the listener");
            IoStats d = io.stats().minus(start);
            assertEquals(CONNECTIONS, d.accepts(), "accepts");
            assertEquals(CONNECTIONS, d.connects(), "connects");
            assertEquals(2L * CONNECTIONS, d.closes(), "closes");
            assertEquals(2L * CONNECTIONS - endOfStream[0], d.errors(), "errors: exactly the cancelled held reads, " + d);
            assertEquals(2L * CONNECTIONS * MESSAGE, d.bytesWritten(), "bytes written");
            assertEquals(2L * CONNECTIONS * MESSAGE, d.bytesRead(), "bytes read");
            assertTrue(io.close(listener));
            Reliability.report(backend.name(), "round " + round + ": " + CONNECTIONS + " connections ("
                    + 2 * CONNECTIONS + " handles) up and echoed in " + upMillis + " ms; held: RSS " + rssHeld
                    + " KB (before " + rssBefore + " KB), NMT Other " + nmtHeld + " KB (before " + nmtBefore + " KB)");
        }
        assertEquals(fdsBefore, Fds.count(), "descriptors after the loop closed");
        if (nmtBefore < 0) {
            Reliability.report(backend.name(), Reliability.NMT_OFF);
            return;
        }
        System.gc();
        long nmtAfter = Reliability.nativeOtherKb();
        Reliability.report(backend.name(), "round " + round + ": after close, descriptors " + Fds.count() + " (before "
                + fdsBefore + "), NMT Other " + nmtAfter + " KB (before " + nmtBefore + " KB)");
        assertTrue(nmtAfter - nmtBefore <= NMT_SLACK_KB, "native memory (NMT Other) grew from " + nmtBefore
                + " KB to " + nmtAfter + " KB across 10,000 connections opened and closed");
    }

    /** Server side: read a whole message, check it against its header's seed, echo it. */
    private static void serve(AsyncIo io, long h, MemorySegment buf, List<String> failures, int[] verified) {
        readFully(io, h, buf, 0, failures, () -> {
            long k = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            long seed = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment expected = Bytes.random(a, PAYLOAD, seed);
                long at = expected.mismatch(buf.asSlice(16));
                if (at >= 0) {
                    failures.add("server: message of client " + k + " differs at payload byte " + at);
                    return;
                }
            }
            verified[0]++;
            io.write(h, buf, w -> {
                if (w.result() != MESSAGE) failures.add("server echo of client " + k + ": " + w);
            });
        });
    }

    /** Reads until {@code buf} is full, then runs {@code then}. */
    static void readFully(AsyncIo io, long h, MemorySegment buf, long off, List<String> failures, Runnable then) {
        io.read(h, buf.asSlice(off), e -> {
            if (e.result() <= 0) {
                failures.add("read at " + off + " of " + buf.byteSize() + ": " + e);
                return;
            }
            long next = off + e.result();
            if (next == buf.byteSize()) {
                then.run();
            } else {
                readFully(io, h, buf, next, failures, then);
            }
        });
    }
}
