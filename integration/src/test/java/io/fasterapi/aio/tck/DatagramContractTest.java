package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.DatagramOptions;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP (issue #14, item 2): openDatagram, sendTo, receiveFrom with the sender in a reusable holder,
 * connected mode, truncation reported, a full receive buffer survived, the datagram counters, misuse,
 * multicast, and socat as a peer we did not write.
 */
class DatagramContractTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    /** Datagram {@code seq}: its number, then bytes drawn from it; 8 to 1,000 bytes. */
    private static int sizeOf(int seq) {
        return 8 + (seq * 37) % 993;
    }

    private static void fill(MemorySegment s, int seq) {
        s.set(INT, 0, seq);
        for (int i = 4; i < s.byteSize(); i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) (seq * 31 + i));
    }

    private static boolean matches(MemorySegment s, long length, int seq) {
        if (length != sizeOf(seq) || s.get(INT, 0) != seq) return false;
        for (int i = 4; i < length; i++) if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) (seq * 31 + i)) return false;
        return true;
    }

    /** An echo server on {@code server}: every datagram goes back to its sender. */
    private static void echo(AsyncIo io, long server, Arena arena) {
        MemorySegment buf = arena.allocate(2048);
        DatagramSender from = new DatagramSender();
        io.receiveFrom(server, buf, from, new CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                if (e.result() < 0) return; // the socket closed
                CompletionHandler again = this;
                InetSocketAddress to = from.socketAddress(); // the echo is the test's, not the library's allocation
                io.sendTo(server, buf.asSlice(0, e.result()), to, w -> io.receiveFrom(server, buf, from, again, 0), 0);
            }
        }, 0);
    }

    @ContractTest
    void tenThousandDatagramsEchoedCountedAndChecked(Backend backend) {
        exchange(backend, TestLoop.IPV4, 10_000);
    }

    @ContractTest
    void datagramsOverIpv6(Backend backend) {
        exchange(backend, InetAddress.getLoopbackAddress() instanceof java.net.Inet6Address ? InetAddress.getLoopbackAddress()
                : TestLoop.address("::1"), 500);
    }

    private static void exchange(Backend backend, InetAddress host, int count) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long server = io.openDatagram(new InetSocketAddress(host, 0));
            long client = io.openDatagram(new InetSocketAddress(host, 0));
            InetSocketAddress serverAt = io.localAddress(server);
            assertTrue(serverAt.getPort() != 0);
            echo(io, server, arena);
            IoStats before = io.stats();
            BitSet seen = new BitSet(count);
            String[] failure = {null};
            int window = 16;
            MemorySegment[] out = new MemorySegment[window];
            for (int i = 0; i < window; i++) out[i] = arena.allocate(1000);
            MemorySegment in = arena.allocate(2048);
            DatagramSender from = new DatagramSender();
            int[] next = {0};
            CompletionHandler send = new CompletionHandler() {
                @Override
                public void completed(IoEvent e) {
                    if (e.result() < 0) failure[0] = "sendTo: " + e;
                }
            };
            Runnable sendNext = () -> {
                int seq = next[0]++;
                MemorySegment s = out[seq % window].asSlice(0, sizeOf(seq));
                fill(s, seq);
                io.sendTo(client, s, serverAt, send, seq);
            };
            io.receiveFrom(client, in, from, new CompletionHandler() {
                @Override
                public void completed(IoEvent e) {
                    long n = e.result();
                    int seq = n >= 4 ? in.get(INT, 0) : -1;
                    if (n < 0 || e.flags() != 0 || seq < 0 || seq >= count || !matches(in, n, seq) || seen.get(seq)
                            || !from.is(serverAt)) {
                        failure[0] = "datagram " + seq + ": " + e + " from " + from;
                        return;
                    }
                    seen.set(seq);
                    if (next[0] < count) sendNext.run();
                    if (seen.cardinality() < count) io.receiveFrom(client, in, from, this, 0);
                }
            }, 0);
            for (int i = 0; i < window; i++) sendNext.run();
            loop.await(count + " datagrams echoed", Duration.ofSeconds(60),
                    () -> failure[0] != null || seen.cardinality() == count);
            assertEquals(null, failure[0]);
            loop.pollFor(Duration.ofMillis(20)); // the last echo's send completes
            IoStats d = io.stats().minus(before);
            assertEquals(2L * count, d.datagramsReceived(), "server and client each received every datagram");
            assertEquals(2L * count, d.datagramsSent(), "and sent every one");
        }
    }

    @ContractTest
    void aDualStackSocketSeesAnIpv4SenderAsIpv4(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long dual = io.openDatagram(new InetSocketAddress(InetAddress.getByName("::"), 0));
            long v4 = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress to = new InetSocketAddress(TestLoop.IPV4, io.localAddress(dual).getPort());
            io.sendTo(v4, Bytes.random(arena, 20, 3), to, new Completion(), 0);
            DatagramSender from = new DatagramSender();
            Completion got = new Completion();
            io.receiveFrom(dual, arena.allocate(64), from, got, 0);
            loop.await("a datagram on a dual-stack socket", got::done);
            assertEquals(20, got.assertSucceeded(Operation.READ));
            assertFalse(from.isIPv6(), "::ffff:127.0.0.1 is kept as 127.0.0.1");
            assertTrue(from.is(io.localAddress(v4)), from.toString());
            assertEquals(io.localAddress(v4), from.socketAddress());

            // And the answer to that IPv4 address leaves the IPv6 socket (as ::ffff:127.0.0.1, which every system takes).
            Completion back = new Completion();
            io.sendTo(dual, Bytes.random(arena, 9, 4), from.socketAddress(), new Completion(), 0);
            io.receiveFrom(v4, arena.allocate(64), new DatagramSender(), back, 0);
            loop.await("the answer to an IPv4 sender", back::done);
            assertEquals(9, back.assertSucceeded(Operation.READ));
            io.connectDatagram(dual, io.localAddress(v4));
            assertEquals(io.localAddress(v4).getPort(), ((InetSocketAddress) io.remoteSocketAddress(dual)).getPort());
        }
    }

    @ContractTest
    void aLongDatagramIsCutToTheBufferAndSaysSo(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            MemorySegment big = Bytes.random(arena, 100, 1);
            Completion sent = new Completion();
            io.sendTo(a, big, io.localAddress(b), sent, 0);
            DatagramSender from = new DatagramSender();
            MemorySegment small = arena.allocate(40);
            Completion got = new Completion();
            io.receiveFrom(b, small, from, got, 0);
            loop.await("a truncated datagram", () -> sent.done() && got.done());
            assertEquals(100, sent.assertSucceeded(Operation.WRITE));
            assertEquals(40, got.assertSucceeded(Operation.READ));
            assertEquals(IoEvent.TRUNCATED, got.event().flags() & IoEvent.TRUNCATED, "reported, never silently cut");
            Bytes.assertSame(big.asSlice(0, 40), small, "the datagram's first 40 bytes");
            assertTrue(from.is(io.localAddress(a)), from.toString());

            // The next datagram, and an empty one, arrive whole and unflagged (0 bytes is no end of stream).
            Completion empty = new Completion();
            io.sendTo(a, arena.allocate(0), io.localAddress(b), new Completion(), 0);
            io.receiveFrom(b, small, from, empty, 0);
            loop.await("an empty datagram", empty::done);
            assertEquals(0, empty.assertSucceeded(Operation.READ));
            assertEquals(0, empty.event().flags());
            Completion next = new Completion();
            io.sendTo(a, big.asSlice(0, 10), io.localAddress(b), new Completion(), 0);
            io.receiveFrom(b, small, from, next, 0);
            loop.await("the next datagram", next::done);
            assertEquals(10, next.assertSucceeded(Operation.READ));
            assertEquals(0, next.event().flags());
        }
    }

    @ContractTest
    void connectedSocketsReadAndWriteADatagramEach(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            io.connectDatagram(a, io.localAddress(b));
            io.connectDatagram(b, io.localAddress(a));
            assertEquals(io.localAddress(b), io.remoteAddress(a));
            MemorySegment m1 = Bytes.random(arena, 300, 2), m2 = Bytes.random(arena, 200, 3);
            io.write(a, m1, new Completion());
            io.write(a, m2, new Completion());
            MemorySegment buf = arena.allocate(1000);
            Completion r1 = new Completion();
            io.read(b, buf, r1);
            loop.await("a connected read", r1::done);
            assertEquals(300, r1.assertSucceeded(Operation.READ), "one datagram, not the stream of both");
            Bytes.assertSame(m1, buf.asSlice(0, 300), "first datagram");
            Completion r2 = new Completion();
            io.read(b, buf.asSlice(0, 50), r2);
            loop.await("a connected read, truncated", r2::done);
            assertEquals(50, r2.assertSucceeded(Operation.READ));
            assertEquals(IoEvent.TRUNCATED, r2.event().flags() & IoEvent.TRUNCATED);
            assertThrows(IllegalArgumentException.class, () -> io.write(a, new MemorySegment[] {m1, m2}, new Completion()),
                    "a gather write on a datagram socket");
        }
    }

    @ContractTest
    void aFullReceiveBufferDropsDatagramsButTheLoopGoesOn(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long a = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            long b = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            io.setOption(b, StandardSocketOptions.SO_RCVBUF, 8192);
            MemorySegment d = Bytes.random(arena, 1000, 4);
            int sends = 2000;
            int[] sent = {0};
            for (int i = 0; i < sends; i++) io.sendTo(a, d, io.localAddress(b), e -> { if (e.result() == 1000) sent[0]++; }, 0);
            loop.await("2,000 sends", () -> sent[0] == sends);
            // Nothing read b's buffer meanwhile: the kernel dropped most. Read what is there.
            MemorySegment buf = arena.allocate(2000);
            DatagramSender from = new DatagramSender();
            int[] got = {0};
            boolean[] quiet = {false};
            CompletionHandler reader = new CompletionHandler() {
                @Override
                public void completed(IoEvent e) {
                    if (e.result() == 1000) {
                        got[0]++;
                        io.receiveFrom(b, buf, from, this, 0);
                    }
                }
            };
            io.receiveFrom(b, buf, from, reader, 0);
            loop.pollFor(Duration.ofMillis(200));
            assertTrue(got[0] >= 1 && got[0] < sends, got[0] + " of " + sends + " datagrams got through an 8 KiB buffer");
            int before = got[0];
            io.sendTo(a, d, io.localAddress(b), new Completion(), 0);
            loop.await("a datagram after the drops", () -> got[0] == before + 1);
        }
    }

    @ContractTest
    void misuseIsRefusedAtTheCall(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            long u = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            MemorySegment buf = arena.allocate(16);
            DatagramSender from = new DatagramSender();
            Completion c = new Completion();
            InetSocketAddress to = io.localAddress(u);
            assertThrows(IllegalArgumentException.class, () -> io.sendTo(p.client(), buf, to, c, 0), "sendTo on TCP");
            assertThrows(IllegalArgumentException.class, () -> io.receiveFrom(p.client(), buf, from, c, 0), "receiveFrom on TCP");
            assertThrows(IllegalArgumentException.class, () -> io.accept(u, c), "accept on UDP");
            assertThrows(IllegalArgumentException.class, () -> io.sendTo(u, MemorySegment.ofArray(new byte[4]), to, c, 0), "heap buffer");
            assertThrows(IllegalArgumentException.class, () -> io.sendTo(u, buf, InetSocketAddress.createUnresolved("x", 1), c, 0));
            assertThrows(NullPointerException.class, () -> io.sendTo(u, buf, null, c, 0));
            assertThrows(NullPointerException.class, () -> io.receiveFrom(u, buf, null, c, 0));
            assertThrows(NullPointerException.class, () -> io.receiveFrom(u, buf, from, null, 0));
            assertThrows(NullPointerException.class, () -> io.openDatagram(null));
            assertThrows(IllegalArgumentException.class, () -> io.connectDatagram(p.client(), to), "connectDatagram on TCP");
            long taken = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            var inUse = assertThrows(AsyncIoException.class, () -> io.openDatagram(io.localAddress(taken)));
            assertEquals(Errno.EADDRINUSE.code(), inUse.errno());
            assertEquals(0, c.calls());
            assertTrue(io.close(u));
            Completion stale = new Completion();
            io.sendTo(u, buf, to, stale, 0);
            loop.await("a sendTo on a closed handle", stale::done);
            stale.assertFailed(Operation.WRITE, Errno.EBADF);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void socatExchangesDatagramsWithOurEchoServer(Backend backend) throws Exception {
        Tools.require("socat", "socat");
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long server = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
            echo(io, server, arena);
            int port = io.localAddress(server).getPort();
            Process socat = new ProcessBuilder("socat", "-t", "2", "-", "UDP:127.0.0.1:" + port).start();
            CompletableFuture<String> out = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    socat.getInputStream().transferTo(b);
                    out.complete(b.toString(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    out.completeExceptionally(e);
                }
            });
            try (var stdin = socat.getOutputStream()) {
                stdin.write("datagram from socat\n".getBytes(StandardCharsets.US_ASCII));
            }
            loop.await("socat's reply", Duration.ofSeconds(20), out::isDone);
            assertTrue(socat.waitFor(10, TimeUnit.SECONDS));
            assertEquals("datagram from socat\n", out.get());
            assertEquals(1, io.stats().datagramsReceived());
            assertEquals(1, io.stats().datagramsSent());
        }
    }

    @ContractTest
    void udpOptionsAreSetAndReadBack(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            for (InetAddress host : new InetAddress[] {TestLoop.IPV4, TestLoop.address("::1")}) {
                long u = io.openDatagram(new InetSocketAddress(host, 0),
                        DatagramOptions.defaults().withOption(StandardSocketOptions.SO_BROADCAST, true));
                assertEquals(true, io.getOption(u, StandardSocketOptions.SO_BROADCAST), host + " SO_BROADCAST");
                io.setOption(u, StandardSocketOptions.IP_MULTICAST_TTL, 7);
                assertEquals(7, io.getOption(u, StandardSocketOptions.IP_MULTICAST_TTL), host + " IP_MULTICAST_TTL (hops on IPv6)");
                io.setOption(u, StandardSocketOptions.IP_MULTICAST_LOOP, false);
                assertEquals(false, io.getOption(u, StandardSocketOptions.IP_MULTICAST_LOOP), host + " IP_MULTICAST_LOOP");
                assertThrows(IllegalArgumentException.class, () -> io.setOption(u, StandardSocketOptions.IP_MULTICAST_TTL, 256));
                assertTrue(io.supportedOptions().contains(StandardSocketOptions.SO_BROADCAST));
                assertTrue(io.close(u));
            }
        }
    }

    @ContractTest
    void aMemberOfAGroupReceivesItsDatagrams(Backend backend) throws Exception {
        InetAddress group = InetAddress.getByName("239.255.42.99");
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long member = io.openDatagram(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0),
                    DatagramOptions.defaults().withReuseAddress(true));
            try {
                io.joinGroup(member, group, null);
            } catch (AsyncIoException e) {
                // ENODEV: no interface has a route for multicast (a container without one)
                Assumptions.abort("no interface for multicast here: " + e.getMessage());
            }
            var twice = assertThrows(AsyncIoException.class, () -> io.joinGroup(member, group, null), "joined twice");
            assertTrue(twice.errno() == Errno.EADDRINUSE.code() || twice.errno() == Errno.EINVAL.code(), twice.getMessage());
            long sender = io.openDatagram(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            io.setOption(sender, StandardSocketOptions.IP_MULTICAST_LOOP, true);
            io.setOption(sender, StandardSocketOptions.IP_MULTICAST_TTL, 0); // never leaves this host
            MemorySegment m = Bytes.random(arena, 33, 5);
            Completion sent = new Completion();
            io.sendTo(sender, m, new InetSocketAddress(group, io.localAddress(member).getPort()), sent, 0);
            loop.await("a multicast send", sent::done);
            Assumptions.assumeTrue(sent.result() != -Errno.ENETUNREACH.code(), "no multicast route here");
            assertEquals(33, sent.assertSucceeded(Operation.WRITE));
            MemorySegment buf = arena.allocate(64);
            Completion got = new Completion();
            io.receiveFrom(member, buf, new DatagramSender(), got, 0);
            loop.await("the group's datagram", got::done);
            assertEquals(33, got.assertSucceeded(Operation.READ));
            Bytes.assertSame(m, buf.asSlice(0, 33), "multicast datagram");
            io.leaveGroup(member, group, null);
            assertThrows(AsyncIoException.class, () -> io.leaveGroup(member, group, null), "left twice");
            assertThrows(IllegalArgumentException.class, () -> io.joinGroup(member, TestLoop.IPV4, null), "not a group");
        }
    }

}
