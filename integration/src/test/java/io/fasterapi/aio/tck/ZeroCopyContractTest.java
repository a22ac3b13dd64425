package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AsyncIoConfig#zeroCopy()}: on every backend, writes above and below the threshold, single
 * and gathered, arrive whole and in order, each reported once with its length (a zero-copy write
 * only after the kernel's notice). Where the backend has a zero-copy path it is taken (epoll: the
 * socket gets SO_ZEROCOPY at its first large write); where it has none, {@link BackendInfo} says so.
 */
class ZeroCopyContractTest {
    private static final int SOL_SOCKET_LINUX = 1;
    private static final int SO_ZEROCOPY_LINUX = 60;

    @ContractTest
    void writesAboveTheThresholdArriveWholeAndAreReportedOnce(Backend backend) {
        AsyncIoConfig config = AsyncIoConfig.builder().backend(backend.name()).zeroCopy(true).zeroCopyThreshold(16 * 1024).build();
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(config)) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            MemorySegment[] singles = {Bytes.random(arena, 256 * 1024, 1), Bytes.random(arena, 100, 2),
                    Bytes.random(arena, 1024 * 1024, 3), Bytes.random(arena, 16 * 1024, 4)};
            MemorySegment[] gather = {Bytes.random(arena, 32 * 1024, 5), Bytes.random(arena, 7, 6), Bytes.random(arena, 64 * 1024, 7)};
            Completion[] w = new Completion[singles.length + 1];
            long total = 0;
            for (int i = 0; i < singles.length; i++) {
                io.write(p.client(), singles[i], w[i] = new Completion());
                total += singles[i].byteSize();
            }
            io.write(p.client(), gather, w[singles.length] = new Completion());
            for (MemorySegment g : gather) total += g.byteSize();
            MemorySegment got = loop.readExactly(p.server(), total, arena);
            loop.await("the writes", Duration.ofSeconds(30), () -> {
                for (Completion c : w) if (!c.done()) return false;
                return true;
            });
            long at = 0;
            for (int i = 0; i < singles.length; i++) {
                assertEquals(singles[i].byteSize(), w[i].assertSucceeded(Operation.WRITE), "write " + i);
                Bytes.assertSame(singles[i], got.asSlice(at, singles[i].byteSize()), "write " + i);
                at += singles[i].byteSize();
            }
            assertEquals(total - at, w[singles.length].assertSucceeded(Operation.WRITE), "the gather write");
            for (MemorySegment g : gather) {
                Bytes.assertSame(g, got.asSlice(at, g.byteSize()), "the gather write");
                at += g.byteSize();
            }
            loop.pollFor(Duration.ofMillis(20)); // a second report of any write would come now
            for (Completion c : w) assertEquals(1, c.calls(), "reported once");
            assertEquals(0, io.stats().errors(), "no completion the engine did not expect");
            if (backend.name().equals("epoll")) {
                assertEquals(1, SocketProbe.intOption(io.nativeDescriptor(p.client()), SOL_SOCKET_LINUX, SO_ZEROCOPY_LINUX),
                        "epoll sends a large write with MSG_ZEROCOPY, which needs SO_ZEROCOPY");
            }
            loop.exchange(p, 3);
        }
    }

    @ContractTest
    void smallWritesAndTheOptionOffNeverGoZeroCopy(Backend backend) {
        for (boolean on : new boolean[] {true, false}) {
            AsyncIoConfig config = AsyncIoConfig.builder().backend(backend.name()).zeroCopy(on).zeroCopyThreshold(1 << 20).build();
            try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open(config)) {
                AsyncIo io = loop.io();
                Pair p = loop.connectPair();
                MemorySegment data = Bytes.random(arena, on ? 64 * 1024 : 2 * 1024 * 1024, 9);
                loop.writeAll(p.client(), data);
                Bytes.assertSame(data, loop.readExactly(p.server(), data.byteSize(), arena), "the write");
                if (backend.name().equals("epoll")) {
                    assertEquals(0, SocketProbe.intOption(io.nativeDescriptor(p.client()), SOL_SOCKET_LINUX, SO_ZEROCOPY_LINUX),
                            on ? "below the threshold" : "zeroCopy off");
                }
            }
        }
    }

    @ContractTest
    void theBackendSaysWhetherItCanSendWithoutCopying(Backend backend) {
        BackendInfo info = AsyncIo.backends().stream().filter(b -> b.name().equals(backend.name())).findFirst().orElseThrow();
        switch (backend.name()) {
            case "epoll" -> assertTrue(info.zeroCopy().startsWith("MSG_ZEROCOPY"), info.zeroCopy());
            case "io_uring" -> assertTrue(info.zeroCopy().contains("IORING_OP_SEND_ZC"), info.zeroCopy());
            default -> assertFalse(info.hasZeroCopy(), info.zeroCopy());
        }
    }
}
