package io.fasterapi.aio.bench;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The echo / HTTP-like server on our library: {@code --loops N} loops (default 1), each on its own
 * thread with its own listening socket (SO_REUSEPORT when N > 1, so the kernel spreads the
 * connections over the loops); {@link IoUringServer} and {@link EpollServer} pick the backend.
 *
 * <p>Per connection: one 16 KiB native buffer; read, answer with one write, read again when the
 * write completed. No allocation per request: the write's segment is a slice kept from the last
 * request when it has the same length (echo of fixed-size messages), and HTTP responses are
 * prefixes of one shared segment holding the most responses one read can ask for, one cached
 * slice per count.
 */
final class AioServer {
    static final String[] OPTIONS = {"host", "port", "mode", "size", "warmup", "duration", "buffer", "loops"};

    private final AsyncIo io;
    private final long listener;
    private final Args.Mode mode;
    private final int bufferSize;
    private final ServerStats.Counter counter;
    private final ServerStats stats;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment responses;
    private final MemorySegment[] responseSlices;
    private final CompletionHandler onAccept = this::accepted;

    /** One loop: created, run and owned by the calling thread. */
    private AioServer(String backend, Args a, ServerStats stats, boolean reusePort) {
        mode = Args.mode(a.get("mode", "echo"));
        bufferSize = a.getInt("buffer", 16 * 1024);
        io = AsyncIo.create(AsyncIoConfig.builder().backend(backend).build());
        listener = io.listen(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)),
                ListenOptions.defaults().withReusePort(reusePort));
        int maxCount = Http.maxRequestsPerRead(bufferSize);
        responses = mode == Args.Mode.HTTP ? Http.responses(arena, maxCount) : null;
        responseSlices = mode == Args.Mode.HTTP ? new MemorySegment[maxCount + 1] : null;
        this.stats = stats;
        counter = stats.register(Thread.currentThread());
    }

    static void main(String backend, String[] args) {
        Args a = new Args(args, OPTIONS);
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats(backend, Args.mode(a.get("mode", "echo")), a.getInt("size", 64),
                a.getDouble("warmup", 2));
        CountDownLatch listening = new CountDownLatch(loops);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread[] threads = new Thread[loops];
        for (int i = 0; i < loops; i++) {
            threads[i] = new Thread(() -> {
                AioServer s;
                try {
                    s = new AioServer(backend, a, stats, loops > 1);
                } catch (RuntimeException | Error e) {
                    failed.set(e);
                    listening.countDown();
                    return;
                }
                listening.countDown();
                s.io.accept(s.listener, s.onAccept);
                s.io.run();
            }, "loop-" + i);
            threads[i].start();
        }
        try {
            listening.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (failed.get() != null) {
            failed.get().printStackTrace();
            System.exit(1);
        }
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening " + stats.impl() + " port=" + a.getInt("port", 9000) + " mode=" + a.get("mode", "echo")
                + " loops=" + loops);
        System.out.flush();
    }

    private void accepted(IoEvent e) {
        io.accept(listener, onAccept);
        if (e.failed()) {
            System.err.println("accept failed: " + e.error());
            return;
        }
        stats.connectionAccepted();
        new Connection(e.result()).read();
    }

    private MemorySegment responsesFor(int count) {
        MemorySegment s = responseSlices[count];
        if (s == null) {
            s = responses.asSlice(0, (long) count * Http.RESPONSE.length);
            responseSlices[count] = s;
        }
        return s;
    }

    private final class Connection implements CompletionHandler {
        private final long handle;
        private final MemorySegment buffer = arena.allocate(bufferSize, 64);
        private final Http.Parser parser = new Http.Parser();
        private MemorySegment echoSlice = MemorySegment.NULL;

        Connection(long handle) {
            this.handle = handle;
        }

        void read() {
            int at = parser.filled();
            io.read(handle, at == 0 ? buffer : buffer.asSlice(at), this);
        }

        @Override
        public void completed(IoEvent e) {
            long n = e.result();
            if (e.operation() == Operation.WRITE) {
                if (n < 0) {
                    io.close(handle);
                } else {
                    read();
                }
                return;
            }
            if (n <= 0) { // end of stream or error
                io.close(handle);
                return;
            }
            if (mode == Args.Mode.ECHO) {
                if (echoSlice.byteSize() != n) {
                    echoSlice = buffer.asSlice(0, n);
                }
                counter.echoBytes += n;
                io.write(handle, echoSlice, this);
                return;
            }
            int count = parser.onRead(buffer, (int) n);
            if (count < 0) {
                io.close(handle);
            } else if (count == 0) {
                read();
            } else {
                counter.requests += count;
                io.write(handle, responsesFor(count), this);
            }
        }
    }
}
