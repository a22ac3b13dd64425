package io.fasterapi.aio.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The same server on the JDK's NIO {@code Selector} ({@link NioLoop}) (epoll underneath), written as a fair peer:
 * {@code --loops N} selectors (default 1), each on its own thread with its own listening channel
 * (SO_REUSEPORT when N > 1), non-blocking channels with TCP_NODELAY, one 16 KiB direct buffer per
 * connection, {@code select(Consumer)} (no selected-key set to iterate), one read per readiness
 * event, the answer written at once, and OP_WRITE asked for only when a write was partial (then
 * reading pauses until it is done, as in our server). The HTTP parser is the same code as our
 * server's, on a {@link MemorySegment} view of the same direct buffer.
 *
 * <p>{@code --port 9000 --mode echo|http [--loops n] [--duration s] [--warmup s]}
 */
public final class NioServer implements NioLoop.Connections {
    private final Args.Mode mode;
    private final int bufferSize;
    private final ServerStats.Counter counter;
    private final ByteBuffer responses;

    /** One selector loop's connections, made on the thread that runs it. */
    private NioServer(Args a, ServerStats stats) {
        mode = Args.mode(a.get("mode", "echo"));
        bufferSize = a.getInt("buffer", 16 * 1024);
        responses = mode == Args.Mode.HTTP
                ? Http.responses(Arena.global(), Http.maxRequestsPerRead(bufferSize)).asByteBuffer()
                : null;
        counter = stats.register(Thread.currentThread());
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, AioServer.OPTIONS);
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats("nio", Args.mode(a.get("mode", "echo")), a.getInt("size", 64),
                a.getDouble("warmup", 2));
        NioLoop.start(a, loops, 1024, index -> new NioServer(a, stats), stats::connectionAccepted);
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening nio port=" + a.getInt("port", 9000) + " mode=" + a.get("mode", "echo") + " loops=" + loops);
        System.out.flush();
    }

    @Override
    public NioLoop.Connection open(SocketChannel channel) {
        return new Connection(channel);
    }

    private final class Connection implements NioLoop.Connection {
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocateDirect(bufferSize);
        private final MemorySegment inSegment = MemorySegment.ofBuffer(in);
        private final ByteBuffer out;
        private final Http.Parser parser = new Http.Parser();
        private SelectionKey key;

        Connection(SocketChannel ch) {
            this.ch = ch;
            this.out = mode == Args.Mode.HTTP ? responses.duplicate() : in;
        }

        @Override
        public void registered(SelectionKey key) {
            this.key = key;
        }

        @Override
        public void readable() throws IOException {
            int n = ch.read(in);
            if (n < 0) {
                close();
                return;
            }
            if (n == 0) {
                return;
            }
            if (mode == Args.Mode.ECHO) {
                counter.echoBytes += n;
                in.flip();
                ch.write(in);
                if (in.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                } else {
                    in.clear();
                }
                return;
            }
            int count = parser.onRead(inSegment, n);
            if (count < 0) {
                close();
                return;
            }
            in.clear().position(parser.filled());
            if (count > 0) {
                counter.requests += count;
                out.clear().limit(count * Http.RESPONSE.length);
                ch.write(out);
                if (out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                }
            }
        }

        @Override
        public void writable() throws IOException {
            ch.write(out);
            if (!out.hasRemaining()) {
                if (mode == Args.Mode.ECHO) {
                    in.clear();
                }
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        @Override
        public void close() {
            NioLoop.close(key, ch);
        }
    }
}
