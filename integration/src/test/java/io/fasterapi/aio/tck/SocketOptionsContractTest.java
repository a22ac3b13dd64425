package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Operation;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

            int peerFd = SocketProbe.descriptorOf(peer.getLocalSocketAddress(), peer.getRemoteSocketAddress());
            assertEquals(0, SocketProbe.tcpNoDelay(peerFd), "the probe reads TCP_NODELAY off on the JDK's socket");
            int fd = SocketProbe.descriptorOf(io.localAddress(server), io.remoteAddress(server));
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
                int peerFd = SocketProbe.descriptorOf(peer.getLocalSocketAddress(), peer.getRemoteSocketAddress());
                assertEquals(0, SocketProbe.tcpNoDelay(peerFd), "the probe reads TCP_NODELAY off on the JDK's socket");
                int fd = SocketProbe.descriptorOf(io.localAddress(client), io.remoteAddress(client));
                assertNotEquals(0, SocketProbe.tcpNoDelay(fd), "TCP_NODELAY on the connected socket (descriptor " + fd + ")");
            }
        }
    }
}
