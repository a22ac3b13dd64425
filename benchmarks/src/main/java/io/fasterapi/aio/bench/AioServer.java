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

/**
 * The echo / HTTP-like server on our library, one loop on the main thread; {@link IoUringServer}
 * and {@link EpollServer} pick the backend.
 *
 * <p>Per connection: one 16 KiB native buffer; read, answer with one write, read again when the
 * write completed. No allocation per request: the write's segment is a slice kept from the last
 * request when it has the same length (echo of fixed-size messages), and HTTP responses are
 * prefixes of one shared segment holding the most responses one read can ask for, one cached
 * slice per count.
 */
final class AioServer {
    static final String[] OPTIONS = {"host", "port", "mode", "size", "warmup", "duration", "buffer"};

    private final AsyncIo io;
    private final long listener;
    private final Args.Mode mode;
    private final int bufferSize;
    private final ServerStats stats;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment responses;
    private final MemorySegment[] responseSlices;
    private final CompletionHandler onAccept = this::accepted;

    private AioServer(String backend, Args a) {
        mode = Args.mode(a.get("mode", "echo"));
        bufferSize = a.getInt("buffer", 16 * 1024);
        io = AsyncIo.create(AsyncIoConfig.builder().backend(backend).build());
        listener = io.listen(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)),
                ListenOptions.defaults());
        int maxCount = Http.maxRequestsPerRead(bufferSize);
        responses = mode == Args.Mode.HTTP ? Http.responses(arena, maxCount) : null;
        responseSlices = mode == Args.Mode.HTTP ? new MemorySegment[maxCount + 1] : null;
        stats = new ServerStats(io.backend(), mode, a.getInt("size", 64), a.getDouble("warmup", 2), Thread.currentThread());
    }

    static void main(String backend, String[] args) {
        AioServer s = new AioServer(backend, new Args(args, OPTIONS));
        s.stats.install(new Args(args, OPTIONS).getDouble("duration", 0));
        System.out.println("listening " + s.io.backend() + " " + s.io.localAddress(s.listener) + " mode=" + s.mode);
        System.out.flush();
        s.io.accept(s.listener, s.onAccept);
        s.io.run();
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
                stats.echoBytes += n;
                io.write(handle, echoSlice, this);
                return;
            }
            int count = parser.onRead(buffer, (int) n);
            if (count < 0) {
                io.close(handle);
            } else if (count == 0) {
                read();
            } else {
                stats.requests += count;
                io.write(handle, responsesFor(count), this);
            }
        }
    }
}
