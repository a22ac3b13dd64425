package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configured table sizes: AsyncIoConfig.maxOperations (ENOBUFS) and maxHandles (EMFILE). */
class LimitsContractTest {

    @ContractTest
    void operationLimitThrowsEnobufsAndFreesWithCompletions(Backend backend) {
        int max = 8;
        try (TestLoop loop = new TestLoop(backend, backend.create(backend.config().maxOperations(max).queueDepth(max).build()))) {
            AsyncIo io = loop.io();
            List<Completion> timers = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                Completion c = new Completion();
                io.schedule(Duration.ofMillis(5), c);
                timers.add(c);
            }
            Completion never = new Completion();
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> io.schedule(Duration.ofMillis(5), never),
                    "operation " + (max + 1) + " with maxOperations=" + max);
            assertSame(Errno.ENOBUFS, e.error(), () -> "error of " + e);
            loop.await(max + " timers", () -> timers.stream().allMatch(Completion::done));
            for (Completion c : timers) {
                assertEquals(0, c.result());
            }
            // Completed operations free their slots: as many can be pending again.
            List<Completion> again = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                Completion c = new Completion();
                io.schedule(0, c, i);
                again.add(c);
            }
            loop.await(max + " more timers", () -> again.stream().allMatch(Completion::done));
            loop.pollFor(Duration.ofMillis(10));
            assertEquals(0, never.calls(), "the refused operation never completes");
        }
    }

    @ContractTest
    void handleLimitThrowsEmfileAndFreesOnClose(Backend backend) {
        int max = 4;
        try (TestLoop loop = new TestLoop(backend, backend.create(backend.config().maxHandles(max).build()))) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            Pair first = loop.connectPair(listener); // listener + 2 = 3 handles
            long extra = io.listen(new InetSocketAddress(TestLoop.IPV4, 0)); // 4
            AsyncIoException e = assertThrows(AsyncIoException.class,
                    () -> io.listen(new InetSocketAddress(TestLoop.IPV4, 0)), "handle " + (max + 1) + " with maxHandles=" + max);
            assertSame(Errno.EMFILE, e.error(), () -> "error of " + e);
            Completion c = new Completion();
            try {
                io.connect(io.localAddress(listener), c);
                loop.await("a CONNECT beyond maxHandles", c::done);
                c.assertFailed(Operation.CONNECT, Errno.EMFILE);
            } catch (AsyncIoException thrown) {
                assertSame(Errno.EMFILE, thrown.error(), () -> "error of " + thrown);
            }
            loop.exchange(first, 9); // the pair is unharmed
            // Closing frees handles: one more listener fits, and after closing the pair, a new pair.
            assertTrue(io.close(extra));
            long another = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            assertTrue(io.close(another));
            assertTrue(io.close(first.client()));
            assertTrue(io.close(first.server()));
            Pair second = loop.connectPair(listener);
            loop.exchange(second, 10);
        }
    }
}
