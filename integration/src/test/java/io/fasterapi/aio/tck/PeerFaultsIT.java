package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 4 (without the HTTP server's slow-client timeouts, which belong to the server):
 * peers that reset mid-write, half-close, or never read, played by java.net.Socket so that the
 * peer's behaviour is the JDK's, not the library's.
 */
class PeerFaultsIT {

    private static final int E_RESET = -Errno.ECONNRESET.code();
    private static final int E_PIPE = -Errno.EPIPE.code();


    @ContractTest
    void peerResetMidWriteIsReportedAndNothingDies(Backend backend) throws Exception {
        CancellationContractTest.warmUp(backend);
        Reliability.warmUpJdkSockets();
        int peers = Reliability.scaled(20);
        int fdsBefore = Fds.count();
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            MemorySegment huge = arena.allocate(PendingCancellationContractTest.HUGE);
            int writeResets = 0;
            int writePipes = 0;
            for (int i = 0; i < peers; i++) {
                Socket peer = new Socket();
                long h = loop.acceptPeer(listener, peer);
                Completion w = new Completion();
                io.write(h, huge, w, i);
                // The peer reads a random amount (0 to 1 MB), then closes with SO_LINGER 0: a RST.
                int readFirst = random.nextInt(1 << 20);
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        InputStream in = peer.getInputStream();
                        byte[] b = new byte[65536];
                        int got = 0;
                        while (got < readFirst) {
                            int n = in.read(b, 0, Math.min(b.length, readFirst - got));
                            if (n < 0) break;
                            got += n;
                        }
                        peer.setSoLinger(true, 0);
                        peer.close();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                loop.await("the write to a peer that resets", w::done);
                reader.join();
                IoEvent.Snapshot e = w.event();
                assertEquals(Operation.WRITE, e.operation());
                assertTrue(e.result() == E_RESET || e.result() == E_PIPE,
                        () -> "a write the peer reset completes with -ECONNRESET or -EPIPE, got " + e);
                if (e.result() == E_RESET) writeResets++; else writePipes++;
                // A write after the reset fails too, a read sees the reset (or end of stream after it).
                Completion w2 = new Completion();
                io.write(h, arena.allocate(16), w2);
                Completion r = new Completion();
                io.read(h, arena.allocate(16), r);
                loop.await("a write and a read after the reset", () -> w2.done() && r.done());
                assertTrue(w2.result() == E_PIPE || w2.result() == E_RESET, () -> "write after a reset: " + w2);
                assertTrue(r.result() == E_RESET || r.result() == 0, () -> "read after a reset: " + r);
                assertTrue(io.close(h));
            }
            loop.assertStillWorks();
            assertTrue(io.close(listener));
            Reliability.report(backend.name(), peers + " peers reset mid-write (SO_LINGER 0): writes completed with "
                    + "-ECONNRESET " + writeResets + "x, -EPIPE " + writePipes + "x; the process lives");
        }
        Fds.assertCount(fdsBefore, "descriptors after every reset connection closed");
    }

    @ContractTest
    void peerHalfCloseGivesEndOfStreamAndWritesStillWork(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(); Socket peer = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            long h = loop.acceptPeer(listener, peer);
            // The peer sends, then shuts its output down.
            byte[] hello = "hello, then FIN".getBytes();
            peer.getOutputStream().write(hello);
            peer.shutdownOutput();
            MemorySegment got = loop.readExactly(h, hello.length, arena);
            assertArrayEquals(hello, got.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            loop.assertEndOfStream(h, arena);
            loop.assertEndOfStream(h, arena); // end of stream stays
            // Writes still work: 1 MB the peer reads and checks.
            MemorySegment data = Bytes.random(arena, 1 << 20, 11);
            AtomicReference<byte[]> received = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    received.set(peer.getInputStream().readAllBytes());
                } catch (Exception e) {
                    received.set(new byte[0]);
                }
            });
            loop.writeAll(h, data);
            io.shutdownOutput(h); // and our side's FIN ends the peer's readAllBytes
            loop.await("the peer to read 1 MB and our FIN", () -> !reader.isAlive());
            assertArrayEquals(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), received.get(),
                    "bytes written after the peer's half-close");
            assertTrue(io.close(h));

            // The other way round: we half-close, the peer sees end of stream and can still send.
            try (Socket peer2 = new Socket()) {
                long h2 = loop.acceptPeer(listener, peer2);
                io.shutdownOutput(h2);
                assertEquals(-1, peer2.getInputStream().read(), "the peer sees our FIN");
                byte[] after = "sent after your FIN".getBytes();
                peer2.getOutputStream().write(after);
                assertArrayEquals(after, loop.readExactly(h2, after.length, arena)
                        .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                assertTrue(io.close(h2));
            }
            assertTrue(io.close(listener));
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void peerThatNeverReadsStallsWritesWithoutBuffering(Backend backend) throws Exception {
        int chunk = 64 * 1024;
        int writes = Reliability.scaled(1000);
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(); Socket peer = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            long h = loop.acceptPeer(listener, peer);
            // Each write has bytes of its own, stamped with its index, so the peer checks the order
            // and the content of everything it gets. Allocated before the first measurement.
            MemorySegment data = Bytes.random(arena, (long) writes * chunk, 3);
            for (int i = 0; i < writes; i++) {
                data.set(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * chunk, i);
            }
            System.gc();
            long nmtBefore = Reliability.nativeOtherKb();
            long rssBefore = Reliability.rssKb();
            int pendingBefore = Reliability.pendingOperations(io);
            // 1,000 writes of 64 KB: 64 MB the peer never reads. The library copies nothing, so they
            // cost operation slots, not memory.
            List<Long> order = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                io.write(h, data.asSlice((long) i * chunk, chunk), e -> {
                    if (e.result() != chunk) failures.add("write " + e.userData() + ": " + e);
                    order.add(e.userData());
                }, i);
            }
            loop.pollFor(Duration.ofMillis(500));
            int stalledAt = order.size();
            loop.pollFor(Duration.ofMillis(300));
            assertEquals(stalledAt, order.size(), "writes still completing 300 ms after the peer's buffers filled");
            assertTrue(stalledAt < writes, "every write completed although the peer never read: " + stalledAt);
            assertEquals(writes - stalledAt, Reliability.pendingOperations(io) - pendingBefore,
                    () -> "pending writes; " + Reliability.tables(io));
            System.gc();
            long nmtStalled = Reliability.nativeOtherKb();
            long rssStalled = Reliability.rssKb();
            Reliability.report(backend.name(), "peer never reads: " + stalledAt + " of " + writes + " 64 KB writes completed ("
                    + (long) stalledAt * chunk / 1024 + " KB in socket buffers), " + (writes - stalledAt)
                    + " pending; NMT Other " + nmtBefore + " -> " + nmtStalled + " KB, RSS " + rssBefore + " -> "
                    + rssStalled + " KB");
            if (nmtBefore >= 0) {
                assertTrue(nmtStalled - nmtBefore < 4096, "native memory grew by " + (nmtStalled - nmtBefore)
                        + " KB with " + (writes - stalledAt) + " writes pending: the library buffers them");
            } else {
                Reliability.report(backend.name(), Reliability.NMT_OFF);
            }
            assertTrue(rssStalled - rssBefore < 32 * 1024, "RSS grew by " + (rssStalled - rssBefore)
                    + " KB with " + (writes - stalledAt) + " 64 KB writes pending (64 MB if copied)");

            // Now the peer reads everything: every write completes, in order, and every byte is right.
            long total = (long) writes * chunk;
            byte[] expectedAll = data.toArray(ValueLayout.JAVA_BYTE); // the reader thread cannot touch a confined segment
            AtomicLong read = new AtomicLong();
            AtomicReference<String> bad = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    InputStream in = peer.getInputStream();
                    byte[] b = new byte[chunk];
                    while (read.get() < total) {
                        int off = 0;
                        while (off < chunk) {
                            int n = in.read(b, off, chunk - off);
                            if (n < 0) throw new java.io.EOFException("at " + read.get());
                            off += n;
                        }
                        long k = read.get() / chunk;
                        int from = (int) (k * chunk);
                        if (!Arrays.equals(b, 0, chunk, expectedAll, from, from + chunk)) {
                            long stamp = MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                            bad.compareAndSet(null, "chunk " + k + " differs; it carries the stamp of write " + stamp);
                        }
                        read.addAndGet(chunk);
                    }
                } catch (Exception e) {
                    bad.compareAndSet(null, e.toString());
                }
            });
            loop.await("every write once the peer reads", Duration.ofMinutes(1), () -> order.size() == writes);
            reader.join(30_000);
            assertFalse(reader.isAlive(), "the peer read everything");
            assertEquals(null, bad.get(), "bytes the peer read");
            assertEquals(total, read.get(), "bytes the peer read");
            assertTrue(failures.isEmpty(), failures::toString);
            for (int i = 0; i < writes; i++) {
                assertEquals(i, order.get(i), "writes complete in submission order");
            }
            assertEquals(pendingBefore, Reliability.pendingOperations(io), "pending operations after the drain");
            assertTrue(io.close(h));
            assertTrue(io.close(listener));
            loop.assertStillWorks();
        }
    }
}
