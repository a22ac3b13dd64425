package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.IoStats;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Handles are released: counted in /proc/self/fd. */
class DescriptorLeakContractTest {

    @ContractTest
    void noDescriptorLeakAcross10000Cycles(Backend backend) {
        CancellationContractTest.warmUp(backend);
        int batches = 100;
        int perBatch = 100;
        int before = Fds.count();
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress at = io.localAddress(listener);
            int withLoop = Fds.count();
            IoStats start = io.stats();
            List<String> failures = new ArrayList<>();
            for (int batch = 0; batch < batches; batch++) {
                long[] clients = new long[perBatch];
                long[] servers = new long[perBatch];
                int[] done = {0, 0};
                for (int i = 0; i < perBatch; i++) {
                    int k = i;
                    io.accept(listener, e -> {
                        if (e.result() <= 0) {
                            failures.add("accept: " + e);
                        }
                        servers[k] = e.result();
                        done[0]++;
                    });
                    clients[i] = io.connect(at, e -> {
                        if (e.result() != 0) {
                            failures.add("connect: " + e);
                        }
                        done[1]++;
                    });
                }
                int b = batch;
                loop.await("batch " + b + ": " + perBatch + " connects and accepts",
                        () -> done[0] == perBatch && done[1] == perBatch);
                assertTrue(failures.isEmpty(), () -> "batch " + b + ": " + failures);
                for (int i = 0; i < perBatch; i++) { // server ends first: TIME_WAIT stays on the server side
                    assertTrue(io.close(servers[i]), "close of an accepted handle");
                }
                for (int i = 0; i < perBatch; i++) {
                    assertTrue(io.close(clients[i]), "close of a connected handle");
                }
                if (batch % 10 == 9) {
                    Fds.assertCount(withLoop, "open descriptors after " + (batch + 1) * perBatch
                            + " connect/accept/close cycles (close(handle) closes now)");
                }
            }
            loop.pollFor(Duration.ofMillis(5));
            IoStats d = io.stats().minus(start);
            assertEquals((long) batches * perBatch, d.accepts(), "accepts");
            assertEquals((long) batches * perBatch, d.connects(), "connects");
            assertEquals(2L * batches * perBatch, d.closes(), "closes");
            Fds.assertCount(withLoop, "open descriptors after all cycles, loop still open");
            assertTrue(io.close(listener));
        }
        Fds.assertCount(before, "open descriptors after the loop closed");
    }

    @ContractTest
    void loopsReleaseTheirDescriptorsOnClose(Backend backend) {
        CancellationContractTest.warmUp(backend);
        int before = Fds.count();
        for (int i = 0; i < 200; i++) {
            try (TestLoop loop = backend.open()) {
                loop.io().wake();
                loop.io().poll(0);
            }
        }
        Fds.assertCount(before, "open descriptors after creating and closing 200 loops");
    }
}
