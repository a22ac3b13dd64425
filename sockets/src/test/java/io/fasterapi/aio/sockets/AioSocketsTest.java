package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.BackendInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking facade's semantics (issue #15, item 1) on every backend available here, with JDK
 * sockets as the peers: transfers of every buffer kind, streams, Unix domain sockets, read and
 * accept timeouts that lose nothing, interrupts, closes from another thread, connect failures and
 * timeouts, misuse, and descriptors given back.
 */
class AioSocketsTest {
    static Stream<String> backends() {
        return AsyncIo.backends().stream().filter(BackendInfo::available).map(BackendInfo::name);
    }

    private static AioSockets open(String backend) {
        return AioSockets.open(AsyncIoConfig.builder().backend(backend).build(), 2);
    }

    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Runs {@code task} on a new virtual thread. */
    private static <T> CompletableFuture<T> virtual(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().unstarted(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        RUNNERS.put(f, t);
        t.start();
        return f;
    }

    /** The virtual thread that runs each future made by {@link #virtual}, to wait until it is blocked. */
    private static final java.util.Map<CompletableFuture<?>, Thread> RUNNERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Waits until {@code f}'s thread is parked (blocked in the call under test), so that what follows cannot come first. */
    private static void awaitBlocked(CompletableFuture<?> f) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Thread t;
        while ((t = RUNNERS.get(f)) == null || t.getState() != Thread.State.WAITING) {
            if (f.isDone() || System.nanoTime() > deadline) throw new AssertionError("never blocked: " + f);
            Thread.sleep(1);
        }
    }

    /** A read of {@code s} and an accept of {@code server}, each on its virtual thread, both blocked. */
    private record Blocked(CompletableFuture<Integer> read, CompletableFuture<AioSocket> accept) {
    }

    private static Blocked blockInReadAndAccept(AioSocket s, AioServerSocket server) throws InterruptedException {
        Blocked b = new Blocked(virtual(() -> s.read(ByteBuffer.allocate(10))), virtual(server::accept));
        awaitBlocked(b.read());
        awaitBlocked(b.accept());
        return b;
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("no exception: " + f.get());
    }

