package io.fasterapi.aio.bench;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.servers.ThreadPerConnection;
import io.fasterapi.aio.servers.http.ChannelHttpServer;
import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.PreparedResponse;
import io.fasterapi.aio.servers.mrc.EventStats;
import io.fasterapi.aio.servers.mrc.MrcHandler;
import io.fasterapi.aio.sockets.AioServerSocket;
import io.fasterapi.aio.sockets.AioSockets;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Servers in blocking style, a virtual thread per connection (issue #15), the same code on three
 * kinds of socket, so that only the sockets differ:
 * <ul>
 *   <li>{@code --impl aio --backend io_uring|epoll}: our blocking sockets ({@link AioSockets},
 *       {@code --loops} loops);</li>
 *   <li>{@code --impl jdk-socket}: the JDK's {@link ServerSocket} / {@link Socket} (streams);</li>
 *   <li>{@code --impl jdk-channel}: the JDK's blocking {@link ServerSocketChannel} / {@link SocketChannel}.</li>
 * </ul>
 * Echo ({@code --mode echo}): read up to 2 KiB, write it back. HTTP ({@code --mode http}): the
 * fixed "Hello, World!" answer through {@link ChannelHttpServer}; the 1MRC ({@code --mode mrc}):
 * {@link MrcHandler} through it. Each answers with TCP_NODELAY. At exit, {@link ServerStats}'
 * line; ours adds {@code wakes} and {@code polls} (the loops' wake-ups and turns), which
 * {@code benchmarks/run.sh} reports per request.
 */
public final class VtServer {
    private static final PreparedResponse HELLO = PreparedResponse.of(200, "text/plain", "Hello, World!");

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, "impl", "backend", "port", "mode", "loops", "size", "warmup", "duration", "host");
        String impl = a.get("impl", "aio");
        Args.Mode mode = Args.mode(a.get("mode", "echo"));
        int port = a.getInt("port", 9000);
        InetSocketAddress at = new InetSocketAddress(a.get("host", "127.0.0.1"), port);
        String name = impl.equals("aio") ? "vt-" + a.get("backend", "io_uring") : "vt-" + impl;
        ServerStats stats = new ServerStats(name, mode, a.getInt("size", 64), a.getDouble("warmup", mode == Args.Mode.MRC ? 0 : 2));
        LongAdder served = new LongAdder();
        stats.countWith(served);
        ThreadPerConnection.Handler handler = handler(mode, served, stats);
        ThreadPerConnection server;
        switch (impl) {
            case "aio" -> {
                AioSockets sockets = AioSockets.open(AsyncIoConfig.builder().backend(a.get("backend", "io_uring")).build(),
                        a.getInt("loops", 1));
                AioServerSocket listener = sockets.listen(at, 4096);
                server = ThreadPerConnection.start(() -> counted(listener.accept(), stats), listener, handler, Throwable::printStackTrace);
                stats.extra(() -> {
                    IoStats s = sockets.stats();
                    return "wakes=" + s.wakes() + " polls=" + s.polls() + " ops=" + (s.reads() + s.writes() + s.accepts());
                });
            }
            case "jdk-channel" -> {
                ServerSocketChannel listener = ServerSocketChannel.open().bind(at, 4096);
                server = ThreadPerConnection.start(() -> {
                    SocketChannel c = listener.accept();
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    return counted(c, stats);
                }, listener, handler, Throwable::printStackTrace);
            }
            case "jdk-socket" -> {
                ServerSocket listener = new ServerSocket();
                listener.bind(at, 4096);
                server = ThreadPerConnection.start(() -> {
                    Socket s = listener.accept();
                    s.setTcpNoDelay(true);
                    return counted(new StreamChannel(s), stats);
                }, listener, handler, Throwable::printStackTrace);
            }
            default -> throw new IllegalArgumentException("--impl aio|jdk-socket|jdk-channel, was " + impl);
        }
        stats.register(Thread.currentThread()); // (allocation of the virtual threads is not counted: see the README)
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening " + name + " port=" + port + " mode=" + a.get("mode", "echo"));
        System.out.flush();
        Thread.currentThread().join(); // until killed; the shutdown hook prints the line
        server.close();
    }

    private static <C> C counted(C connection, ServerStats stats) {
        stats.connectionAccepted();
        return connection;
    }

    private static ThreadPerConnection.Handler handler(Args.Mode mode, LongAdder served, ServerStats stats) {
        return switch (mode) {
            case ECHO -> c -> {
                ByteBuffer b = ByteBuffer.allocate(2048); // (the messages are 64 B; 10,000 connections each hold one)
                for (int n; (n = c.read(b.clear())) > 0; ) {
                    c.write(b.flip());
                    served.add(n);
                }
            };
            case HTTP -> http(() -> (request, response) -> {
                response.send(HELLO);
                served.increment();
            });
            case MRC -> {
                EventStats events = new EventStats();
                yield http(() -> {
                    MrcHandler h = new MrcHandler(events);
                    return (request, response) -> {
                        h.handle(request, response);
                        served.increment();
                    };
                });
            }
        };
    }

    private static ThreadPerConnection.Handler http(Supplier<HttpHandler> handlers) {
        ChannelHttpServer http = new ChannelHttpServer(handlers, HttpLimits.defaults(), Throwable::printStackTrace);
        return http::serve;
    }

    /** A {@link Socket}'s streams as a channel, the way code written for {@code Socket} moves bytes. */
    private static final class StreamChannel implements ByteChannel, Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        StreamChannel(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) dst.position(dst.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            out.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
