package io.fasterapi.aio.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
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
 * The same server on the JDK's NIO {@link Selector} (epoll underneath), written as a fair peer:
 * {@code --loops N} selectors (default 1), each on its own thread with its own listening channel
 * (SO_REUSEPORT when N > 1), non-blocking channels with TCP_NODELAY, one 16 KiB direct buffer per
 * connection, {@code select(Consumer)} (no selected-key set to iterate), one read per readiness
 * event, the answer written at once, and OP_WRITE asked for only when a write was partial (then
 * reading pauses until it is done, as in our server). The HTTP parser is the same code as our
 * server's, on a {@link MemorySegment} view of the same direct buffer.
 *
 * <p>{@code --port 9000 --mode echo|http [--loops n] [--duration s] [--warmup s]}
 */
public final class NioServer {
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Args.Mode mode;
    private final int bufferSize;
    private final ServerStats stats;
    private final ServerStats.Counter counter;
    private final ByteBuffer responses;
    private final Consumer<SelectionKey> onReady = this::ready;

    /** One selector loop, run by the thread that creates it. */
    private NioServer(Args a, ServerStats stats, boolean reusePort) throws IOException {
        mode = Args.mode(a.get("mode", "echo"));
        bufferSize = a.getInt("buffer", 16 * 1024);
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        server.bind(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        responses = mode == Args.Mode.HTTP
                ? Http.responses(Arena.global(), Http.maxRequestsPerRead(bufferSize)).asByteBuffer()
                : null;
        this.stats = stats;
        counter = stats.register(Thread.currentThread());
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, AioServer.OPTIONS);
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats("nio", Args.mode(a.get("mode", "echo")), a.getInt("size", 64),
                a.getDouble("warmup", 2));
        CountDownLatch listening = new CountDownLatch(loops);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < loops; i++) {
            new Thread(() -> {
                NioServer s;
                try {
                    s = new NioServer(a, stats, loops > 1);
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
        System.out.println("listening nio port=" + a.getInt("port", 9000) + " mode=" + a.get("mode", "echo") + " loops=" + loops);
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

    private final class Connection {
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

        void readable() throws IOException {
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

        void writable() throws IOException {
            ch.write(out);
            if (!out.hasRemaining()) {
                if (mode == Args.Mode.ECHO) {
                    in.clear();
                }
                key.interestOps(SelectionKey.OP_READ);
            }
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
