package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two backends talking to each other, each loop on its own thread: an io_uring echo server with
 * epoll clients, and the reverse. 200 connections each send 64 KiB and check the echo's CRC32.
 */
class CrossBackendTest {
    static final int CONNECTIONS = 200;
    static final int SIZE = 64 * 1024;

    @Test
    void ioUringServesEpollClients() throws Exception {
        echo("io_uring", "epoll");
    }

    @Test
    void epollServesIoUringClients() throws Exception {
        echo("epoll", "io_uring");
    }

    private static void assumeAvailable(String backend) {
        String why = BackendInvocations.whyNot(backend);
        assumeTrue(why == null, () -> backend + " is not available here: " + why);
    }

    private static void echo(String serverBackend, String clientBackend) throws Exception {
        assumeAvailable(serverBackend);
        assumeAvailable(clientBackend);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AsyncIo server = AsyncIo.create(AsyncIoConfig.builder().backend(serverBackend).uncaughtHandler(failures::add).build());
        AsyncIo client = AsyncIo.create(AsyncIoConfig.builder().backend(clientBackend).uncaughtHandler(failures::add).build());
        assertEquals(serverBackend, server.backend());
        assertEquals(clientBackend, client.backend());
        Arena arena = Arena.ofShared();
        AtomicLongArray sentCrc = new AtomicLongArray(CONNECTIONS);
        AtomicLongArray echoedCrc = new AtomicLongArray(CONNECTIONS);
        CountDownLatch done = new CountDownLatch(CONNECTIONS);
        AtomicInteger serverAccepted = new AtomicInteger();
        AtomicInteger serverClosed = new AtomicInteger();
        try {
            long listener = server.listen(new InetSocketAddress(TestLoop.IPV4, 0), ListenOptions.defaults().withBacklog(1024));
            InetSocketAddress at = server.localAddress(listener);

            // The echo server: accept forever; per connection, read then write back what was read.
            server.execute(() -> server.accept(listener, new CompletionHandler() {
                @Override
                public void completed(IoEvent e) {
                    if (e.result() < 0) return; // ECANCELED at close
                    server.accept(listener, this);
                    serverAccepted.incrementAndGet();
                    long conn = e.result();
                    MemorySegment buf = arena.allocate(SIZE);
                    server.read(conn, buf, new CompletionHandler() {
                        @Override
                        public void completed(IoEvent r) {
                            if (r.result() <= 0) {
                                server.close(conn);
                                serverClosed.incrementAndGet();
                                return;
                            }
                            CompletionHandler readAgain = this;
                            server.write(conn, buf.asSlice(0, r.result()), w -> {
                                if (w.result() < 0) {
                                    failures.add(new AssertionError("server WRITE " + w.snapshot()));
                                    return;
                                }
                                server.read(conn, buf, readAgain);
                            });
                        }
                    });
                }
            }));

            // The clients: connect, send 64 KiB, read 64 KiB back, compare CRCs, close.
            client.execute(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    int k = i;
                    MemorySegment out = Bytes.random(arena, SIZE, 1000 + k);
                    sentCrc.set(k, Bytes.crc(out));
                    MemorySegment in = arena.allocate(SIZE);
                    long[] conn = {0};
                    conn[0] = client.connect(at, c -> {
                        if (c.result() != 0) {
                            failures.add(new AssertionError("client " + k + " CONNECT " + c.snapshot()));
                            return;
                        }
                        client.write(conn[0], out, w -> {
                            if (w.result() != SIZE) failures.add(new AssertionError("client " + k + " WRITE " + w.snapshot()));
                        });
                        int[] got = {0};
                        client.read(conn[0], in, new CompletionHandler() {
                            @Override
                            public void completed(IoEvent r) {
                                if (r.result() <= 0) {
                                    failures.add(new AssertionError("client " + k + " READ after " + got[0] + ": " + r.snapshot()));
                                    return;
                                }
                                got[0] += (int) r.result();
                                if (got[0] < SIZE) {
                                    client.read(conn[0], in.asSlice(got[0]), this);
                                    return;
                                }
                                CRC32 crc = new CRC32();
                                Bytes.update(crc, in);
                                echoedCrc.set(k, crc.getValue());
                                client.close(conn[0]);
                                done.countDown();
                            }
                        });
                    });
                }
            });

            Thread serverThread = loopThread(server, serverBackend + "-server", failures);
            Thread clientThread = loopThread(client, clientBackend + "-client", failures);
            boolean finished = done.await(60, TimeUnit.SECONDS);
            client.stop();
            server.stop();
            clientThread.join(10_000);
            serverThread.join(10_000);
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " failures; first: " + failures.getFirst(), failures.getFirst());
                failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
            assertTrue(finished, () -> (CONNECTIONS - done.getCount()) + " of " + CONNECTIONS + " echoes arrived in 60 s; server "
                    + server.stats() + "; client " + client.stats());
            assertTrue(!serverThread.isAlive() && !clientThread.isAlive(), "both loop threads ended");
            for (int i = 0; i < CONNECTIONS; i++) {
                assertEquals(sentCrc.get(i), echoedCrc.get(i), "CRC32 of connection " + i + "'s echo");
            }
            assertEquals(CONNECTIONS, serverAccepted.get(), "connections the server accepted");
            assertEquals((long) CONNECTIONS * SIZE, client.stats().bytesRead(), "bytes the clients read");
            assertEquals((long) CONNECTIONS * SIZE, server.stats().bytesWritten(), "bytes the server wrote");
        } finally {
            arena.close();
        }
    }

    /** Runs the loop on its own thread, then closes it there. */
    private static Thread loopThread(AsyncIo io, String name, List<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                io.run();
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                try {
                    io.close();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        }, name);
        t.start();
        return t;
    }
}
