package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.LoopGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The futures adapter (issue #15, item 3): composition from another thread, errors, cancellation, on every backend. */
class AsyncFuturesTest {
    static Stream<String> backends() {
        return AsyncIo.backends().stream().filter(BackendInfo::available).map(BackendInfo::name);
    }

    private static LoopGroup loop(String backend) {
        return LoopGroup.start("futures", 1, AsyncIoConfig.builder().backend(backend).build(), (io, i) -> null);
    }

    /** Listen, accept, connect, write, read and close composed as futures from the test thread; each completes on the loop's thread. */
    @ParameterizedTest
    @MethodSource("backends")
    void operationsComposeFromAnotherThread(String backend) throws Exception {
        try (LoopGroup g = loop(backend); Arena arena = Arena.ofShared()) {
            AsyncIo io = g.loop(0);
            AsyncFutures f = AsyncFutures.of(io);
            CompletableFuture<Long> listener = new CompletableFuture<>();
            io.execute(() -> listener.complete(io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))));
            long l = listener.get(20, TimeUnit.SECONDS);
            CompletableFuture<InetSocketAddress> at = new CompletableFuture<>();
            io.execute(() -> at.complete(io.localAddress(l)));
            MemorySegment out = arena.allocate(5), in = arena.allocate(5), back = arena.allocate(5);
            out.copyFrom(MemorySegment.ofArray("hello".getBytes()));
            CompletableFuture<Long> server = f.accept(l).thenCompose(s -> f.read(s, in)
                    .thenCompose(n -> f.write(s, in.asSlice(0, n))));
            CompletableFuture<Long> client = f.connect(at.get(20, TimeUnit.SECONDS))
                    .thenCompose(c -> f.write(c, out).thenCompose(n -> f.read(c, back))
                            .thenCompose(n -> f.close(c).thenApply(z -> n)));
            assertEquals(5, client.get(20, TimeUnit.SECONDS));
            assertEquals(5, server.get(20, TimeUnit.SECONDS));
            assertArrayEquals("hello".getBytes(), back.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, f.delay(Duration.ofMillis(5)).get(20, TimeUnit.SECONDS));
        }
    }

    /** A failed operation completes exceptionally with the error; misuse at the call does too. */
    @ParameterizedTest
    @MethodSource("backends")
    void errorsCompleteExceptionally(String backend) throws Exception {
        int free = AioSocketsTest.closedPort();
        try (LoopGroup g = loop(backend)) {
            AsyncFutures f = AsyncFutures.of(g.loop(0));
            var refused = assertThrows(ExecutionException.class,
                    () -> f.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), free)).get(20, TimeUnit.SECONDS));
            AsyncIoException e = assertInstanceOf(AsyncIoException.class, refused.getCause());
            assertEquals(Errno.ECONNREFUSED, e.error());
            var heap = assertThrows(ExecutionException.class, () -> f.read(12345, MemorySegment.ofArray(new byte[4])).get(20, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, heap.getCause(), "a heap segment is refused");
        }
    }

    /**
     * Cancelling a pending read cancels the operation on the loop: the future is cancelled, the
     * loop gives the operation back (released), and the bytes sent after it go to the next read.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void cancellingTheFutureCancelsTheOperation(String backend) throws Exception {
        try (LoopGroup g = loop(backend); Arena arena = Arena.ofShared();
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AsyncFutures f = AsyncFutures.of(g.loop(0));
            long h = f.connect(server.getLocalSocketAddress()).get(20, TimeUnit.SECONDS);
            try (Socket peer = server.accept()) {
                MemorySegment buf = arena.allocate(16);
                AsyncFutures.OpFuture read = f.read(h, buf);
                Thread.sleep(20);
                assertTrue(read.cancel(true));
                assertThrows(CancellationException.class, read::join);
                read.released().toCompletableFuture().get(20, TimeUnit.SECONDS);
                peer.getOutputStream().write(42);
                assertEquals(1, f.read(h, buf).get(20, TimeUnit.SECONDS), "the byte went to the next read");
                assertEquals(42, buf.get(ValueLayout.JAVA_BYTE, 0));
                // Completed on the loop's thread: a stage attached before the data is sent runs there.
                CompletableFuture<Thread> on = f.read(h, buf).thenApply(n -> Thread.currentThread());
                peer.getOutputStream().write(43);
                assertTrue(on.get(20, TimeUnit.SECONDS).getName().startsWith("futures-"), "completed on " + on.join());
                AsyncFutures.OpFuture timer = f.delay(Duration.ofSeconds(30));
                assertTrue(timer.cancel(false));
                timer.released().toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
        }
    }
}
