package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
