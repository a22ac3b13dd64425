package io.fasterapi.aio.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.PlatformDependent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The same servers on Netty 4.2, native transports only: {@code --transport epoll} (Netty's JNI
 * epoll, edge-triggered) or {@code --transport io_uring} (Netty's JNI io_uring), with
 * {@code --loops N} event-loop threads in one {@link MultiThreadIoEventLoopGroup} (default 1). The
 * group is both parent and child group (the usual Netty server): its first loop also accepts, and
 * the accepted channels are spread round-robin over the loops.
 *
 * <p>Written the way one writes a fast Netty server: pooled direct buffers
 * ({@link PooledByteBufAllocator}, set explicitly: 4.2's default is the adaptive allocator), writes
 * with the void promise (no promise object per write), one flush per read batch
 * ({@code channelReadComplete}), TCP_NODELAY. Echo writes the read buffer itself back. HTTP scans
 * each read for {@code "\r\n\r\n"} with {@link ByteBuf#indexOf} for {@code '\n'} (Netty's SWAR
 * search), the three bytes before each LF looked up in the buffer or, across a read boundary, in
 * the last bytes of the previous read; the responses of one read are copied into one pooled buffer
 * from a shared direct buffer of pre-built responses, and written at once. A connection whose
 * request grows past 16 KiB without its end is closed, as in the other servers.
 *
 * <p>{@code --port 9000 --mode echo|http --transport epoll|io_uring [--loops n] [--duration s] [--warmup s]}
 */
public final class NettyServer {
    private static final String[] OPTIONS = {"host", "port", "mode", "size", "warmup", "duration", "buffer", "loops",
        "transport"};
    /** Responses pre-built back to back; a read's answer is copied from here in chunks of this size. */
    private static final int PREBUILT = 64;
    private static final ByteBuf RESPONSES = Unpooled.unreleasableBuffer(prebuilt());

    private NettyServer() {
    }

    private static ByteBuf prebuilt() {
        ByteBuf b = Unpooled.directBuffer(PREBUILT * Http.RESPONSE.length);
        for (int i = 0; i < PREBUILT; i++) {
            b.writeBytes(Http.RESPONSE);
        }
        return b;
    }

    /** An event-loop thread that carries its loop's counter (no lookup per request). */
    private static final class LoopThread extends FastThreadLocalThread {
        final ServerStats.Counter counter;

        LoopThread(Runnable r, String name, ServerStats stats) {
            super(r, name);
            counter = stats.register(this);
        }
    }

    private static ServerStats.Counter counter() {
        return ((LoopThread) Thread.currentThread()).counter;
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, OPTIONS);
        String transport = a.get("transport", "epoll");
        Args.Mode mode = Args.mode(a.get("mode", "echo"));
        int loops = a.getInt("loops", 1);
        int maxRequest = a.getInt("buffer", 16 * 1024);
        ServerStats stats = new ServerStats("netty-" + transport, mode, a.getInt("size", 64), a.getDouble("warmup", 2));

        NettyTransport nt = NettyTransport.of(transport);
        IoHandlerFactory handler = nt.handler();
        Class<? extends ServerChannel> channel = nt.channel();
        AtomicInteger threadNo = new AtomicInteger();
        ThreadFactory threads = r -> new LoopThread(r, "netty-" + transport + "-" + threadNo.getAndIncrement(), stats);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, threads, handler);

        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        Echo echo = new Echo();
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                stats.connectionAccepted();
                ch.pipeline().addLast(mode == Args.Mode.ECHO ? echo : new HttpHandler(maxRequest));
            }
        };
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        Channel server = b.bind(a.get("host", "127.0.0.1"), a.getInt("port", 9000)).sync().channel();
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening netty-" + transport + " " + server.localAddress() + " mode=" + a.get("mode", "echo")
                + " loops=" + loops + " unsafe=" + PlatformDependent.hasUnsafe() + " directBufferPreferred="
                + PlatformDependent.directBufferPreferred() + " allocator=" + alloc.getClass().getSimpleName());
        System.out.flush();
        server.closeFuture().sync();
    }

    /** Echo: the read buffer goes back as it is; one flush per read batch. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            counter().echoBytes += b.readableBytes();
            ctx.write(b, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** HTTP-like: count the requests ending in this read, answer them in one write, flush per batch. */
    private static final class HttpHandler extends ChannelInboundHandlerAdapter {
        private final int maxRequest;
        /** The last (up to) three bytes of the previous read, the latest in the low byte. */
        private int tail;
        /** Bytes read since the end of the last complete request. */
        private int pending;

        HttpHandler(int maxRequest) {
            this.maxRequest = maxRequest;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int start = in.readerIndex();
            int end = in.writerIndex();
            int count = 0;
            int lastEnd = -1;
            int from = start;
            int lf;
            while (from < end && (lf = in.indexOf(from, end, (byte) '\n')) >= 0) {
                if ((lastEnd < 0 || lf - 3 >= lastEnd) // no overlap with the request just counted
                        && byteBefore(in, start, lf, 1) == '\r' && byteBefore(in, start, lf, 2) == '\n'
                        && byteBefore(in, start, lf, 3) == '\r') {
                    count++;
                    lastEnd = lf + 1;
                }
                from = lf + 1;
            }
            int n = end - start;
            for (int i = Math.max(start, end - 3); i < end; i++) {
                tail = (tail << 8) | (in.getByte(i) & 0xFF);
            }
            in.release();
            pending = lastEnd < 0 ? pending + n : end - lastEnd;
            if (count == 0) {
                if (pending > maxRequest) {
                    ctx.close();
                }
                return;
            }
            counter().requests += count;
            int bytes = count * Http.RESPONSE.length;
            ByteBuf out = ctx.alloc().directBuffer(bytes);
            int chunk = PREBUILT * Http.RESPONSE.length;
            while (bytes > 0) {
                int c = Math.min(bytes, chunk);
                out.writeBytes(RESPONSES, 0, c);
                bytes -= c;
            }
            ctx.write(out, ctx.voidPromise());
        }

        /** The byte {@code back} places before {@code lf}: in the buffer, or in the previous read's tail. */
        private byte byteBefore(ByteBuf in, int start, int lf, int back) {
            int i = lf - back;
            if (i >= start) {
                return in.getByte(i);
            }
            return (byte) (tail >>> (8 * (start - i - 1)));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
