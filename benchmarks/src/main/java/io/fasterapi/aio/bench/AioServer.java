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
 * <p>Per connection: one 16 KiB native buffer; read, answer with one write, with the next read
 * armed while the answer is written (see {@link Connection}). No allocation per request: the
 * write's segment is a slice kept from the last request when it has the same length (echo of
 * fixed-size messages), and HTTP responses are
 * prefixes of one shared segment holding the most responses one read can ask for, one cached
 * slice per count.
 */
final class AioServer {
    static final String[] OPTIONS = {"host", "port", "mode", "size", "warmup", "duration", "buffer", "loops", "batch-wait", "receive", "poll-busy"};

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
    /** Echo with {@code --receive N}: a pool of N 4 KiB buffers for multishot receives (0: reads). */
    private final long pool;
    private final MemorySegment poolMemory;
    private static final int POOL_BUFFER = 4096;

    /** One loop: created, run and owned by the calling thread. */
    private AioServer(String backend, Args a, ServerStats stats, boolean reusePort) {
        mode = Args.mode(a.get("mode", "echo"));
        bufferSize = a.getInt("buffer", 16 * 1024);
        io = AsyncIo.create(config(backend, a));
        listener = io.listen(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)),
                ListenOptions.defaults().withReusePort(reusePort));
        int maxCount = Http.maxRequestsPerRead(bufferSize);
        responses = mode == Args.Mode.HTTP ? Http.responses(arena, maxCount) : null;
        responseSlices = mode == Args.Mode.HTTP ? new MemorySegment[maxCount + 1] : null;
        this.stats = stats;
        counter = stats.register(Thread.currentThread());
        int poolBuffers = a.getInt("receive", 0);
        pool = mode == Args.Mode.ECHO && poolBuffers > 0 ? io.createBufferPool(poolBuffers, POOL_BUFFER) : -1;
        poolMemory = pool >= 0 ? io.bufferPoolMemory(pool) : null;
    }

    /** The loop configuration: {@code backend}, {@code --batch-wait µs} (AsyncIoConfig.batchWaitMicros, default 0), {@code --poll-busy 1}. */
    static AsyncIoConfig config(String backend, Args a) {
        return AsyncIoConfig.builder().backend(backend).batchWaitMicros(a.getInt("batch-wait", 0))
                .pollBusy(a.getInt("poll-busy", 0) != 0).build();
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
        if (pool >= 0) {
            new Receiving(e.result()).start();
        } else {
            new Connection(e.result()).read();
        }
    }

    private MemorySegment responsesFor(int count) {
        MemorySegment s = responseSlices[count];
        if (s == null) {
            s = responses.asSlice(0, (long) count * Http.RESPONSE.length);
            responseSlices[count] = s;
        }
        return s;
    }

    /**
     * One connection. Its next read is armed while the answer is written, as a server that wants
     * one system call per request must (see {@code Kernel.await}'s quiet sends): echo reads into one
     * half of the buffer while the other half is written back; HTTP answers come from the shared
     * response segment, so the buffer is free to read into at once. At most one answer is queued
     * behind the one being written; reading stops until it is out, which bounds what a client
     * that never reads can make us hold.
     */
    /** A connection's handle, closed once (a pending operation's completion may ask again). */
    private abstract class Peer implements CompletionHandler {
        final long handle;
        boolean closed;

        Peer(long handle) {
            this.handle = handle;
        }

        void close() {
            if (!closed) io.close(handle);
            closed = true;
        }
    }

    private final class Connection extends Peer {
        private final MemorySegment buffer = arena.allocate(bufferSize, 64);
        private final Http.Parser parser = new Http.Parser();
        /** Echo: the two halves of the buffer, and the slice of each last written (kept: no allocation per request). */
        private final MemorySegment[] halves;
        private final MemorySegment[] echoSlices = {MemorySegment.NULL, MemorySegment.NULL};
        /** Echo: the half being (or next) read into, and the half whose write completes next (-1: none). */
        private int readingHalf;
        private int oldestWrite = -1;
        private int writes;
        private boolean reading;
        /** HTTP: responses parsed while a write was out, to write when it completes. */
        private int pending;

        Connection(long handle) {
            super(handle);
            long half = bufferSize / 2;
            halves = mode == Args.Mode.ECHO ? new MemorySegment[] {buffer.asSlice(0, half), buffer.asSlice(half, half)} : null;
        }

        void read() {
            reading = true;
            if (halves != null) {
                io.read(handle, halves[readingHalf], this);
                return;
            }
            int at = parser.filled();
            io.read(handle, at == 0 ? buffer : buffer.asSlice(at), this);
        }

        @Override
        public void completed(IoEvent e) {
            long n = e.result();
            if (e.operation() == Operation.WRITE) {
                writes--;
                if (closed) return;
                if (n < 0) {
                    close();
                } else if (halves != null) {
                    int free = oldestWrite;
                    oldestWrite = writes > 0 ? 1 - free : -1;
                    if (!reading) {
                        readingHalf = free;
                        read();
                    }
                } else if (pending > 0) {
                    write(pending);
                    pending = 0;
                    read();
                }
                return;
            }
            reading = false;
            if (closed) return;
            if (n <= 0) { // end of stream or error
                close();
                return;
            }
            if (halves != null) {
                int h = readingHalf;
                if (echoSlices[h].byteSize() != n) {
                    echoSlices[h] = halves[h].asSlice(0, n);
                }
                counter.echoBytes += n;
                if (writes == 0) oldestWrite = h;
                writes++;
                io.write(handle, echoSlices[h], this);
                if (writes == 1) { // the other half is free: read into it while this one is written
                    readingHalf = 1 - h;
                    read();
                }
                return;
            }
            int count = parser.onRead(buffer, (int) n);
            if (count < 0) {
                close();
            } else if (count == 0) {
                read();
            } else {
                counter.requests += count;
                if (writes > 0) {
                    pending = count; // wait for the write out; reading resumes after it
                    return;
                }
                write(count);
                read();
            }
        }

        private void write(int count) {
            writes++;
            io.write(handle, responsesFor(count), this);
        }
    }

    /**
     * Echo over one multishot receive per connection (--receive N): each chunk is written back
     * from its pool buffer, which is released when that write completes. The receive stays armed
     * for the connection's life (one request in the kernel, not one per read).
     */
    private final class Receiving extends Peer {
        private final MemorySegment[] slices = new MemorySegment[(int) (poolMemory.byteSize() / POOL_BUFFER)];

        Receiving(long handle) {
            super(handle);
        }

        void start() {
            io.receive(handle, pool, this, 0);
        }

        @Override
        public void completed(IoEvent e) {
            long n = e.result();
            if (e.operation() == Operation.WRITE) {
                io.releaseBuffer(pool, (int) e.userData());
                if (n < 0) close();
                return;
            }
            int b = e.bufferId();
            if (b >= 0) {
                if (closed) {
                    io.releaseBuffer(pool, b);
                    return;
                }
                MemorySegment s = slices[b];
                if (s == null || s.byteSize() != n) slices[b] = s = poolMemory.asSlice((long) b * POOL_BUFFER, n);
                counter.echoBytes += n;
                io.write(handle, s, this, b);
                return;
            }
            if ((e.flags() & IoEvent.MORE) == 0) close(); // the receive ended: end of stream, error or cancel
        }
    }
}
