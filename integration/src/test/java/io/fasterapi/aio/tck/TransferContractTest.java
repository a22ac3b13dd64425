package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Volume and concurrency: large transfers with partial writes, many connections on one loop. */
class TransferContractTest {

    private static final long MIB = 1024 * 1024;

    @ContractTest
    void transfer64MiBEachWay(Backend backend) {
        int segments = 64;
        long total = segments * MIB;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            // Both directions at once, 4 writes of 1 MiB pending per side: the socket buffers fill
            // up, so the loop must continue partial writes itself.
            StreamWriter up = new StreamWriter(io, p.client(), arena, MIB, segments, 4, 11).start();
            StreamWriter down = new StreamWriter(io, p.server(), arena, MIB, segments, 4, 22).start();
            StreamReader atServer = new StreamReader(io, p.server(), total, arena.allocate(256 * 1024), null).start();
            StreamReader atClient = new StreamReader(io, p.client(), total, arena.allocate(256 * 1024), null).start();
            loop.await("64 MiB each way", Duration.ofSeconds(90),
                    () -> up.done() && down.done() && atServer.done() && atClient.done());
            assertNull(up.failure(), "client -> server writes");
            assertNull(down.failure(), "server -> client writes");
            assertNull(atServer.failure(), "server reads");
            assertNull(atClient.failure(), "client reads");
            assertEquals(total, up.bytes());
            assertEquals(total, down.bytes());
            assertEquals(total, atServer.received());
            assertEquals(total, atClient.received());
            assertEquals(up.crc(), atServer.crc(), "CRC32 of 64 MiB client -> server");
            assertEquals(down.crc(), atClient.crc(), "CRC32 of 64 MiB server -> client");

            // Not one byte more than was written: each side then sees end of stream.
            io.shutdownOutput(p.client());
            io.shutdownOutput(p.server());
            loop.assertEndOfStream(p.server(), arena);
            loop.assertEndOfStream(p.client(), arena);
        }
    }

    /** One connection's two ends in {@link #thousandConcurrentConnectionsOnOneLoop}. */
    private static final class Conn {
        final int index;
        final MemorySegment message;
        final MemorySegment echo;
        long client;
        long clientGot;
        boolean clientVerified;
        boolean clientSawEnd;
        String failure;

        Conn(int index, Arena arena) {
            this.index = index;
            long size = sizeOf(index);
            this.message = Bytes.random(arena, size, 7_000 + index);
            message.set(ValueLayout.JAVA_INT_UNALIGNED, 0, index);
            this.echo = arena.allocate(size);
        }

        static long sizeOf(int index) {
            return 600 + (index * 37L) % 3000;
        }
    }

    /** The server end of one accepted connection. */
    private static final class ServerSide {
        final long handle;
        final MemorySegment buffer;
        long got;

        ServerSide(long handle, Arena arena) {
            this.handle = handle;
            this.buffer = arena.allocate(4096);
        }
    }

    @ContractTest
    void thousandConcurrentConnectionsOnOneLoop(Backend backend) {
        int n = 1000;
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress at = io.localAddress(listener);
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                conns.add(new Conn(i, arena));
            }
            BitSet seenByServer = new BitSet(n);
            List<String> failures = new ArrayList<>();
            int[] accepted = {0};
            int[] serversClosed = {0};
            int[] clientsDone = {0};

            // Server: read one message (its first 4 bytes name the connection, hence its size),
            // check it, echo it back, close after the echo is written.
            class Server {
                void accept() {
                    io.accept(listener, e -> {
                        if (e.result() <= 0) {
                            failures.add("accept failed: " + e);
                            return;
                        }
                        accepted[0]++;
                        if (accepted[0] + 8 <= n) {
                            accept();
                        }
                        read(new ServerSide(e.result(), arena));
                    });
                }

                void read(ServerSide s) {
                    io.read(s.handle, s.buffer.asSlice(s.got), e -> {
                        if (e.result() <= 0) {
                            failures.add("server read after " + s.got + " bytes: " + e);
                            return;
                        }
                        s.got += e.result();
                        if (s.got < 4) {
                            read(s);
                            return;
                        }
                        int index = s.buffer.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                        if (index < 0 || index >= n) {
                            failures.add("server read a message naming connection " + index);
                            return;
                        }
                        long size = Conn.sizeOf(index);
                        if (s.got < size) {
                            read(s);
                            return;
                        }
                        if (s.got > size || s.buffer.asSlice(0, size).mismatch(conns.get(index).message) >= 0) {
                            failures.add("server received wrong bytes for connection " + index);
                            return;
                        }
                        if (seenByServer.get(index)) {
                            failures.add("connection " + index + " arrived twice");
                        }
                        seenByServer.set(index);
                        io.write(s.handle, s.buffer.asSlice(0, size), w -> {
                            if (w.result() != size) {
                                failures.add("server echo write: " + w.snapshot());
                            }
                            io.close(s.handle);
                            serversClosed[0]++;
                        });
                    });
                }
            }
            Server server = new Server();
            for (int k = 0; k < Math.min(8, n); k++) { // 8 accepts pending, each re-armed on completion
                server.accept();
            }

            // Clients: connect, send the message, read the echo, verify, then expect end of stream.
            for (Conn c : conns) {
                c.client = io.connect(at, e -> {
                    if (e.result() != 0) {
                        failures.add("connect " + c.index + ": " + e);
                        return;
                    }
                    io.write(c.client, c.message, w -> {
                        if (w.result() != c.message.byteSize()) {
                            failures.add("client write " + c.index + ": " + w.snapshot());
                        }
                    });
                    readEcho(io, c, failures, clientsDone);
                }, c.index);
            }
            loop.await(n + " connections exchanging data (accepted " + accepted[0] + ")", Duration.ofSeconds(60),
                    () -> !failures.isEmpty() || (clientsDone[0] == n && serversClosed[0] == n));
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.subList(0, Math.min(5, failures.size())));
            assertEquals(n, seenByServer.cardinality(), "distinct connections seen by the server");
            for (Conn c : conns) {
                assertTrue(c.clientVerified && c.clientSawEnd, "connection " + c.index + " finished");
            }
            assertTrue(io.close(listener));
        }
    }

    private static void readEcho(AsyncIo io, Conn c, List<String> failures, int[] clientsDone) {
        io.read(c.client, c.clientGot < c.echo.byteSize() ? c.echo.asSlice(c.clientGot) : c.echo.asSlice(0, 1), e -> {
            IoEvent.Snapshot s = e.snapshot();
            if (s.operation() != Operation.READ || s.result() < 0) {
                failures.add("client read " + c.index + ": " + s);
                return;
            }
            if (c.clientGot < c.echo.byteSize()) {
                if (s.result() == 0) {
                    failures.add("client " + c.index + ": end of stream after " + c.clientGot + " echoed bytes");
                    return;
                }
                c.clientGot += s.result();
                if (c.clientGot == c.echo.byteSize()) {
                    if (c.echo.mismatch(c.message) >= 0) {
                        failures.add("client " + c.index + ": echo differs from the message sent");
                        return;
                    }
                    c.clientVerified = true;
                }
                readEcho(io, c, failures, clientsDone);
            } else if (s.result() != 0) {
                failures.add("client " + c.index + ": " + s.result() + " bytes after the echo, expected end of stream");
            } else {
                c.clientSawEnd = true;
                io.close(c.client);
                clientsDone[0]++;
            }
        });
    }
}
