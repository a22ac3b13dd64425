package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.unix.readiness.ReadinessEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * recvmmsg on epoll (Linux): receives queued on one UDP socket are served by one system call for the
 * datagrams waiting, each completed in order with its own bytes, sender and truncation.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "recvmmsg is Linux's")
class DatagramBatchTest {

    @Test
    void waitingDatagramsAreTakenInOneCallAndCompletedInOrder() throws Exception {
        try (Arena arena = Arena.ofConfined(); AsyncIo io = AsyncIo.create(AsyncIoConfig.builder().backend(EpollProvider.NAME).build());
             DatagramChannel peer = DatagramChannel.open()) {
            long u = io.openDatagram(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            peer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress to = io.localAddress(u);
            // Ten datagrams wait in the socket before any receive is asked: sizes 1..10, the last longer than its buffer.
            for (int i = 1; i <= 10; i++) {
                ByteBuffer b = ByteBuffer.allocate(i == 10 ? 50 : i);
                while (b.hasRemaining()) b.put((byte) i);
                peer.send(b.flip(), to);
            }
            io.poll(0); // the socket's first edge: nothing asked yet
            List<long[]> got = new ArrayList<>();
            DatagramSender[] from = new DatagramSender[10];
            MemorySegment[] bufs = new MemorySegment[10];
            for (int i = 0; i < 10; i++) {
                int n = i;
                from[i] = new DatagramSender();
                bufs[i] = arena.allocate(20);
                io.receiveFrom(u, bufs[i], from[i], (IoEvent e) -> got.add(new long[] {n, e.result(), e.flags()}), 0);
            }
            for (int t = 0; t < 100 && got.size() < 10; t++) io.poll(20);
            ReadinessEngine engine = (ReadinessEngine) ((Loop) io).driver();
            long[] batches = engine.datagramBatches();
            assertEquals(10, got.size());
            assertEquals(10, batches[1], "every datagram came through recvmmsg");
            assertTrue(batches[0] <= 2, batches[0] + " recvmmsg calls for 10 waiting datagrams");
            for (int i = 0; i < 10; i++) {
                long[] g = got.get(i);
                assertEquals(i, g[0], "completed in order");
                assertEquals(i == 9 ? 20 : i + 1, g[1], "datagram " + (i + 1));
                assertEquals(i == 9 ? IoEvent.TRUNCATED : 0, g[2] & IoEvent.TRUNCATED, "datagram " + (i + 1));
                assertEquals((byte) (i + 1), bufs[i].get(ValueLayout.JAVA_BYTE, 0));
                assertTrue(from[i].is((InetSocketAddress) peer.getLocalAddress()), from[i].toString());
            }
            assertEquals(10, io.stats().datagramsReceived());
        }
    }
}
