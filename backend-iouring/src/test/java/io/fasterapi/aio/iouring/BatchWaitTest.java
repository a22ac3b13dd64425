package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link AsyncIoConfig#batchWaitMicros()}: a server that keeps its next read armed while it answers
 * waits once per request, and a send whose peer never answers is still reported. The loops run on
 * their own thread with {@link AsyncIo#run()}, so no poll timeout bounds a wait but the batch wait's.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class BatchWaitTest {
    private static final int EXCHANGES = 400;

    @Test
    void anExchangeCostsOneWaitWithTheBatchWaitAndTwoWithout() throws Exception {
        long without = waitsFor(0);
        long with = waitsFor(1_000_000);
        // Without: the send completes during the submission and ends the wait; the next request's
        // read takes a second. With: the wait holds out for the read.
        assertTrue(without >= EXCHANGES * 3 / 2, "without the batch wait, " + without + " waits for " + EXCHANGES + " exchanges");
        assertTrue(with <= EXCHANGES * 5 / 4, "with the batch wait, " + with + " waits for " + EXCHANGES + " exchanges");
    }

    @Test
    void aSendIsReportedThoughItsPeerNeverAnswers() throws Exception {
        Server s = new Server(200_000); // a fifth of a second
        assumeTrue(s.kernel.batchesWaits(), "min_wait needs Linux 6.12 or later (IORING_FEAT_MIN_TIMEOUT)");
        try (Socket c = new Socket()) {
            c.connect(s.address);
            c.getOutputStream().write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            // The server answers and arms its next read; this peer sends nothing more. The send's
            // report must not wait for a read that never comes: the batch wait bounds it.
            assertTrue(s.firstWrite.await(10, TimeUnit.SECONDS), "the send was never reported");
            byte[] back = new byte[8];
            new DataInputStream(c.getInputStream()).readFully(back);
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, back);
        } finally {
            s.stop();
        }
    }

    /** The loop's waits over {@link #EXCHANGES} one-at-a-time echoes with a blocking client. */
    private static long waitsFor(int batchWaitMicros) throws Exception {
        Server s = new Server(batchWaitMicros);
        if (batchWaitMicros > 0) assumeTrue(s.kernel.batchesWaits(), "min_wait needs Linux 6.12 or later (IORING_FEAT_MIN_TIMEOUT)");
        long waits;
        try (Socket c = new Socket()) {
            c.connect(s.address);
            c.setTcpNoDelay(true);
            OutputStream out = c.getOutputStream();
            DataInputStream in = new DataInputStream(c.getInputStream());
            byte[] msg = new byte[8], back = new byte[8];
            out.write(msg);
            in.readFully(back); // the connection is accepted and served: count from here
            assertTrue(s.firstWrite.await(10, TimeUnit.SECONDS));
            long before = s.waitsSoFar();
            for (int i = 0; i < EXCHANGES; i++) {
                msg[0] = (byte) i;
                out.write(msg);
                in.readFully(back);
                assertEquals((byte) i, back[0]);
            }
            waits = s.waitsSoFar() - before;
        } finally {
            s.stop();
        }
        return waits;
    }

    /** An echo server on its own loop thread: on each read, write it back and read again into the other buffer. */
    private static final class Server implements CompletionHandler {
        final AsyncIo io;
        final IoUringKernel kernel;
        final InetSocketAddress address;
        final CountDownLatch firstWrite = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] buffers = {arena.allocate(64), arena.allocate(64)};
        private final Thread thread;
        private final CountDownLatch counted = new CountDownLatch(1);
        private volatile long waits;
        private long handle;
        private int next;

        Server(int batchWaitMicros) {
            io = AsyncIo.create(AsyncIoConfig.builder().backend(IoUringProvider.NAME).batchWaitMicros(batchWaitMicros)
                    .uncaughtHandler(failure::set).build());
            kernel = IoUringKernelTest.kernelOf(io);
            long listener = io.listen(new InetSocketAddress(Drive.LOOPBACK, 0));
            address = io.localAddress(listener);
            io.accept(listener, e -> {
                handle = e.result();
                io.read(handle, buffers[next], this);
            });
            thread = new Thread(() -> {
                io.run();
                io.close(); // on the loop's own thread, once run() has returned
            }, "batch-wait-loop");
            thread.start();
        }

        @Override
        public void completed(IoEvent e) {
            if (e.operation() == Operation.WRITE) {
                firstWrite.countDown();
                return;
            }
            if (e.result() <= 0) return;
            int b = next;
            next = 1 - next;
            io.write(handle, buffers[b].asSlice(0, e.result()), this); // the write first: the read is armed after it
            io.read(handle, buffers[next], this);
        }

        /** The loop's waits so far, read on the loop thread. */
        long waitsSoFar() throws InterruptedException {
            CountDownLatch done = new CountDownLatch(1);
            long[] w = new long[1];
            io.execute(() -> {
                w[0] = kernel.waits();
                done.countDown();
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            return w[0];
        }

        void stop() throws InterruptedException {
            io.stop();
            thread.join(10_000);
            assertTrue(!thread.isAlive(), "the loop did not stop");
            arena.close();
            if (failure.get() != null) throw new AssertionError("a handler threw", failure.get());
        }
    }
}