    /** A megabyte each way through every buffer kind, on virtual threads, with a JDK socket as the peer. */
    @ParameterizedTest
    @MethodSource("backends")
    void bytesGoBothWaysIntactThroughEveryBufferKind(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY)) {
            assertEquals(backend, sockets.backend());
            byte[] up = random(1 << 20, 1), down = random(1 << 20, 2);
            CompletableFuture<byte[]> serverSide = virtual(() -> {
                try (AioSocket s = server.accept(); Arena arena = Arena.ofConfined()) {
                    byte[] got = new byte[up.length];
                    int n = 0;
                    ByteBuffer heap = ByteBuffer.allocate(3000);
                    ByteBuffer direct = ByteBuffer.allocateDirect(5000);
                    MemorySegment native_ = arena.allocate(7000);
                    for (int turn = 0; n < got.length; turn++) {
                        int r;
                        switch (turn % 3) {
                            case 0 -> {
                                r = s.read(heap.clear());
                                heap.flip().get(got, n, r);
                            }
                            case 1 -> {
                                r = s.read(direct.clear());
                                direct.flip().get(got, n, r);
                            }
                            default -> {
                                r = s.read(native_);
                                MemorySegment.copy(native_, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, got, n, r);
                            }
                        }
                        assertTrue(r > 0, "read " + r);
                        n += r;
                    }
                    // Down: a heap write, a direct one, a gather of native segments, a heap gather.
                    int q = down.length / 4;
                    assertEquals(q, s.write(ByteBuffer.wrap(down, 0, q)));
                    ByteBuffer d = ByteBuffer.allocateDirect(q).put(down, q, q).flip();
                    assertEquals(q, s.write(d));
                    assertFalse(d.hasRemaining());
                    MemorySegment a = arena.allocate(q / 2), b = arena.allocate(q - q / 2);
                    MemorySegment.copy(down, 2 * q, a, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, q / 2);
                    MemorySegment.copy(down, 2 * q + q / 2, b, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, q - q / 2);
                    assertEquals(q, s.write(a, b));
                    ByteBuffer[] parts = {ByteBuffer.wrap(down, 3 * q, 100), ByteBuffer.allocate(0),
                            ByteBuffer.wrap(down, 3 * q + 100, down.length - 3 * q - 100)};
                    assertEquals(down.length - 3 * q, s.write(parts));
                    for (ByteBuffer p : parts) assertFalse(p.hasRemaining());
                    s.shutdownOutput();
                    assertEquals(-1, s.read(heap.clear()), "the peer closed after reading");
                    return got;
                }
            });
            try (Socket c = new Socket()) {
                c.connect(server.getLocalAddress());
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        c.getOutputStream().write(up);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] got = new DataInputStream(c.getInputStream()).readNBytes(down.length);
                assertEquals(-1, c.getInputStream().read(), "end of stream after shutdownOutput");
                writer.get(20, TimeUnit.SECONDS);
                c.shutdownOutput();
                assertArrayEquals(down, got);
            }
            assertArrayEquals(up, serverSide.get(20, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void streamsAndAUnixDomainSocket(String backend, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(UnixDomainSocketAddress.of(path))) {
            CompletableFuture<Void> echo = virtual(() -> {
                try (AioSocket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] b = new byte[777];
                    for (int n; (n = in.read(b)) > 0; ) out.write(b, 0, n);
                }
                return null;
            });
            byte[] data = random(200_000, 3);
            CompletableFuture<byte[]> got = virtual(() -> {
                try (AioSocket c = sockets.connect(UnixDomainSocketAddress.of(path))) {
                    assertEquals(UnixDomainSocketAddress.of(path), c.getRemoteAddress());
                    CompletableFuture<Void> w = virtual(() -> {
                        c.getOutputStream().write(data);
                        c.shutdownOutput();
                        return null;
                    });
                    byte[] all = c.getInputStream().readAllBytes();
                    w.get(20, TimeUnit.SECONDS);
                    return all;
                }
            });
            assertArrayEquals(data, got.get(20, TimeUnit.SECONDS));
            echo.get(20, TimeUnit.SECONDS);
        }
        assertFalse(path.toFile().exists(), "the socket file is removed with the server socket");
    }

    /**
     * A read that times out throws SocketTimeoutException and the socket goes on; with timeouts
     * racing a steady sender, every byte still arrives once and in order (a cancel that came too
     * late hands over what the kernel had received).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void readTimeoutsLoseNothing(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY);
             Socket peer = new Socket()) {
            peer.connect(server.getLocalAddress());
            AioSocket s = server.accept();
            s.setReadTimeout(Duration.ofMillis(50));
            ByteBuffer b = ByteBuffer.allocate(100);
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> s.read(b));
            assertTrue(System.nanoTime() - t0 >= 45_000_000L, "not before the timeout");
            assertTrue(s.isOpen());
            peer.getOutputStream().write(7);
            assertEquals(1, s.read(b.clear()));
            assertEquals(7, b.get(0));

            // Timeouts of 1 ms against a writer of 20,000 numbered bytes in small bursts.
            s.setReadTimeout(Duration.ofMillis(1));
            int total = 20_000;
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    for (int i = 0; i < total; i += 100) {
                        byte[] burst = new byte[100];
                        for (int k = 0; k < 100; k++) burst[k] = (byte) (i + k);
                        out.write(burst);
                        Thread.sleep(2); // longer than the reader's timeout: reads time out between bursts
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int got = 0, timeouts = 0;
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            while (got < total) {
                try {
                    int n = s.read(in.clear());
                    for (int k = 0; k < n; k++) assertEquals((byte) (got + k), in.get(k), "byte " + (got + k));
                    got += n;
                } catch (SocketTimeoutException e) {
                    timeouts++;
                }
            }
            writer.get(20, TimeUnit.SECONDS);
            assertEquals(total, got);
            System.out.println("[sockets] " + backend + ": " + timeouts + " read timeouts while 20,000 bytes arrived whole");
            s.close();
        }
    }

    /** An interrupt closes the socket and throws ClosedByInterruptException, the interrupt status kept, as SocketChannel does. */
    @ParameterizedTest
    @MethodSource("backends")
    void anInterruptClosesTheSocket(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY); Socket peer = new Socket()) {
            peer.connect(server.getLocalAddress());
            AioSocket s = server.accept();
            boolean[] stillInterrupted = {false};
            Thread t = Thread.ofVirtual().unstarted(() -> {
                try {
                    s.read(ByteBuffer.allocate(10));
                } catch (IOException e) {
                    stillInterrupted[0] = Thread.currentThread().isInterrupted();
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            t.setUncaughtExceptionHandler((th, e) -> thrown.complete(e.getCause()));
            t.start();
            Thread.sleep(50); // blocked in the read (if not yet, the interrupt status makes the read close it the same way)
            t.interrupt();
            assertInstanceOf(ClosedByInterruptException.class, thrown.get(20, TimeUnit.SECONDS));
            t.join();
            assertTrue(stillInterrupted[0], "the interrupt status stays set");
            assertFalse(s.isOpen());
            peer.setSoTimeout(10_000);
            assertEquals(-1, peer.getInputStream().read(), "the peer sees the close");
            assertThrows(ClosedChannelException.class, () -> s.read(ByteBuffer.allocate(1)));

            // A thread that calls in with its interrupt status set closes the socket at once.
            peer.close();
            try (Socket peer2 = new Socket()) {
                peer2.connect(server.getLocalAddress());
                AioSocket s2 = server.accept();
                Thread.currentThread().interrupt();
                try {
                    assertThrows(ClosedByInterruptException.class, () -> s2.write(ByteBuffer.wrap(new byte[1])));
                } finally {
                    assertTrue(Thread.interrupted());
                }
                assertFalse(s2.isOpen());
            }
        }
    }

    /** close() from another thread wakes a blocked read and a blocked accept with AsynchronousCloseException. */
    @ParameterizedTest
    @MethodSource("backends")
    void aCloseFromAnotherThreadWakesBlockedCalls(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY); Socket peer = new Socket()) {
            peer.connect(server.getLocalAddress());
            AioSocket s = server.accept();
            Blocked b = blockInReadAndAccept(s, server);
            s.close();
            assertInstanceOf(AsynchronousCloseException.class, failureOf(b.read()));
            server.close();
            assertInstanceOf(AsynchronousCloseException.class, failureOf(b.accept()));
            assertThrows(ClosedChannelException.class, server::accept);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void acceptTimesOutAndAnInterruptClosesTheServerSocket(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY)) {
            server.setAcceptTimeout(Duration.ofMillis(30));
            assertThrows(SocketTimeoutException.class, server::accept);
            assertTrue(server.isOpen());
            server.setAcceptTimeout(Duration.ZERO);
            Thread t = Thread.ofVirtual().unstarted(() -> {
                try {
                    server.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            t.setUncaughtExceptionHandler((th, e) -> thrown.complete(e.getCause()));
            t.start();
            Thread.sleep(30);
            t.interrupt();
            assertInstanceOf(ClosedByInterruptException.class, thrown.get(20, TimeUnit.SECONDS));
            assertFalse(server.isOpen());
        }
    }

    /** A loopback port that was free a moment ago: a connect to it is refused. */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** A refused connect is ConnectException; one to a listener that never accepts times out. */
    @ParameterizedTest
    @MethodSource("backends")
    void connectFailuresAreTheJdksExceptions(String backend) throws Exception {
        int freePort = closedPort();
        try (AioSockets sockets = open(backend)) {
            var refused = virtual(() -> sockets.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort)));
            assertInstanceOf(ConnectException.class, failureOf(refused));
            // A listener whose accept queue is full: Linux drops the SYN and the connect waits.
            try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Socket[] filler = new Socket[4];
                for (int i = 0; i < filler.length; i++) {
                    filler[i] = new Socket();
                    try {
                        filler[i].connect(full.getLocalSocketAddress(), 200);
                    } catch (SocketTimeoutException e) {
                        filler[i].close(); // the queue is already full
                    }
                }
                var timedOut = virtual(() -> sockets.connect(full.getLocalSocketAddress(), Duration.ofMillis(200)));
                assertInstanceOf(SocketTimeoutException.class, failureOf(timedOut));
                for (Socket f : filler) f.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void misuseIsRefusedClearly(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY); Socket peer = new Socket()) {
            peer.connect(server.getLocalAddress());
            AioSocket s = server.accept();
            // Heap memory and memory confined to this thread go through native blocks.
            assertEquals(3, s.write(MemorySegment.ofArray(new byte[] {1, 2, 3})));
            byte[] three = new byte[3];
            assertEquals(3, new DataInputStream(peer.getInputStream()).read(three));
            assertArrayEquals(new byte[] {1, 2, 3}, three);
            peer.getOutputStream().write(new byte[] {4, 5});
            try (Arena confined = Arena.ofConfined()) {
                MemorySegment m = confined.allocate(10);
                int n = s.read(m);
                if (n == 1) n += s.read(m.asSlice(1));
                assertEquals(2, n);
                assertEquals(5, m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 1));
            }
            assertThrows(NullPointerException.class, () -> s.read((ByteBuffer) null));
            assertThrows(IllegalArgumentException.class, () -> s.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class, () -> sockets.connect(new java.net.SocketAddress() {
            }));
            assertThrows(java.net.BindException.class, () -> sockets.listen(server.getLocalAddress()), "address in use");
            // A blocking call on a loop thread would stop the loop it waits for: refused.
            CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
            sockets.loopList().getFirst().execute(() -> {
                try {
                    s.read(ByteBuffer.allocate(1));
                    onLoop.complete(null);
                } catch (Throwable t) {
                    onLoop.complete(t);
                }
            });
            assertInstanceOf(IllegalStateException.class, onLoop.get(20, TimeUnit.SECONDS));
            assertEquals(0, s.read(ByteBuffer.allocate(0)), "no space: 0 at once");
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertEquals(true, s.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(peer.getLocalSocketAddress(), s.getRemoteAddress());
            s.close();
            assertThrows(ClosedChannelException.class, () -> s.write(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, s::getLocalAddress);
            s.close(); // idempotent
        }
    }

    /** A platform thread blocks in the same calls (no virtual thread needed). */
    @ParameterizedTest
    @MethodSource("backends")
    void aPlatformThreadBlocksToo(String backend) throws Exception {
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY)) {
            ExecutorService platform = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> accepted = platform.submit(() -> {
                    try (AioSocket s = server.accept()) {
                        ByteBuffer b = ByteBuffer.allocate(16);
                        int n = s.read(b);
                        s.write(b.flip());
                        return n;
                    }
                });
                try (AioSocket c = sockets.connect(server.getLocalAddress())) {
                    c.write(ByteBuffer.wrap("hello".getBytes()));
                    ByteBuffer back = ByteBuffer.allocate(16);
                    assertEquals(5, c.read(back));
                    assertEquals("hello", new String(back.array(), 0, 5));
                }
                assertEquals(5, accepted.get(20, TimeUnit.SECONDS));
            } finally {
                platform.shutdownNow();
            }
        }
    }

    /** Closing the group closes every socket: blocked calls throw AsynchronousCloseException and every descriptor is given back. */
    @ParameterizedTest
    @MethodSource("backends")
    void closingTheGroupEndsEverythingAndLeaksNoDescriptor(String backend) throws Exception {
        long before = openDescriptors();
        AioSockets sockets = open(backend);
        AioServerSocket server = sockets.listen(ANY);
        AioSocket c = sockets.connect(server.getLocalAddress());
        AioSocket mine = server.accept(); // c's other end
        Socket peer = new Socket(); // a peer outside the group: its end stays open while the group closes
        peer.connect(server.getLocalAddress());
        AioSocket s = server.accept();
        Blocked b = blockInReadAndAccept(s, server);
        sockets.close();
        assertInstanceOf(AsynchronousCloseException.class, failureOf(b.read()));
        assertInstanceOf(AsynchronousCloseException.class, failureOf(b.accept()));
        assertThrows(ClosedChannelException.class, () -> c.write(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> mine.read(ByteBuffer.allocate(1)));
        peer.close();
        assertEquals(before, openDescriptors(), "every descriptor given back: " + Arrays.toString(listDescriptors()));
    }

    /**
     * 10,000 connections at once, each served by a virtual thread of its own blocked in the facade
     * (clients: 10,000 JDK sockets on virtual threads in a child process). Every echo is checked,
     * the server saw all 10,000 open together, and every descriptor is given back.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void tenThousandVirtualThreads(String backend) throws Exception {
        int count = 10_000;
        long before = openDescriptors();
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        try (AioSockets sockets = open(backend); AioServerSocket server = sockets.listen(ANY, 4096);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        AioSocket s = server.accept();
                        threads.submit(() -> {
                            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                            try (s) {
                                ByteBuffer b = ByteBuffer.allocate(64);
                                while (s.read(b.clear()) > 0) s.write(b.flip());
                                served.incrementAndGet();
                            } finally {
                                open.decrementAndGet();
                            }
                            return null;
                        });
                    }
                } catch (IOException closed) {
                    // the server socket closed: the test is over
                }
            });
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            Process clients = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ManyClients.class.getName(),
                    at.getHostString(), Integer.toString(at.getPort()), Integer.toString(count))
                    .redirectErrorStream(true).start();
            String output = new String(clients.getInputStream().readAllBytes());
            assertTrue(clients.waitFor(120, TimeUnit.SECONDS), "the clients ended");
            assertTrue(output.contains("OK " + count), "every echo checked: " + output.lines().limit(5).toList());
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (served.get() < count && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(count, served.get(), "every connection served to its end");
            assertEquals(count, peak.get(), "all " + count + " were open at once, each with its virtual thread blocked in a read");
            System.out.println("[sockets] " + backend + ": " + count + " virtual threads, stats " + sockets.stats());
            server.close();
            acceptor.join();
        }
        assertEquals(before, openDescriptors(), "every descriptor given back");
    }

    static long openDescriptors() {
        return listDescriptors().length;
    }

    private static String[] listDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? new String[0] : fds;
    }
}
