package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AsyncIo#adopt} and {@link AsyncIo#nativeDescriptor} (issue #13, item 4): sockets made
 * elsewhere (here through the C library or Winsock, as systemd or another library would) work as
 * the loop's own; whatever is not a TCP socket is refused with nothing of it changed or closed.
 */
class AdoptContractTest {

    @ContractTest
    void aListeningSocketMadeElsewhereAcceptsThroughTheLoop(Backend backend) throws Throwable {
        RawSockets.assumeUsable();
        long raw = RawSockets.listener();
        try (TestLoop loop = backend.open(); Socket client = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.adopt(raw);
            assertEquals(raw, io.nativeDescriptor(listener));
            if (RawSockets.blockingModeReadable()) assertTrue(RawSockets.nonBlocking(raw), "made non-blocking");
            long server = loop.acceptPeer(listener, client);
            client.getOutputStream().write(new byte[] {4, 5, 6});
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment got = loop.readExactly(server, 3, arena);
                assertArrayEquals(new byte[] {4, 5, 6}, got.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            Completion closed = new Completion();
            io.close(listener, closed, 0);
            loop.await("the adopted listener's close", closed::done);
            assertEquals(-1, RawSockets.state(raw), "the loop closed the descriptor it owned");
        }
    }

    @ContractTest
    void aConnectedSocketMadeElsewhereReadsAndWrites(Backend backend) throws Throwable {
        RawSockets.assumeUsable();
        try (TestLoop loop = backend.open(); ServerSocket jdk = new ServerSocket(0, 50, TestLoop.IPV4)) {
            AsyncIo io = loop.io();
            long raw = RawSockets.connected((InetSocketAddress) jdk.getLocalSocketAddress());
            try (Socket peer = jdk.accept(); Arena arena = Arena.ofConfined()) {
                long h = io.adopt(raw);
                assertEquals(raw, io.nativeDescriptor(h));
                assertEquals(peer.getLocalSocketAddress(), io.remoteAddress(h));
                MemorySegment data = Bytes.random(arena, 50_000, 5);
                loop.writeAll(h, data);
                byte[] back = new InputStreamReader(peer.getInputStream()).readExactly(50_000);
                assertArrayEquals(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), back);
                peer.getOutputStream().write(new byte[] {9, 8});
                assertArrayEquals(new byte[] {9, 8}, loop.readExactly(h, 2, arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
    }

    @ContractTest
    void whatIsNotATcpSocketIsRefusedAndLeftAsItWas(Backend backend) throws Throwable {
        RawSockets.assumeUsable();
        long[] pipe = RawSockets.pipe();
        long udp = RawSockets.socket(RawSockets.AF_INET, RawSockets.SOCK_DGRAM);
        long unix = RawSockets.socket(RawSockets.AF_UNIX, RawSockets.SOCK_STREAM);
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            // A Unix domain stream socket is adopted everywhere but on IOCP (see unixDomainListenerMadeElsewhere...).
            long[][] cases = backend.name().equals("iocp")
                    ? new long[][] {{pipe[0], Errno.ENOTSOCK.code()}, {udp, Errno.EPROTOTYPE.code()}, {unix, Errno.EAFNOSUPPORT.code()}}
                    : new long[][] {{pipe[0], Errno.ENOTSOCK.code()}, {udp, Errno.EPROTOTYPE.code()}};
            for (long[] c : cases) {
                int before = RawSockets.state(c[0]);
                var e = assertThrows(AsyncIoException.class, () -> io.adopt(c[0]));
                assertEquals(c[1], e.errno(), e.getMessage());
                assertEquals(before, RawSockets.state(c[0]), "descriptor " + c[0] + " unchanged (and open)");
            }
            // Winsock cannot tell a closed SOCKET from any other value that is no socket: ENOTSOCK there.
            var closed = assertThrows(AsyncIoException.class, () -> io.adopt(1_000_000));
            assertEquals(RawSockets.WINDOWS ? Errno.ENOTSOCK.code() : Errno.EBADF.code(), closed.errno(), closed.getMessage());
            long own = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            var twice = assertThrows(AsyncIoException.class, () -> io.adopt(io.nativeDescriptor(own)));
            assertEquals(Errno.EEXIST.code(), twice.errno(), twice.getMessage());
            Completion c = new Completion();
            io.close(own, c, 0);
            loop.await("the close", c::done);
            assertThrows(AsyncIoException.class, () -> io.nativeDescriptor(own), "a closed handle");
        } finally {
            RawSockets.closePipe(pipe[0]);
            RawSockets.closePipe(pipe[1]);
            RawSockets.close(udp);
            RawSockets.close(unix);
        }
    }

    @ContractTest
    void aUnixDomainListenerMadeElsewhereAcceptsAndItsFileStays(Backend backend, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Throwable {
        RawSockets.assumeUsable();
        org.junit.jupiter.api.Assumptions.assumeFalse(backend.name().equals("iocp"), "IOCP adopts TCP sockets only");
        java.nio.file.Path path = dir.resolve("activated.sock");
        long raw = RawSockets.unixListener(path);
        try (TestLoop loop = backend.open(); Arena arena = Arena.ofConfined()) {
            AsyncIo io = loop.io();
            long listener = io.adopt(raw);
            assertEquals(java.net.UnixDomainSocketAddress.of(path), io.localSocketAddress(listener));
            Completion accepted = new Completion();
            io.accept(listener, accepted);
            try (var client = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
                loop.await("the accept of a Unix domain client", accepted::done);
                long server = accepted.assertSucceeded(Operation.ACCEPT);
                client.write(java.nio.ByteBuffer.wrap(new byte[] {7, 8, 9}));
                assertArrayEquals(new byte[] {7, 8, 9}, loop.readExactly(server, 3, arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            assertTrue(io.close(listener));
            assertTrue(java.nio.file.Files.exists(path), "an adopted listener's socket file is not the loop's to remove");
        }
    }

    /** Reads exactly n bytes from a blocking stream. */
    private record InputStreamReader(InputStream in) {
        byte[] readExactly(int n) throws java.io.IOException {
            return in.readNBytes(n);
        }
    }
}
