package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.unix.readiness.ReadinessEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MSG_ZEROCOPY on epoll: a zero-copy write is reported only once every notice of its sends was
 * taken from the socket's error queue: in each write's handler, every zero-copy send made so far
 * has been noticed.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll is Linux-only")
class EpollZeroCopyTest {

    @Test
    void aCancelledWriteWhoseBytesAreAllSentCompletesWithItsLength() {
        // The kernel still reads its pages until the notices: cancelling cannot give the buffer back
        // early, and the write reports what it did (all of it), as the contract says of a cancel that came too late.
        AsyncIoConfig config = AsyncIoConfig.builder().backend(EpollProvider.NAME).zeroCopy(true).zeroCopyThreshold(16 * 1024).build();
        try (Arena arena = Arena.ofConfined(); AsyncIo io = AsyncIo.create(config)) {
            long client = pair(io)[0];
            MemorySegment data = arena.allocate(32 * 1024);
            long[] result = {Long.MIN_VALUE};
            long op = io.write(client, data, e -> result[0] = e.result()); // sent at once: the socket is empty
            ReadinessEngine engine = (ReadinessEngine) ((Loop) io).driver();
            assertEquals(1, engine.zeroCopyCounts()[0] - engine.zeroCopyCounts()[1], "sent, its notice not taken yet");
            assertTrue(io.cancel(op));
            for (int i = 0; i < 200 && result[0] == Long.MIN_VALUE; i++) io.poll(50);
            assertEquals(data.byteSize(), result[0], "the whole write, not ECANCELED");
        }
    }

    @Test
    void aZeroCopyWriteIsReportedOnlyAfterItsNotices() {
        AsyncIoConfig config = AsyncIoConfig.builder().backend(EpollProvider.NAME).zeroCopy(true).zeroCopyThreshold(16 * 1024).build();
        try (Arena arena = Arena.ofConfined(); AsyncIo io = AsyncIo.create(config)) {
            long[] pair = pair(io);
            long client = pair[0];
            long[] server = {pair[1]};

            ReadinessEngine engine = (ReadinessEngine) ((Loop) io).driver();
            List<Long> leftAtCompletion = new ArrayList<>();
            List<Long> results = new ArrayList<>();
            MemorySegment data = arena.allocate(256 * 1024);
            int writes = 20;
            // One write at a time, the next started from the handler: when a write is reported, no
            // later send has been made, so every zero-copy send so far must have had its notice.
            CompletionHandler[] next = new CompletionHandler[1];
            next[0] = (IoEvent e) -> {
                results.add(e.result());
                long[] zc = engine.zeroCopyCounts();
                leftAtCompletion.add(zc[0] - zc[1]);
                if (results.size() < writes) io.write(client, data, next[0]);
            };
            io.write(client, data, next[0]);
            MemorySegment sink = arena.allocate(64 * 1024);
            long[] got = {0};
            while (results.size() < writes || got[0] < (long) writes * data.byteSize()) {
                if (got[0] < (long) writes * data.byteSize()) {
                    long[] n = {-1};
                    io.read(server[0], sink, e -> n[0] = e.result());
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (n[0] < 0) {
                        assertTrue(System.nanoTime() < deadline, "stalled after " + got[0] + " bytes, " + results.size() + " writes; " + io.stats());
                        io.poll(50);
                    }
                    assertTrue(n[0] > 0);
                    got[0] += n[0];
                } else {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    assertTrue(System.nanoTime() < deadline);
                    io.poll(50);
                }
            }
            for (int i = 0; i < writes; i++) {
                assertEquals(data.byteSize(), results.get(i), "write " + i);
                assertEquals(0, leftAtCompletion.get(i), "zero-copy sends without their notice when write " + i + " was reported");
            }
            assertEquals(0, io.stats().errors());
            long[] zc = engine.zeroCopyCounts();
            assertTrue(zc[0] >= writes, "every 256 KiB write went zero-copy: " + zc[0] + " zero-copy sends");
            assertEquals(zc[0], zc[1], "every zero-copy send noticed");
        }
    }

    /** {client, server} connected on loopback through {@code io}. */
    private static long[] pair(AsyncIo io) {
        long listener = io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        long[] server = {0};
        io.accept(listener, e -> server[0] = e.result());
        long[] connected = {-1};
        long client = io.connect(io.localAddress(listener), e -> connected[0] = e.result());
        for (int i = 0; i < 200 && (server[0] == 0 || connected[0] < 0); i++) io.poll(50);
        assertEquals(0, connected[0], "connected");
        assertTrue(server[0] > 0, "accepted");
        return new long[] {client, server[0]};
    }
}
