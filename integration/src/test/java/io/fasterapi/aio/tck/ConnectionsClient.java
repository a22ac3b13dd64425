package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of {@link ConnectionsIT}, run in a child JVM (its own descriptor table: this
 * machine's RLIMIT_NOFILE of 20,000 cannot hold both ends of 10,000 connections in one process, and
 * cannot be raised). Arguments: backend, host, port, connections, batch, round. Opens every
 * connection through its own loop, sends each a 16-byte header (index, seed) and seeded payload,
 * verifies the echo, and holds them all; prints "HELD verified failures", waits for "CLOSE" on
 * standard input, closes everything and prints "CLOSED".
 */
public final class ConnectionsClient {
    public static void main(String[] args) throws Exception {
        String backend = args[0];
        InetSocketAddress at = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int n = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        int round = Integer.parseInt(args[5]);
        int message = ConnectionsIT.MESSAGE;
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofConfined();
             AsyncIo io = AsyncIo.create(AsyncIoConfig.builder().backend(backend).build())) {
            MemorySegment outAll = arena.allocate((long) n * message, 8);
            MemorySegment inAll = arena.allocate((long) n * message, 8);
            long[] clients = new long[n];
            int[] connected = {0};
            int[] verified = {0};
            for (int from = 0; from < n && failures.isEmpty(); from += batch) {
                int to = Math.min(n, from + batch);
                for (int i = from; i < to; i++) {
                    int k = i;
                    clients[i] = io.connect(at, e -> {
                        if (e.result() != 0) {
                            failures.add("connect " + k + ": " + e);
                            return;
                        }
                        connected[0]++;
                        MemorySegment out = outAll.asSlice((long) k * message, message);
                        MemorySegment in = inAll.asSlice((long) k * message, message);
                        long seed = 0x5eedL * (k + 1) + round;
                        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, k);
                        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, seed);
                        Bytes.fill(out.asSlice(16), seed);
                        io.write(clients[k], out, w -> {
                            if (w.result() != message) failures.add("client write " + k + ": " + w);
                        });
                        ConnectionsIT.readFully(io, clients[k], in, 0, failures, () -> {
                            long diff = out.mismatch(in);
                            if (diff >= 0) {
                                failures.add("client " + k + ": echo differs at byte " + diff);
                            } else {
                                verified[0]++;
                            }
                        });
                    });
                }
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (connected[0] < to && failures.isEmpty() && System.nanoTime() < deadline) {
                    io.poll(50);
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (verified[0] < n && failures.isEmpty() && System.nanoTime() < deadline) {
                io.poll(50);
            }
            System.out.println("HELD " + verified[0] + " " + failures.size()
                    + (failures.isEmpty() ? "" : " first: " + failures.getFirst()));
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            String line = stdin.readLine();
            if (!"CLOSE".equals(line)) System.out.println("unexpected: " + line);
            for (long c : clients) {
                if (c > 0) io.close(c);
            }
            io.poll(0);
        }
        System.out.println("CLOSED");
        System.out.flush();
    }
}
