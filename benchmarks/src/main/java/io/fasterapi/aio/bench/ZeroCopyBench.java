package io.fasterapi.aio.bench;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk sending with and without {@link AsyncIoConfig#zeroCopy()} (issue #13, item 5).
 *
 * <p>{@code server}: one loop; each connection has two writes of {@code --size} bytes in flight at
 * all times, from one buffer filled once. From {@code --warmup} seconds after the first connection
 * for {@code --duration} seconds it counts the bytes of completed writes and the process's CPU time
 * (every thread, the kernel's io_uring workers included), then prints one line and exits:
 * <pre>ZC backend=io_uring zero_copy=1 size=65536 bytes=... window_ms=... cpu_ns=...</pre>
 * {@code client}: {@code --connections} blocking readers that discard what they read, until the
 * server closes or {@code --seconds} pass.
 */
final class ZeroCopyBench {
    private ZeroCopyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("usage: ZeroCopyBench server|client --options");
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals("server")) {
            server(new Args(rest, new String[] {"backend", "zero-copy", "size", "port", "warmup", "duration"}));
        } else {
            client(new Args(rest, new String[] {"port", "connections", "seconds"}));
        }
    }

    private static void server(Args a) {
        String backend = a.get("backend", "io_uring");
        boolean zeroCopy = a.getInt("zero-copy", 0) != 0;
        int size = a.getInt("size", 65536);
        long warmup = (long) (a.getDouble("warmup", 2) * 1e9);
        long window = (long) (a.getDouble("duration", 5) * 1e9);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AsyncIo io = AsyncIo.create(AsyncIoConfig.builder().backend(backend).zeroCopy(zeroCopy).build());
        MemorySegment data = Arena.global().allocate(size, 4096);
        for (long i = 0; i < size; i += 8) data.set(java.lang.foreign.ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
        long listener = io.listen(new InetSocketAddress("127.0.0.1", a.getInt("port", 9000)));
        long[] counting = {0}; // 0 before the window, 1 in it, 2 after
        long[] bytes = {0}, cpu = {0}, start = {0};
        boolean[] first = {true};
        CompletionHandler writer = new CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                if (e.failed()) {
                    io.close(e.handle());
                    return;
                }
                if (counting[0] == 1) bytes[0] += e.result();
                io.write(e.handle(), data, this);
            }
        };
        CompletionHandler accepted = new CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                if (e.failed()) return;
                io.accept(listener, this);
                io.write(e.result(), data, writer);
                io.write(e.result(), data, writer);
                if (first[0]) {
                    first[0] = false;
                    io.schedule(Duration.ofNanos(warmup), t -> {
                        counting[0] = 1;
                        start[0] = System.nanoTime();
                        cpu[0] = os.getProcessCpuTime();
                        io.schedule(Duration.ofNanos(window), t2 -> {
                            counting[0] = 2;
                            long ms = (System.nanoTime() - start[0]) / 1_000_000;
                            long cpuNs = os.getProcessCpuTime() - cpu[0];
                            System.out.println("ZC backend=" + backend + " zero_copy=" + (zeroCopy ? 1 : 0) + " size=" + size
                                    + " bytes=" + bytes[0] + " window_ms=" + ms + " cpu_ns=" + cpuNs);
                            System.out.flush();
                            io.stop();
                        });
                    });
                }
            }
        };
        io.accept(listener, accepted);
        System.out.println("listening " + backend + " zero_copy=" + zeroCopy + " size=" + size + " (" + backendInfo(backend) + ")");
        System.out.flush();
        io.run();
        io.close();
    }

    private static String backendInfo(String name) {
        return AsyncIo.backends().stream().filter(b -> b.name().equals(name)).map(b -> "zero-copy: " + b.zeroCopy())
                .findFirst().orElse("?");
    }

    private static void client(Args a) throws Exception {
        int port = a.getInt("port", 9000);
        long until = System.nanoTime() + (long) (a.getDouble("seconds", 10) * 1e9);
        AtomicLong total = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < a.getInt("connections", 2); i++) {
            Thread t = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    while (System.nanoTime() < until) {
                        b.clear();
                        int n = c.read(b);
                        if (n < 0) break;
                        total.addAndGet(n);
                    }
                } catch (IOException e) {
                    // the server closed at the end of its window
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        System.out.println("CLIENT bytes=" + total.get());
    }
}
