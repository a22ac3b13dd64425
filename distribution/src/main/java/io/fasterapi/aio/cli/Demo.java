package io.fasterapi.aio.cli;

import io.fasterapi.aio.servers.DatagramEchoServer;
import io.fasterapi.aio.servers.EchoServer;
import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.IoStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The echo demo: on one loop, an {@link EchoServer} on 127.0.0.1 port 0 and {@code connections}
 * clients that each make {@code messages} round trips of {@code size} bytes: write a message whose
 * bytes depend on the connection and the message number, read the echo completely, compare every
 * byte, go on with the next message.
 *
 * <p>The clock runs from the moment every client is connected to the last verified echo, so it
 * measures round trips, not connection setup.
 */
final class Demo {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    /**
     * What one run did.
     *
     * @param backend       the loop's backend
     * @param server        the echo server's address
     * @param connections   clients
     * @param messages      round trips per client
     * @param size          bytes per message
     * @param roundTrips    verified round trips (all of them unless it failed)
     * @param bytesVerified echoed bytes compared with what was sent
     * @param elapsedNanos  from all-connected to the last verified echo (or to the failure)
     * @param failure       why the run failed, or {@code null}
     * @param stats         the loop's counters at the end, connections closed
     */
    record Result(String backend, java.net.SocketAddress server, int connections, int messages, int size,
                  long roundTrips, long bytesVerified, long elapsedNanos, String failure, IoStats stats) {

        boolean ok() {
            return failure == null;
        }

        long expectedRoundTrips() {
            return (long) connections * messages;
        }

        double roundTripsPerSecond() {
            return elapsedNanos > 0 ? roundTrips * 1e9 / elapsedNanos : 0;
        }

        /** Payload MiB per second in each direction. */
        double mibPerSecond() {
            return elapsedNanos > 0 ? bytesVerified * 1e9 / elapsedNanos / (1024.0 * 1024.0) : 0;
        }
    }

    private final int connections;
    private final int messages;
    private final int size;
    private final long timeoutNanos;

    /** The most connects in flight at once. */
    private static final int CONNECT_WINDOW = 256;

    private AsyncIo io;
    private Client[] clients;
    private java.net.SocketAddress serverAddress;
    /** A Unix domain socket to serve on instead of TCP (null: TCP on 127.0.0.1). */
    private java.net.UnixDomainSocketAddress unixPath;
    private boolean udp;
    private int nextToConnect;
    private String failure;
    private int connected;
    private int finished;
    private long roundTrips;
    private long bytesVerified;
    private long startNanos;
    private long endNanos;

