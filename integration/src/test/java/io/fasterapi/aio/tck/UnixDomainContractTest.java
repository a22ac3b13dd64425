package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unix domain stream sockets (issue #14, item 1): listen and connect on a path; everything a TCP
 * handle does works on them; the path rules of the OS; the library's own socket file removed at
 * the listener's close and nobody else's file ever; socat as a peer we did not write. IOCP refuses
 * them with EAFNOSUPPORT.
 */
class UnixDomainContractTest {
    @TempDir
    Path dir;

    private static void assumeUnixSockets(Backend backend) {
        Assumptions.assumeFalse(backend.name().equals("iocp"), "the iocp backend refuses Unix domain sockets (see iocpRefusesThem)");
    }

    /** Listener, connected client and accepted server on {@code path}. */
    private static Pair pair(TestLoop loop, UnixDomainSocketAddress path) {
        AsyncIo io = loop.io();
        long listener = io.listen(path);
        Completion accepted = new Completion();
        Completion connected = new Completion();
        io.accept(listener, accepted);
        long client = io.connect(path, connected);
        loop.await("a Unix domain connect and accept", () -> accepted.done() && connected.done());
        assertEquals(0, connected.assertSucceeded(Operation.CONNECT));
        return new Pair(listener, client, accepted.assertSucceeded(Operation.ACCEPT));
    }

    @ContractTest
    void everythingATcpHandleDoesWorksOnAUnixDomainSocket(Backend backend) {
        assumeUnixSockets(backend);
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = pair(loop, path);
            assertEquals(path, io.localSocketAddress(p.listener()));
            assertEquals(path, io.remoteSocketAddress(p.client()));
            assertEquals(UnixDomainSocketAddress.of(""), io.localSocketAddress(p.client()), "the client is unnamed");
            var e = assertThrows(IllegalArgumentException.class, () -> io.localAddress(p.client()));
            assertTrue(e.getMessage().contains("localSocketAddress"), e.getMessage());

            loop.exchange(p, 41); // reads and writes both ways
            MemorySegment[] parts = {Bytes.random(arena, 3000, 1), Bytes.random(arena, 70_000, 2)};
            Completion g = new Completion();
            io.write(p.client(), parts, g);
            MemorySegment got = loop.readExactly(p.server(), 73_000, arena);
            loop.await("a gather write", g::done);
            assertEquals(73_000, g.assertSucceeded(Operation.WRITE));
            Bytes.assertSame(parts[0], got.asSlice(0, 3000), "gathered, first");
            Bytes.assertSame(parts[1], got.asSlice(3000), "gathered, second");

            long pool = io.createBufferPool(4, 1024);
            long[] received = {0};
            io.receive(p.server(), pool, (IoEvent ev) -> {
                if (ev.result() > 0) received[0] += ev.result();
                if (ev.bufferId() >= 0) io.releaseBuffer(pool, ev.bufferId());
            }, 0);
            loop.writeAll(p.client(), Bytes.random(arena, 5000, 3));
            loop.await("5,000 bytes through a pool receive", () -> received[0] == 5000);

            Completion pending = new Completion();
            long read = io.read(p.client(), arena.allocate(16), pending);
            assertTrue(io.cancel(read));
            loop.await("a cancelled read", pending::done);
            pending.assertFailed(Operation.READ, Errno.ECANCELED);
            io.shutdownOutput(p.server());
            loop.assertEndOfStream(p.client(), arena);
            assertTrue(io.close(p.client()));
            assertTrue(io.close(p.server()));
            assertTrue(io.close(p.listener()));
        }
    }

    @ContractTest
    void theListenerRemovesItsOwnSocketFileAndNoOtherFile(Backend backend) throws IOException {
        assumeUnixSockets(backend);
        Path file = dir.resolve("own.sock");
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(UnixDomainSocketAddress.of(file));
            assertTrue(Files.exists(file), "bind made the socket file");
            assertTrue(io.close(listener));
            assertFalse(Files.exists(file), "the listener's close removed its socket file");

            // A file put in place of ours is not ours: it stays.
            long again = io.listen(UnixDomainSocketAddress.of(file));
            Files.delete(file);
            Files.writeString(file, "someone else's");
            assertTrue(io.close(again));
            assertEquals("someone else's", Files.readString(file));

            // Nor is another program's socket bound at the path after ours was removed from under it.
            Files.delete(file);
            long third = io.listen(UnixDomainSocketAddress.of(file));
            Files.delete(file);
            try (var other = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                other.bind(UnixDomainSocketAddress.of(file));
                assertTrue(io.close(third));
                assertTrue(Files.exists(file), "the other program's socket file stays");
            }
        }
    }

    @ContractTest
    void largeWritesWithZeroCopyOnStillWork(Backend backend) {
        // Zero-copy sends are for TCP and UDP: a Unix domain socket refuses them (EOPNOTSUPP), so its writes copy.
        assumeUnixSockets(backend);
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("zc.sock"));
        var config = io.fasterapi.aio.AsyncIoConfig.builder().backend(backend.name()).zeroCopy(true).zeroCopyThreshold(4096).build();
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(config)) {
            Pair p = pair(loop, path);
            MemorySegment data = Bytes.random(arena, 200_000, 9);
            Completion w = new Completion();
            loop.io().write(p.client(), data, w);
            MemorySegment got = loop.readExactly(p.server(), data.byteSize(), arena);
            loop.await("a large write", w::done);
            assertEquals(data.byteSize(), w.assertSucceeded(Operation.WRITE));
            Bytes.assertSame(data, got, "200 KB over a Unix domain socket with zeroCopy on");
        }
    }

    @ContractTest
    void aFileAtThePathIsAddressInUseAndIsLeftAlone(Backend backend) throws IOException {
        assumeUnixSockets(backend);
        Path file = dir.resolve("taken");
        Files.writeString(file, "not a socket");
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            int before = Fds.countable() ? Fds.count() : -1;
            var e = assertThrows(AsyncIoException.class, () -> io.listen(UnixDomainSocketAddress.of(file)));
            assertEquals(Errno.EADDRINUSE.code(), e.errno(), e.getMessage());
            assertEquals("not a socket", Files.readString(file), "the library never deletes a file it did not create");
            // A second listener on a path a live listener holds: the same.
            Path live = dir.resolve("live.sock");
            long first = io.listen(UnixDomainSocketAddress.of(live));
            var twice = assertThrows(AsyncIoException.class, () -> io.listen(UnixDomainSocketAddress.of(live)));
            assertEquals(Errno.EADDRINUSE.code(), twice.errno());
            assertTrue(io.close(first));
            loop.pollFor(Duration.ofMillis(20)); // io_uring closes a descriptor at its next submission
            if (before >= 0) Fds.assertCount(before, "descriptors after the refused listens");
        }
    }

    @ContractTest
    void badPathsAreRefusedAndConnectsToNothingFail(Backend backend) throws IOException {
        assumeUnixSockets(backend);
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Completion never = new Completion();
            String tooLong = "x".repeat(110);
            var e = assertThrows(IllegalArgumentException.class, () -> io.listen(UnixDomainSocketAddress.of(dir.resolve(tooLong))));
            assertTrue(e.getMessage().contains("bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> io.connect(UnixDomainSocketAddress.of(dir.resolve(tooLong)), never));
            assertThrows(IllegalArgumentException.class, () -> io.listen(UnixDomainSocketAddress.of("")));
            assertThrows(NullPointerException.class, () -> io.listen((UnixDomainSocketAddress) null));
            assertThrows(NullPointerException.class, () -> io.connect(UnixDomainSocketAddress.of(dir.resolve("a")), null));
            assertEquals(0, never.calls());

            Completion missing = new Completion();
            io.connect(UnixDomainSocketAddress.of(dir.resolve("nobody")), missing);
            loop.await("a connect to no file", missing::done);
            missing.assertFailed(Operation.CONNECT, Errno.ENOENT);
            Path plain = dir.resolve("plain");
            Files.writeString(plain, "x");
            Completion refused = new Completion();
            io.connect(UnixDomainSocketAddress.of(plain), refused);
            loop.await("a connect to a plain file", refused::done);
            refused.assertFailed(Operation.CONNECT, Errno.ECONNREFUSED);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void socatTalksToOurEchoServerOverAUnixDomainSocket(Backend backend) throws Exception {
        assumeUnixSockets(backend);
        Tools.require("socat", "socat");
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("socat.sock"));
        byte[] message = new byte[100_000];
        new java.util.SplittableRandom(7).nextBytes(message);
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(path);
            MemorySegment buffer = arena.allocate(16 * 1024);
            long[] echoed = {0};
            boolean[] closed = {false};
            io.accept(listener, a -> {
                long conn = a.result();
                io.read(conn, buffer, new io.fasterapi.aio.CompletionHandler() {
                    @Override
                    public void completed(IoEvent r) {
                        if (r.result() <= 0) { // socat shut down its side: so do we
                            io.close(conn);
                            closed[0] = true;
                            return;
                        }
                        io.write(conn, buffer.asSlice(0, r.result()), w -> {
                            echoed[0] += w.result();
                            io.read(conn, buffer, this);
                        });
                    }
                });
            });
            Process socat = new ProcessBuilder("socat", "-t", "5", "-", "UNIX-CONNECT:" + path.getPath()).start();
            // Threads of their own: the common pool may have one thread on a small machine, and
            // the reader would then keep the writer from ever running.
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> out.complete(readAll(socat.getInputStream())));
            Thread.ofPlatform().daemon().start(() -> {
                try (var in = socat.getOutputStream()) {
                    in.write(message);
                } catch (IOException e) {
                    out.completeExceptionally(e);
                }
            });
            loop.await("socat's echo", Duration.ofSeconds(30), () -> out.isDone() && closed[0]);
            assertTrue(socat.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, socat.exitValue(), () -> new String(readAll(socat.getErrorStream())));
            assertArrayEquals(message, out.get(), "socat got back what it sent");
            assertEquals(message.length, echoed[0]);
        }
    }

    @ContractTest
    void iocpRefusesThem(Backend backend) {
        Assumptions.assumeTrue(backend.name().equals("iocp"), "only the iocp backend refuses Unix domain sockets");
        try (TestLoop loop = backend.open()) {
            var e = assertThrows(AsyncIoException.class, () -> loop.io().listen(UnixDomainSocketAddress.of(dir.resolve("w.sock"))));
            assertEquals(Errno.EAFNOSUPPORT.code(), e.errno(), e.getMessage());
            var c = assertThrows(AsyncIoException.class, () -> loop.io().connect(UnixDomainSocketAddress.of(dir.resolve("w.sock")), new Completion()));
            assertEquals(Errno.EAFNOSUPPORT.code(), c.errno(), c.getMessage());
            loop.assertStillWorks();
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
