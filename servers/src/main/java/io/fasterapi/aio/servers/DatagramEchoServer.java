package io.fasterapi.aio.servers;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A UDP echo server on one loop: every datagram goes back to its sender. A few receives are kept in
 * flight, each with its own buffer and sender holder; a receive's datagram is echoed from its
 * buffer, then the receive is asked again. The reply's address object is made only when the sender
 * differs from the last one that slot answered, so a steady peer costs no allocation. A datagram
 * longer than the buffer is echoed cut to it.
 */
public final class DatagramEchoServer {
    private final AsyncIo io;
    private final long socket;
    private final InetSocketAddress address;
    private final Arena arena = Arena.ofConfined();
    private long datagrams;

    /**
     * Opens the socket on {@code bind} and starts {@code inFlight} receives of {@code bufferSize}
     * bytes; call on the loop's thread.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the address cannot be bound
     */
    public DatagramEchoServer(AsyncIo io, InetSocketAddress bind, int bufferSize, int inFlight) {
        this.io = io;
        try {
            this.socket = io.openDatagram(bind);
            this.address = io.localAddress(socket);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        for (int i = 0; i < inFlight; i++) new Slot(arena.allocate(bufferSize)).receive();
    }

    /** The bound address (the real port when asked for port 0). */
    public InetSocketAddress address() {
        return address;
    }

    /** Datagrams echoed so far (loop thread). */
    public long datagrams() {
        return datagrams;
    }

    /** Frees the buffers; call after the loop closed (its pending receives were cancelled). */
    public void free() {
        arena.close();
    }

    /** One receive in flight, then its echo. */
    private final class Slot implements CompletionHandler {
        final MemorySegment buffer;
        final DatagramSender from = new DatagramSender();
        InetSocketAddress lastPeer;

        Slot(MemorySegment buffer) {
            this.buffer = buffer;
        }

        void receive() {
            io.receiveFrom(socket, buffer, from, this, 0);
        }

        @Override
        public void completed(IoEvent e) {
            long r = e.result();
            if (r == -Errno.ECANCELED.code() || r == -Errno.EBADF.code()) return; // the socket or the loop closed
            if (r < 0 || e.operation() == Operation.WRITE) { // a send that failed concerns one peer only
                receive();
                return;
            }
            datagrams++;
            if (lastPeer == null || !from.is(lastPeer)) lastPeer = from.socketAddress();
            io.sendTo(socket, buffer.asSlice(0, r), lastPeer, this, 0);
        }
    }
}
