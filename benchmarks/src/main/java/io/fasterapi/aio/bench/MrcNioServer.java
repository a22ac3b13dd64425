package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.mrc.EventStats;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The 1MRC endpoints ({@link MrcHttp}) on the JDK's NIO {@link Selector}, built like
 * {@link NioServer}: {@code --loops N} selectors, each on its own thread with its own listening
 * channel (SO_REUSEPORT when N > 1), {@code select(Consumer)}, non-blocking channels with
 * TCP_NODELAY. Per connection a 16 KiB direct read buffer (parsed through a {@link MemorySegment}
 * view) and a 16 KiB direct write buffer; one read per readiness event, the answers of that read
 * written at once, OP_WRITE only when a write was partial (reading pauses until it is done).
 *
 * <p>{@code --port 9000 [--loops n] [--warmup s] [--duration s]}
 */
public final class MrcNioServer {
    private static final int BUFFER = 16 * 1024;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final ServerStats stats;
    private final MrcHttp.Loop loop;
    private final Consumer<SelectionKey> onReady = this::ready;

    private MrcNioServer(Args a, ServerStats stats, EventStats events, boolean reusePort) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        server.bind(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.stats = stats;
        loop = new MrcHttp.Loop(events, stats.register(Thread.currentThread()));
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, AioServer.OPTIONS);
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats("nio", Args.Mode.MRC, 1, a.getDouble("warmup", 0));
        EventStats events = new EventStats();
        CountDownLatch listening = new CountDownLatch(loops);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < loops; i++) {
            new Thread(() -> {
                MrcNioServer s;
                try {
                    s = new MrcNioServer(a, stats, events, loops > 1);
                } catch (IOException | RuntimeException e) {
                    failed.set(e);
                    listening.countDown();
                    return;
                }
                listening.countDown();
                try {
                    while (true) {
                        s.selector.select(s.onReady);
                    }
                } catch (IOException e) {
                    e.printStackTrace();
                    System.exit(1);
                }
            }, "selector-" + i).start();
        }
        listening.await();
        if (failed.get() != null) {
            failed.get().printStackTrace();
            System.exit(1);
        }
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening nio port=" + a.getInt("port", 9000) + " mode=mrc loops=" + loops);
        System.out.flush();
    }

    private void ready(SelectionKey key) {
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isWritable()) {
                c.writable();
            } else if (key.isReadable()) {
                c.readable();
            }
        } catch (IOException e) {
            c.close();
        }
    }

    private void accept() {
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(ch);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                stats.connectionAccepted();
            }
        } catch (IOException e) {
            System.err.println("accept failed: " + e);
        }
    }

    private final class Connection implements MrcHttp.Sink {
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        private final MemorySegment inSegment = MemorySegment.ofBuffer(in);
        private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
        private SelectionKey key;
        private boolean closeAfterWrite;

        Connection(SocketChannel ch) {
            this.ch = ch;
        }

        void readable() throws IOException {
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

        void writable() throws IOException {
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

        void close() {
            key.cancel();
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
