package io.fasterapi.aio.bench;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/** A Netty native transport by name ({@code --transport epoll|io_uring}): its I/O handler and server channel. */
record NettyTransport(IoHandlerFactory handler, Class<? extends ServerChannel> channel) {

    static NettyTransport of(String name) {
        return switch (name) {
            case "epoll" -> {
                Epoll.ensureAvailability();
                yield new NettyTransport(EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            }
            case "io_uring" -> {
                IoUring.ensureAvailability();
                yield new NettyTransport(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            }
            default -> throw new IllegalArgumentException("--transport must be epoll or io_uring, was " + name);
        };
    }
}
