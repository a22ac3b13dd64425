package io.fasterapi.aio.bench;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.servers.DatagramEchoServer;
import io.fasterapi.aio.servers.EchoServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP and Unix domain socket echo (issue #14, item 6): one-thread echo servers, ours and their peers,
 * and a ping-pong client.
 *
 * <p>{@code server --impl ours|ourspool|jdk|netty --backend io_uring|epoll --kind udp|uds --port P --path F}:
 * ours is {@link DatagramEchoServer} / {@link EchoServer} on one loop (ourspool: the UDP server
 * receiving through a buffer pool, {@link DatagramEchoServer#pooled}); jdk is a blocking
 * {@link DatagramChannel} loop (UDP) or a {@link Selector} loop (UDS); netty is Netty 4.2's native
 * transport ({@code --backend}) with one event loop. Each runs until killed.
 *
 * <p>{@code client --kind udp|uds --port P --path F --connections N --warmup W --seconds S --size B
 * --server-pid PID}: N threads, each one blocking channel doing request-response of B bytes. After
 * W seconds it counts round trips for S seconds and reads the server's CPU time (utime + stime of
 * /proc/PID/stat) at both ends, then prints one line:
 * <pre>LOCAL kind=udp requests=... window_ms=... server_cpu_ms=...</pre>
 */
final class LocalEchoBench {
    private LocalEchoBench() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals("server")) {
            server(new Args(rest, "impl", "backend", "kind", "port", "path"));
        } else {
            client(new Args(rest, "kind", "port", "path", "connections", "warmup", "seconds", "size", "server-pid"));
        }
    }

    private static SocketAddress address(Args a) {
        return a.get("kind", "udp").equals("uds") ? UnixDomainSocketAddress.of(a.get("path", "/tmp/aio-bench.sock"))
                : new InetSocketAddress("127.0.0.1", a.getInt("port", 9900));
    }

    // ---- servers -----------------------------------------------------------------------------------

    private static void server(Args a) throws Exception {
        String impl = a.get("impl", "ours");
        boolean udp = a.get("kind", "udp").equals("udp");
        SocketAddress at = address(a);
        if (!udp) Files.deleteIfExists(((UnixDomainSocketAddress) at).getPath());
        System.out.println("listening " + impl + " " + a.get("backend", "") + " " + at);
        System.out.flush();
        switch (impl) {
            case "ours", "ourspool" -> {
                AsyncIo io = AsyncIo.create(AsyncIoConfig.builder().backend(a.get("backend", "io_uring")).build());
                if (udp && impl.equals("ourspool")) DatagramEchoServer.pooled(io, (InetSocketAddress) at, 2048, 256);
                else if (udp) new DatagramEchoServer(io, (InetSocketAddress) at, 2048, 64);
                else new EchoServer(io, (UnixDomainSocketAddress) at, 16 * 1024, null);
                io.run();
            }
            case "jdk" -> {
                if (udp) jdkUdp((InetSocketAddress) at);
                else jdkUds((UnixDomainSocketAddress) at);
            }
            case "netty" -> netty(a.get("backend", "epoll"), udp, at);
            default -> throw new IllegalArgumentException("--impl ours|ourspool|jdk|netty");
        }
    }

    /** The JDK's way for UDP on one thread: a blocking DatagramChannel, receive then send. */
    private static void jdkUdp(InetSocketAddress at) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.bind(at);
            ByteBuffer b = ByteBuffer.allocateDirect(2048);
            while (true) {
                b.clear();
                SocketAddress from = ch.receive(b);
                b.flip();
                ch.send(b, from);
            }
        }
    }

    /** The JDK's way for many stream connections on one thread: a Selector loop over UDS channels. */
    private static void jdkUds(UnixDomainSocketAddress at) throws Exception {
        try (Selector sel = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(at);
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            ByteBuffer b = ByteBuffer.allocateDirect(16 * 1024);
            while (true) {
                sel.select();
                for (SelectionKey k : sel.selectedKeys()) {
                    if (k.isAcceptable()) {
                        SocketChannel c = server.accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.register(sel, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        b.clear();
                        int n = c.read(b);
                        if (n < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        b.flip();
                        while (b.hasRemaining()) c.write(b); // 64-byte answers fit the socket buffer
                    }
                }
                sel.selectedKeys().clear();
            }
        }
    }

    /** Netty 4.2's native transport, one event loop: EpollDatagramChannel / IoUringDatagramChannel, or the domain socket channels. */
    private static void netty(String transport, boolean udp, SocketAddress at) throws Exception {
        IoHandlerFactory handler = transport.equals("io_uring") ? io.netty.channel.uring.IoUringIoHandler.newFactory()
                : io.netty.channel.epoll.EpollIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, handler);
        if (udp) {
            Class<? extends Channel> type = transport.equals("io_uring") ? io.netty.channel.uring.IoUringDatagramChannel.class
                    : io.netty.channel.epoll.EpollDatagramChannel.class;
            Channel ch = new Bootstrap().group(group).channel(type).option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            DatagramPacket p = (DatagramPacket) msg;
                            ctx.write(new DatagramPacket(p.content(), p.sender()), ctx.voidPromise());
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            ctx.flush();
                        }
                    }).bind(at).sync().channel();
            ch.closeFuture().sync();
        } else {
            Class<? extends io.netty.channel.ServerChannel> type = transport.equals("io_uring")
                    ? io.netty.channel.uring.IoUringServerDomainSocketChannel.class
                    : io.netty.channel.epoll.EpollServerDomainSocketChannel.class;
            Channel ch = new ServerBootstrap().group(group).channel(type)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.write(msg, ctx.voidPromise());
                                }

                                @Override
                                public void channelReadComplete(ChannelHandlerContext ctx) {
                                    ctx.flush();
                                }
                            });
                        }
                    }).bind(new DomainSocketAddress(((UnixDomainSocketAddress) at).getPath().toString())).sync().channel();
            ch.closeFuture().sync();
        }
    }

    // ---- client ------------------------------------------------------------------------------------

    private static void client(Args a) throws Exception {
        boolean udp = a.get("kind", "udp").equals("udp");
        SocketAddress at = address(a);
        int size = a.getInt("size", 64);
        long warmup = (long) (a.getDouble("warmup", 2) * 1e9);
        long window = (long) (a.getDouble("seconds", 5) * 1e9);
        long pid = a.getInt("server-pid", 0);
        AtomicLong counted = new AtomicLong();
        long start = System.nanoTime();
        long from = start + warmup, until = from + window;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < a.getInt("connections", 16); i++) {
            Thread t = Thread.ofPlatform().start(() -> {
                try (java.nio.channels.ByteChannel ch = udp ? DatagramChannel.open().connect(at) : SocketChannel.open(at)) {
                    ByteBuffer out = ByteBuffer.allocateDirect(size), in = ByteBuffer.allocateDirect(size);
                    long mine = 0;
                    while (true) {
                        long now = System.nanoTime();
                        if (now >= until) break;
                        out.clear();
                        ch.write(out);
                        in.clear();
                        while (in.hasRemaining()) {
                            if (ch.read(in) < 0) throw new java.io.EOFException();
                            if (udp) break; // one datagram is the whole answer
                        }
                        if (now >= from) mine++;
                    }
                    counted.addAndGet(mine);
                } catch (Exception e) {
                    System.err.println("client: " + e);
                }
            });
            threads.add(t);
        }
        while (System.nanoTime() < from) Thread.sleep(1);
        long cpu0 = cpuMillis(pid), t0 = System.nanoTime();
        while (System.nanoTime() < until) Thread.sleep(1);
        long cpu1 = cpuMillis(pid), t1 = System.nanoTime();
        for (Thread t : threads) t.join();
        System.out.println("LOCAL kind=" + (udp ? "udp" : "uds") + " requests=" + counted.get() + " window_ms=" + (t1 - t0) / 1_000_000
                + " server_cpu_ms=" + (cpu1 - cpu0));
    }

    /** utime + stime of process {@code pid}, in milliseconds (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws Exception {
        if (pid <= 0) return 0;
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // fields 14 and 15, after the name
    }
}