    Demo(int connections, int messages, int size, Duration timeout) {
        this.connections = connections;
        this.messages = messages;
        this.size = size;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Echoes UDP datagrams: each client a connected UDP socket, each message one datagram. */
    Demo overUdp() {
        this.udp = true;
        return this;
    }

    /** Serves on a Unix domain socket at {@code path} rather than TCP. */
    Demo overUnixSocket(java.net.UnixDomainSocketAddress path) {
        this.unixPath = path;
        return this;
    }

    /**
     * Runs the demo on a new loop of {@code backend} (null: the best available) and closes it.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the loop or the server cannot be created
     */
    Result run(String backend) {
        AsyncIoConfig config = AsyncIoConfig.builder()
                .backend(backend)
                .uncaughtHandler(t -> fail("exception in a completion handler: " + Main.message(t)))
                .build();
        io = AsyncIo.create(config);
        String backendName = io.backend();
        Arena clientMemory = Arena.ofConfined();
        EchoServer server = null;
        DatagramEchoServer datagramServer = null;
        try {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            java.net.SocketAddress address;
            if (udp) {
                datagramServer = new DatagramEchoServer(io, loopback, 64 * 1024, Math.min(connections, 64));
                address = datagramServer.address();
            } else {
                server = unixPath != null ? new EchoServer(io, unixPath, 16 * 1024, null) : new EchoServer(io, loopback, 16 * 1024, null);
                address = server.socketAddress();
            }
            long deadline = System.nanoTime() + timeoutNanos;
            clients = new Client[connections];
            for (int c = 0; c < connections; c++) {
                clients[c] = new Client(c, clientMemory.allocate(size, 64), clientMemory.allocate(size, 64));
            }
            serverAddress = address;
            // At most CONNECT_WINDOW connects in flight: the listen backlog and a completion backend's
            // submission queue stay well within their limits however many connections are asked for.
            if (udp) { // a UDP "connect" is immediate: every client at once, then the clock
                for (Client c : clients) c.openConnectedDatagram((InetSocketAddress) address);
                nextToConnect = connected = connections;
                startNanos = System.nanoTime();
                for (Client c : clients) c.send();
            }
            while (nextToConnect < Math.min(connections, CONNECT_WINDOW)) {
                clients[nextToConnect++].connect(address);
            }
            while (finished < connections && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out after " + Table.seconds(timeoutNanos) + ": " + connected + " of " + connections
                            + " connected, " + finished + " finished, " + Table.count(roundTrips)
                            + " round trips verified");
                    break;
                }
                io.poll(Math.max(1, Math.min(left / 1_000_000, 1000)));
            }
            if (endNanos == 0) {
                endNanos = System.nanoTime();
            }
            // Let the server see the clients' closes, so that the statistics include both sides.
            long drainUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (failure == null && server != null && server.openConnections() > 0 && System.nanoTime() < drainUntil) {
                io.poll(10);
            }
            IoStats stats = io.stats();
            return new Result(backendName, address, connections, messages, size, roundTrips, bytesVerified,
                    startNanos == 0 ? 0 : endNanos - startNanos, failure, stats);
        } finally {
            io.close(); // completes whatever is still pending, before the buffers are freed
            if (server != null) {
                server.free();
            }
            if (datagramServer != null) {
                datagramServer.free();
            }
            clientMemory.close();
        }
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
            endNanos = System.nanoTime();
        }
    }

    /** Fills a message with bytes that depend on the connection and the message number. */
    static void fill(MemorySegment m, int connection, int message) {
        long x = (connection + 1) * 0x9E3779B97F4A7C15L ^ (message + 1) * 0xC2B2AE3D27D4EB4FL;
        long n = m.byteSize();
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            m.set(LONG, i, x);
        }
        for (; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            m.set(ValueLayout.JAVA_BYTE, i, (byte) x);
        }
    }

    private static String describe(IoEvent e) {
        Errno error = e.error();
        return error != null ? error.name() + " (" + error.description() + ")" : "error " + e.result();
    }

    /** One client: connect, then write a message and read its echo, M times; then close. */
    private final class Client implements CompletionHandler {
        private final int id;
        private final MemorySegment sent;
        private final MemorySegment received;
        private long handle;
        private int message;
        private long got;
        private boolean writeDone;

        Client(int id, MemorySegment sent, MemorySegment received) {
            this.id = id;
            this.sent = sent;
            this.received = received;
        }

        /** A UDP client: its own socket, connected to the server, so that read and write take one datagram each. */
        void openConnectedDatagram(InetSocketAddress server) {
            handle = io.openDatagram(new InetSocketAddress(server.getAddress(), 0));
            io.connectDatagram(handle, server);
        }

        void connect(java.net.SocketAddress server) {
            handle = server instanceof java.net.UnixDomainSocketAddress u ? io.connect(u, this)
                    : io.connect((InetSocketAddress) server, this);
        }

        @Override
        public void completed(IoEvent e) {
            if (failure != null) {
                return; // the run is over; the loop is being closed
            }
            long n = e.result();
            if (n < 0) {
                fail("connection " + id + ", message " + message + ": " + e.operation().name().toLowerCase()
                        + " failed: " + describe(e));
                return;
            }
            switch (e.operation()) {
                case CONNECT -> {
                    if (nextToConnect < connections) {
                        clients[nextToConnect++].connect(serverAddress);
                    }
                    if (++connected == connections) { // everybody is connected: start the clock, and them
                        startNanos = System.nanoTime();
                        for (Client c : clients) {
                            c.send();
                        }
                    }
                }
                case WRITE -> {
                    writeDone = true;
                    next();
                }
                case READ -> {
                    if (n == 0) {
                        fail("connection " + id + ", message " + message + ": the server closed the connection after "
                                + got + " of " + size + " echoed bytes");
                        return;
                    }
                    got += n;
                    if (got < size) {
                        io.read(handle, received.asSlice(got), this);
                    } else {
                        next();
                    }
                }
                default -> fail("connection " + id + ": unexpected " + e.operation() + " completion");
            }
        }

        /** Writes the next message and, at once, reads for its echo. */
        void send() {
            fill(sent, id, message);
            got = 0;
            writeDone = false;
            io.write(handle, sent, this);
            io.read(handle, received, this);
        }

        /** After the write completed and the whole echo arrived: verify, then go on. */
        private void next() {
            if (!writeDone || got < size) {
                return;
            }
            long at = MemorySegment.mismatch(sent, 0, size, received, 0, size);
            if (at >= 0) {
                fail(String.format("connection %d, message %d, byte %d: sent 0x%02x, echoed 0x%02x", id, message, at,
                        sent.get(ValueLayout.JAVA_BYTE, at), received.get(ValueLayout.JAVA_BYTE, at)));
                return;
            }
            roundTrips++;
            bytesVerified += size;
            if (++message < messages) {
                send();
            } else {
                io.close(handle);
                if (++finished == connections) {
                    endNanos = System.nanoTime();
                }
            }
        }
    }
}
