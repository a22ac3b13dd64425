package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.ConnectOptions;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options the library promises on the sockets it opens, read back from the kernel through
 * {@link SocketProbe}. The peer is a JDK socket, which has TCP_NODELAY off: reading 0 on it first
 * shows that the probe can tell the option off from on.
 */
class SocketOptionsContractTest {

    @ContractTest
    void acceptedSocketHasTcpNodelaySet(Backend backend) throws IOException {
        SocketProbe.assumeUsable();
        try (TestLoop loop = backend.open(); Socket peer = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            long server = loop.acceptPeer(listener, peer);

            assertProbeSeesOff(peer);
            long fd = io.nativeDescriptor(server);
            assertNotEquals(0, SocketProbe.tcpNoDelay(fd), "TCP_NODELAY on the accepted socket (descriptor " + fd + ")");
        }
    }

    @ContractTest
    void connectedSocketHasTcpNodelaySet(Backend backend) throws IOException {
        SocketProbe.assumeUsable();
        try (TestLoop loop = backend.open(); ServerSocket jdkListener = new ServerSocket(0, 50, TestLoop.IPV4)) {
            AsyncIo io = loop.io();
            Completion connected = new Completion();
            long client = io.connect((InetSocketAddress) jdkListener.getLocalSocketAddress(), connected);
            loop.await("a connect to a JDK listener", connected::done);
            connected.assertSucceeded(Operation.CONNECT);
            try (Socket peer = jdkListener.accept()) {
                assertProbeSeesOff(peer);
                long fd = io.nativeDescriptor(client);
                assertNotEquals(0, SocketProbe.tcpNoDelay(fd), "TCP_NODELAY on the connected socket (descriptor " + fd + ")");
            }
        }
    }

    /**
     * The probe reads 0 on the JDK's socket (TCP_NODELAY off): it can tell off from on. Where the
     * JDK's descriptor cannot be found (Windows), tcpNodelayCanBeTurnedOffAndOnAgain shows it instead.
     */
    private static void assertProbeSeesOff(Socket peer) {
        if (!SocketProbe.canFindDescriptors()) return;
        int peerFd = SocketProbe.descriptorOf(peer.getLocalSocketAddress(), peer.getRemoteSocketAddress());
        assertEquals(0, SocketProbe.tcpNoDelay(peerFd), "the probe reads TCP_NODELAY off on the JDK's socket");
    }

    // ---- setOption / getOption (issue #13, item 1) ------------------------------------------------

