package io.fasterapi.aio.unix;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.core.AbstractAsyncIo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * What every POSIX loop (epoll, kqueue, io_uring) does the same way: sockets are file descriptors
 * opened, named, shut down and closed with the plain system calls of {@link PosixSockets}. The
 * subclass adds how operations reach the kernel.
 */
public abstract class PosixLoop extends AbstractAsyncIo {
    /** The loop's native memory; closed by {@link #closeBackend()} after everything else. */
    protected final Arena arena = Arena.ofShared();
    protected final PosixSockets sockets;
    protected final SocketConstants sc;
    /** Receives errno from the loop's calls on its thread. */
    protected final MemorySegment callState;
    private final String name;

    protected PosixLoop(String name, AsyncIoConfig config, SocketConstants constants) {
        super(config);
        this.name = name;
        this.sockets = new PosixSockets(arena, constants);
        this.sc = constants;
        this.callState = sockets.callState();
    }

    @Override
    protected final String name() {
        return name;
    }

    @Override
    protected final long openListener(InetSocketAddress address, ListenOptions options) {
        return sockets.openListener(address, options);
    }

    @Override
    protected final long openSocket(InetSocketAddress remote) {
        return sockets.openStream(remote);
    }

    @Override
    protected void closeDescriptor(int h) {
        closeDescriptorOf(handles.fd(h));
    }

    @Override
    protected final void closeDescriptorOf(long fd) {
        if (sockets.close((int) fd) < 0) counters.error();
    }

    @Override
    protected final InetSocketAddress address(int h, boolean local) {
        return sockets.address((int) handles.fd(h), local);
    }

    @Override
    protected final void shutdownOutput(int h) {
        sockets.shutdownOutput((int) handles.fd(h));
    }

    /** Frees the loop's native memory; a subclass closes its kernel objects first, then calls this. */
    @Override
    protected void closeBackend() {
        arena.close();
    }
}
