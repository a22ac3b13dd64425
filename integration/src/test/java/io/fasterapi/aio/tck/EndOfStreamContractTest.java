package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End of stream that arrived before anyone read: data and FIN already queued on the socket.
 * A readiness backend has seen the only edge it will get; a short read must not make it wait
 * for another.
 */
class EndOfStreamContractTest {

    @ContractTest
    void readsSeeDataThenZeroWhenFinArrivedBeforeTheRead(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            MemorySegment data = Bytes.random(arena, 100, 21);
            loop.writeAll(p.client(), data);
            io.shutdownOutput(p.client());
            loop.pollFor(Duration.ofMillis(50)); // the kernel reports data + FIN now, with no read pending
            MemorySegment buf = arena.allocate(4096);
            Completion first = new Completion();
            io.read(p.server(), buf, first);
            loop.await("the first read", first::done);
            assertEquals(100, first.assertSucceeded(Operation.READ), "the data, in one short read");
            Bytes.assertSame(data, buf.asSlice(0, 100), "data before the FIN");
            Completion second = new Completion();
            io.read(p.server(), buf, second);
            loop.await("the read after the data to see end of stream", second::done);
            assertEquals(0, second.assertSucceeded(Operation.READ), "end of stream");
        }
    }

    @ContractTest
    void receiveEndsWithZeroWhenFinArrivedBeforeIt(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            loop.writeAll(p.client(), Bytes.random(arena, 300, 22));
            io.shutdownOutput(p.client());
            loop.pollFor(Duration.ofMillis(50));
            long pool = io.createBufferPool(2, 1024);
            long[] bytes = {0};
            IoEvent.Snapshot[] last = {null};
            io.receive(p.server(), pool, e -> {
                if ((e.flags() & IoEvent.MORE) != 0) {
                    if (e.bufferId() >= 0) {
                        bytes[0] += e.result();
                        io.releaseBuffer(pool, e.bufferId());
                    }
                } else {
                    last[0] = e.snapshot();
                }
            }, 0);
            loop.await("the receive to end at end of stream", () -> last[0] != null);
            assertEquals(300, bytes[0]);
            assertEquals(0, last[0].result(), "end of stream: " + last[0]);
        }
    }

    /**
     * A close made in the same turn as another request reaches the peer while the loop then waits
     * (io_uring closed such a descriptor only after the submitting wait returned: a peer waiting
     * for that close to answer waited for ever). The peer sees end of stream and wakes the loop;
     * without the fix the poll only ends at its 10 s limit, with no end of stream seen.
     */
    @ContractTest
    void aCloseInTheSameTurnAsAnotherRequestReachesThePeerWhileTheLoopWaits(Backend backend) throws Exception {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open();
             java.net.Socket closing = new java.net.Socket(); java.net.Socket other = new java.net.Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new java.net.InetSocketAddress(TestLoop.IPV4, 0));
            long h1 = loop.acceptPeer(listener, closing);
            long h2 = loop.acceptPeer(listener, other);
            java.util.concurrent.CompletableFuture<Integer> seen = new java.util.concurrent.CompletableFuture<>();
            closing.setSoTimeout(15_000);
            Thread peer = Thread.ofPlatform().start(() -> {
                try {
                    seen.complete(closing.getInputStream().read());
                } catch (java.io.IOException e) {
                    seen.completeExceptionally(e);
                }
                io.wake();
            });
            io.execute(() -> { // one turn: a request is queued, then a close
                io.read(h2, arena.allocate(16), new Completion());
                io.close(h1);
            });
            long start = System.nanoTime();
            while (!seen.isDone() && System.nanoTime() - start < 10_000_000_000L) io.poll(Duration.ofSeconds(10));
            long waited = System.nanoTime() - start;
            peer.join(15_000);
            assertEquals(-1, seen.getNow(-2), "the peer saw the close");
            // Liveness, not speed: the wait ended at the peer's wake-up (milliseconds), never at its 10 s limit.
            assertTrue(waited < 9_000_000_000L, "the close reached the peer only when the loop's wait ended by itself, after "
                    + waited / 1_000_000 + " ms");
        }
    }
}