    /** The options every operating system has, so every backend takes them. */
    private static final List<SocketOption<?>> EVERYWHERE = List.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS);

    @ContractTest
    void tcpNodelayCanBeTurnedOffAndOnAgain(Backend backend) throws IOException {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            assertEquals(true, io.getOption(p.server(), StandardSocketOptions.TCP_NODELAY));
            io.setOption(p.server(), StandardSocketOptions.TCP_NODELAY, false);
            assertEquals(false, io.getOption(p.server(), StandardSocketOptions.TCP_NODELAY));
            if (SocketProbe.usable()) { // the kernel says so too, asked without the library
                long fd = io.nativeDescriptor(p.server());
                assertEquals(0, SocketProbe.tcpNoDelay(fd), "TCP_NODELAY off in the kernel (descriptor " + fd + ")");
                io.setOption(p.server(), StandardSocketOptions.TCP_NODELAY, true);
                assertNotEquals(0, SocketProbe.tcpNoDelay(fd), "TCP_NODELAY on again in the kernel");
            }
            io.setOption(p.server(), StandardSocketOptions.TCP_NODELAY, true);
            assertEquals(true, io.getOption(p.server(), StandardSocketOptions.TCP_NODELAY));
        }
    }

    @ContractTest
    void theCommonOptionsRoundTripOnSocketsAndListeners(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            assertTrue(io.supportedOptions().containsAll(EVERYWHERE), "supported: " + io.supportedOptions());
            for (long h : new long[] {p.client(), p.listener()}) {
                io.setOption(h, StandardSocketOptions.SO_RCVBUF, 65_536);
                // The kernel may round up (Linux doubles it for its bookkeeping), never down.
                assertTrue(io.getOption(h, StandardSocketOptions.SO_RCVBUF) >= 65_536);
                io.setOption(h, StandardSocketOptions.SO_SNDBUF, 32_768);
                assertTrue(io.getOption(h, StandardSocketOptions.SO_SNDBUF) >= 32_768);
            }
            io.setOption(p.client(), StandardSocketOptions.SO_KEEPALIVE, true);
            assertEquals(true, io.getOption(p.client(), StandardSocketOptions.SO_KEEPALIVE));
            io.setOption(p.client(), StandardSocketOptions.SO_KEEPALIVE, false);
            assertEquals(false, io.getOption(p.client(), StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(-1, io.getOption(p.client(), StandardSocketOptions.SO_LINGER), "linger is off at first");
            io.setOption(p.client(), StandardSocketOptions.SO_LINGER, 7);
            assertEquals(7, io.getOption(p.client(), StandardSocketOptions.SO_LINGER));
            io.setOption(p.client(), StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, io.getOption(p.client(), StandardSocketOptions.SO_LINGER));
            io.setOption(p.client(), StandardSocketOptions.IP_TOS, 0x10);
            assertEquals(0x10, io.getOption(p.client(), StandardSocketOptions.IP_TOS));
            // The pair still carries data with all of that changed.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment data = Bytes.random(arena, 100_000, 13);
                loop.writeAll(p.client(), data);
                Bytes.assertSame(data, loop.readExactly(p.server(), data.byteSize(), arena), "data after the options changed");
            }
        }
    }

    @ContractTest
    void keepAliveTimesWorkWhereTheSystemHasThemAndAreRefusedByNameWhereNot(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Class<?> extended = Class.forName("jdk.net.ExtendedSocketOptions");
            for (String name : new String[] {"TCP_KEEPIDLE", "TCP_KEEPINTERVAL", "TCP_KEEPCOUNT"}) {
                @SuppressWarnings("unchecked")
                SocketOption<Integer> o = (SocketOption<Integer>) extended.getField(name).get(null);
                if (io.supportedOptions().contains(o)) {
                    io.setOption(p.client(), o, 9);
                    assertEquals(9, io.getOption(p.client(), o), name);
                    assertThrows(IllegalArgumentException.class, () -> io.setOption(p.client(), o, 0), name + " 0");
                } else {
                    var e = assertThrows(UnsupportedOperationException.class, () -> io.setOption(p.client(), o, 9));
                    assertTrue(e.getMessage().contains(name), e.getMessage());
                }
            }
        }
    }

    @ContractTest
    void misuseIsRefusedClearlyAndChangesNothing(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            // An option this library does not take (the interface of multicast is joinGroup's): the message says which and where.
            var unsupported = assertThrows(UnsupportedOperationException.class,
                    () -> io.setOption(p.client(), StandardSocketOptions.IP_MULTICAST_IF, anyInterface()));
            assertTrue(unsupported.getMessage().contains("IP_MULTICAST_IF"), unsupported.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> io.getOption(p.client(), StandardSocketOptions.IP_MULTICAST_IF));
            assertThrows(NullPointerException.class, () -> io.setOption(p.client(), null, 1));
            assertThrows(IllegalArgumentException.class, () -> io.setOption(p.client(), StandardSocketOptions.TCP_NODELAY, null));
            assertThrows(IllegalArgumentException.class, () -> io.setOption(p.client(), StandardSocketOptions.SO_RCVBUF, 0));
            assertThrows(IllegalArgumentException.class, () -> io.setOption(p.client(), StandardSocketOptions.IP_TOS, 256));
            assertEquals(true, io.getOption(p.client(), StandardSocketOptions.TCP_NODELAY), "nothing changed");
            // Another thread: refused before anything is touched.
            CompletableFuture<Throwable> off = CompletableFuture.supplyAsync(() -> {
                try {
                    io.setOption(p.client(), StandardSocketOptions.TCP_NODELAY, false);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertInstanceOf(IllegalStateException.class, off.get(10, TimeUnit.SECONDS));
            assertEquals(true, io.getOption(p.client(), StandardSocketOptions.TCP_NODELAY), "nothing changed");
            // A closed (stale) handle.
            Completion closed = new Completion();
            io.close(p.server(), closed, 0);
            loop.await("the close", closed::done);
            var stale = assertThrows(AsyncIoException.class, () -> io.setOption(p.server(), StandardSocketOptions.SO_KEEPALIVE, true));
            assertEquals(Errno.EBADF.code(), stale.errno());
            assertThrows(AsyncIoException.class, () -> io.getOption(p.server(), StandardSocketOptions.SO_KEEPALIVE));
            Set<SocketOption<?>> s = io.supportedOptions();
            assertThrows(UnsupportedOperationException.class, () -> s.add(StandardSocketOptions.SO_BROADCAST), "read-only");
        }
    }

    // ---- options before bind and before connect; a local address (issue #13, items 1 and 3) -------

    @ContractTest
    void aListenerTakesOptionsBeforeItsBindAndRefusesBadOnesOpeningNothing(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0),
                    ListenOptions.defaults().withOption(StandardSocketOptions.SO_RCVBUF, 131_072)
                            .withOption(StandardSocketOptions.SO_KEEPALIVE, true));
            assertTrue(io.getOption(listener, StandardSocketOptions.SO_RCVBUF) >= 131_072);
            assertEquals(true, io.getOption(listener, StandardSocketOptions.SO_KEEPALIVE));
            Pair p = loop.connectPair(listener);
            assertEquals(true, io.getOption(p.server(), StandardSocketOptions.SO_KEEPALIVE), "inherited by the accepted socket");

            int open = Fds.countable() ? Fds.count() : -1;
            int handles = Reliability.openHandles(io);
            InetSocketAddress any = new InetSocketAddress(TestLoop.IPV4, 0);
            assertThrows(UnsupportedOperationException.class,
                    () -> io.listen(any, ListenOptions.defaults().withOption(StandardSocketOptions.IP_MULTICAST_IF, anyInterface())));
            assertThrows(IllegalArgumentException.class,
                    () -> io.listen(any, ListenOptions.defaults().withOption(StandardSocketOptions.SO_SNDBUF, -1)));
            assertThrows(IllegalArgumentException.class,
                    () -> ListenOptions.defaults().withOption(StandardSocketOptions.SO_SNDBUF, null));
            assertEquals(handles, Reliability.openHandles(io), "no handle left by a refused listen");
            if (open >= 0) Fds.assertCount(open, "no descriptor left by a refused listen");
        }
    }

    @ContractTest
    void aConnectionBindsItsLocalAddressAndTakesOptionsFirst(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Completion accepted = new Completion();
            Completion connected = new Completion();
            io.accept(listener, accepted);
            ConnectOptions options = ConnectOptions.defaults().withLocalAddress(new InetSocketAddress(TestLoop.IPV4, 0))
                    .withOption(StandardSocketOptions.TCP_NODELAY, false)
                    .withOption(StandardSocketOptions.SO_KEEPALIVE, true);
            long client = io.connect(io.localAddress(listener), options, connected);
            loop.await("a connect with options", () -> accepted.done() && connected.done());
            connected.assertSucceeded(Operation.CONNECT);
            long server = accepted.assertSucceeded(Operation.ACCEPT);
            InetSocketAddress local = io.localAddress(client);
            assertEquals(TestLoop.IPV4, local.getAddress());
            assertTrue(local.getPort() > 0, "port 0 chose a port: " + local);
            assertEquals(local, io.remoteAddress(server), "the server sees the bound address");
            assertEquals(false, io.getOption(client, StandardSocketOptions.TCP_NODELAY), "the option replaced the default");
            assertEquals(true, io.getOption(client, StandardSocketOptions.SO_KEEPALIVE));

            // The same local address again while that connection holds it: refused, nothing left open.
            int open = Fds.countable() ? Fds.count() : -1;
            int handles = Reliability.openHandles(io);
            var inUse = assertThrows(AsyncIoException.class, () -> io.connect(io.localAddress(listener),
                    ConnectOptions.defaults().withLocalAddress(local), new Completion()));
            assertEquals(Errno.EADDRINUSE.code(), inUse.errno(), inUse.getMessage());
            assertThrows(IllegalArgumentException.class, () -> io.connect(io.localAddress(listener),
                    ConnectOptions.defaults().withLocalAddress(new InetSocketAddress(TestLoop.address("::1"), 0)),
                    new Completion()), "an IPv6 local address for an IPv4 peer");
            assertThrows(UnsupportedOperationException.class, () -> io.connect(io.localAddress(listener),
                    ConnectOptions.defaults().withOption(StandardSocketOptions.IP_MULTICAST_IF, anyInterface()), new Completion()));
            assertThrows(NullPointerException.class, () -> io.connect(io.localAddress(listener), null, new Completion()));
            assertEquals(handles, Reliability.openHandles(io), "no handle left by a refused connect");
            if (open >= 0) Fds.assertCount(open, "no descriptor left by a refused connect");
        }
    }

    /** Some network interface of this machine (a value for IP_MULTICAST_IF). */
    private static java.net.NetworkInterface anyInterface() throws java.net.SocketException {
        return java.net.NetworkInterface.networkInterfaces().findFirst().orElseThrow();
    }
}
