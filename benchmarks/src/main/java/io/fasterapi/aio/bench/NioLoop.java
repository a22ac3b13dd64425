package io.fasterapi.aio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * What both NIO peers share: {@code --loops N} selectors, each on its own thread with its own
 * listening channel (SO_REUSEPORT when N > 1), {@code select(Consumer)}, accepted channels
 * non-blocking with TCP_NODELAY and registered for OP_READ, readiness handed to the connection
 * (OP_WRITE first: a connection waiting to write reads nothing).
 */
final class NioLoop {
    /** One accepted channel's handling. */
    interface Connection {
        /** Called once, with the channel's key, before any readiness. */
        void registered(SelectionKey key);

        void readable() throws IOException;

        void writable() throws IOException;

        void close();
    }

    /** Makes the connection of an accepted channel (on the loop's thread). */
    interface Connections {
        Connection open(SocketChannel channel);
    }

    /** Made on each loop's thread (so per-thread statistics register there): the loop's connections. */
    interface PerLoop {
        Connections create(int index) throws IOException;
    }

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Connections connections;
    private final Runnable onAccept;
    private final Consumer<SelectionKey> onReady = this::ready;

    private NioLoop(Args a, int backlog, boolean reusePort, Connections connections, Runnable onAccept) throws IOException {
        this.connections = connections;
        this.onAccept = onAccept;
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        server.bind(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)), backlog);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Starts {@code loops} selector threads and returns once each listens; exits the JVM with the
     * stack trace if one cannot.
     */
    static void start(Args a, int loops, int backlog, PerLoop perLoop, Runnable onAccept) throws InterruptedException {
        CountDownLatch listening = new CountDownLatch(loops);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < loops; i++) {
            int index = i;
            new Thread(() -> {
                NioLoop loop;
                try {
                    loop = new NioLoop(a, backlog, loops > 1, perLoop.create(index), onAccept);
                } catch (IOException | RuntimeException e) {
                    failed.set(e);
                    listening.countDown();
                    return;
                }
                listening.countDown();
                try {
                    while (true) {
                        loop.selector.select(loop.onReady);
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
                Connection c = connections.open(ch);
                c.registered(ch.register(selector, SelectionKey.OP_READ, c));
                onAccept.run();
            }
        } catch (IOException e) {
            System.err.println("accept failed: " + e);
        }
    }

    /** Closes a connection's channel and forgets its key. */
    static void close(SelectionKey key, SocketChannel ch) {
        key.cancel();
        try {
            ch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
