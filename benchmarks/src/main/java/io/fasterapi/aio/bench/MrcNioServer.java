package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.mrc.EventStats;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The 1MRC endpoints ({@link MrcHttp}) on the JDK's NIO {@code Selector} ({@link NioLoop}), built like
 * {@link NioServer}: {@code --loops N} selectors, each on its own thread with its own listening
 * channel (SO_REUSEPORT when N > 1), {@code select(Consumer)}, non-blocking channels with
 * TCP_NODELAY. Per connection a 16 KiB direct read buffer (parsed through a {@link MemorySegment}
 * view) and a 16 KiB direct write buffer; one read per readiness event, the answers of that read
 * written at once, OP_WRITE only when a write was partial (reading pauses until it is done).
 *
 * <p>{@code --port 9000 [--loops n] [--warmup s] [--duration s]}
 */
public final class MrcNioServer implements NioLoop.Connections {
    private static final int BUFFER = 16 * 1024;

    private final MrcHttp.Loop loop;

    /** One selector loop's connections, made on the thread that runs it. */
    private MrcNioServer(ServerStats stats, EventStats events) {
        loop = new MrcHttp.Loop(events, stats.register(Thread.currentThread()));
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, AioServer.OPTIONS);
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats("nio", Args.Mode.MRC, 1, a.getDouble("warmup", 0));
        EventStats events = new EventStats();
        NioLoop.start(a, loops, 4096, index -> new MrcNioServer(stats, events), stats::connectionAccepted);
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening nio port=" + a.getInt("port", 9000) + " mode=mrc loops=" + loops);
        System.out.flush();
    }

    @Override
    public NioLoop.Connection open(SocketChannel channel) {
        return new Connection(channel);
    }

    private final class Connection implements NioLoop.Connection, MrcHttp.Sink {
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        private final MemorySegment inSegment = MemorySegment.ofBuffer(in);
        private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
        private SelectionKey key;
        private boolean closeAfterWrite;

        Connection(SocketChannel ch) {
            this.ch = ch;
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
            if (n > 0) {
                serve();
            }
        }

        /** Answers the complete requests in {@code in}, keeps the rest, writes the answers. */
        private void serve() throws IOException {
            int filled = in.position();
            out.clear();
            int r = MrcHttp.serve(inSegment, filled, loop, this);
            int consumed = r < 0 ? -1 - r : r;
            closeAfterWrite = r < 0;
            int left = filled - consumed;
            if (left > 0 && consumed > 0) {
                MemorySegment.copy(inSegment, consumed, inSegment, 0, left);
            }
            in.clear().position(left);
            out.flip();
            if (out.hasRemaining()) {
                ch.write(out);
                if (out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
            }
            written();
        }

        @Override
        public void writable() throws IOException {
            ch.write(out);
            if (!out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
                written();
            }
        }

        /** Everything answered so far went out: close, or serve what waited for room. */
        private void written() throws IOException {
            if (closeAfterWrite) {
                close();
            } else if (in.position() > 0 && out.limit() > 0 && outWasFull()) {
                serve();
            }
        }

        private boolean outWasFull() {
            return out.capacity() - out.limit() < MrcHttp.MAX_ANSWER;
        }

        @Override
        public void prepared(int which) {
            out.put(MrcHttp.PREPARED[which]);
        }

        @Override
        public void bytes(byte[] bytes) {
            out.put(bytes);
        }

        @Override
        public int room() {
            return out.remaining();
        }

        @Override
        public void close() {
            NioLoop.close(key, ch);
        }
    }
}
