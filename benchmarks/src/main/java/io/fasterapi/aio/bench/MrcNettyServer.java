package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.mrc.EventStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 1MRC endpoints ({@link MrcHttp}) on Netty 4.2, built like {@link NettyServer}: native
 * transports only ({@code --transport epoll|io_uring}), {@code --loops N} event-loop threads in one
 * {@link MultiThreadIoEventLoopGroup} (parent and child), pooled direct buffers, TCP_NODELAY, one
 * flush per read batch.
 *
 * <p>Per connection one 16 KiB pooled direct buffer holds the bytes not yet answered: each read's
 * bytes are copied into it (a native copy of the ~180 bytes of an event, so a request split over
 * reads needs nothing more), and {@link MrcHttp#serve} parses them through a {@link MemorySegment}
 * view of its memory ({@code nioBuffer}, taken once per connection). The answers of one read go into
 * one pooled buffer, written with the void promise and flushed in {@code channelReadComplete}.
 *
 * <p>{@code --port 9000 --transport epoll|io_uring [--loops n] [--warmup s] [--duration s]}
 */
public final class MrcNettyServer {
    private static final String[] OPTIONS = {"host", "port", "mode", "size", "warmup", "duration", "buffer", "loops",
        "transport"};
    private static final int BUFFER = 16 * 1024;
    /** The prepared answers as unreleasable direct buffers (copied natively into each write). */
    private static final ByteBuf[] PREPARED = new ByteBuf[MrcHttp.PREPARED.length];

    static {
        for (int i = 0; i < PREPARED.length; i++) {
            byte[] b = MrcHttp.PREPARED[i];
            PREPARED[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(b.length).writeBytes(b));
        }
    }

    private MrcNettyServer() {
    }

    /** An event-loop thread carrying its loop's state (no lookup per request). */
    private static final class LoopThread extends FastThreadLocalThread {
        final MrcHttp.Loop loop;

        LoopThread(Runnable r, String name, ServerStats stats, EventStats events) {
            super(r, name);
            loop = new MrcHttp.Loop(events, stats.register(this));
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Args a = new Args(args, OPTIONS);
        String transport = a.get("transport", "epoll");
        int loops = a.getInt("loops", 1);
        ServerStats stats = new ServerStats("netty-" + transport, Args.Mode.MRC, 1, a.getDouble("warmup", 0));
        EventStats events = new EventStats();

        NettyTransport nt = NettyTransport.of(transport);
        IoHandlerFactory handler = nt.handler();
        Class<? extends ServerChannel> channel = nt.channel();
        AtomicInteger threadNo = new AtomicInteger();
        ThreadFactory threads = r -> new LoopThread(r, "netty-" + transport + "-" + threadNo.getAndIncrement(), stats, events);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, threads, handler);

        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                stats.connectionAccepted();
                ch.pipeline().addLast(new Handler());
            }
        };
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        Channel server = b.bind(a.get("host", "127.0.0.1"), a.getInt("port", 9000)).sync().channel();
        stats.install(a.getDouble("duration", 0));
        System.out.println("listening netty-" + transport + " " + server.localAddress() + " mode=mrc loops=" + loops
                + " allocator=" + alloc.getClass().getSimpleName());
        System.out.flush();
        server.closeFuture().sync();
    }

    private static final class Handler extends ChannelInboundHandlerAdapter implements MrcHttp.Sink {
        private ByteBuf pending;
        private MemorySegment segment;
        private int filled;
        private ByteBuf out;
        private boolean closing;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            pending = ctx.alloc().directBuffer(BUFFER, BUFFER);
            segment = MemorySegment.ofBuffer(pending.nioBuffer(0, BUFFER));
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
                segment = null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (closing) {
                    return;
                }
                int n = in.readableBytes();
                while (n > 0) {
                    int take = Math.min(n, BUFFER - filled);
                    pending.setBytes(filled, in, in.readerIndex(), take);
                    in.skipBytes(take);
                    filled += take;
                    n -= take;
                    int r = MrcHttp.serve(segment, filled, ((LoopThread) Thread.currentThread()).loop, this);
                    int consumed = r < 0 ? -1 - r : r;
                    int left = filled - consumed;
                    if (left > 0 && consumed > 0) {
                        pending.setBytes(0, pending, consumed, left);
                    }
                    filled = left;
                    if (out != null) {
                        ByteBuf o = out;
                        out = null;
                        if (r < 0) {
                            closing = true;
                            ctx.writeAndFlush(o).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ctx.write(o, ctx.voidPromise());
                    } else if (r < 0) {
                        closing = true;
                        ctx.close();
                        return;
                    }
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void prepared(int which) {
            ByteBuf p = PREPARED[which];
            ensure(p.readableBytes()).writeBytes(p, p.readerIndex(), p.readableBytes());
        }

        @Override
        public void bytes(byte[] bytes) {
            ensure(bytes.length).writeBytes(bytes);
        }

        private ByteBuf ensure(int bytes) {
            if (out == null) {
                out = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(bytes, 256));
            }
            return out;
        }

        @Override
        public int room() {
            return Integer.MAX_VALUE;
        }
    }
}
