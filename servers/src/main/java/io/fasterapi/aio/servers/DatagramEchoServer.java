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
 * A UDP echo server on one loop: every datagram goes back to its sender. Two ways to receive:
 * <ul>
 *   <li>one-shot ({@link #DatagramEchoServer(AsyncIo, InetSocketAddress, int, int)}): a few receives
 *       in flight, each with its own buffer and sender holder; a receive's datagram is echoed from
 *       its buffer, then the receive is asked again;</li>
 *   <li>pooled ({@link #pooled}): one multishot receive into a buffer pool (io_uring's multishot
 *       RECVMSG, recvmmsg on epoll); each datagram is echoed from its pool buffer, released when
 *       the echo is sent.</li>
 * </ul>
 * Reply addresses come from a small cache of the last {@value #PEERS} senders, compared without
 * allocating: a server with that many steady peers makes no address object per datagram. A
 * datagram longer than the buffer is echoed cut to it.
 */
public final class DatagramEchoServer {
    private final AsyncIo io;
    private final long socket;
    private final InetSocketAddress address;
    private final Arena arena = Arena.ofConfined();
    private long datagrams;
    /** Recent senders, replaced round-robin. */
    private static final int PEERS = 64;
    private final InetSocketAddress[] peers = new InetSocketAddress[PEERS];
    private int nextPeer;

    /**
     * Opens the socket on {@code bind} and starts {@code inFlight} receives of {@code bufferSize}
     * bytes; call on the loop's thread.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the address cannot be bound
     */
    public DatagramEchoServer(AsyncIo io, InetSocketAddress bind, int bufferSize, int inFlight) {
        this(io, bind);
        for (int i = 0; i < inFlight; i++) new Slot(arena.allocate(bufferSize)).receive();
    }

    private DatagramEchoServer(AsyncIo io, InetSocketAddress bind) {
        this.io = io;
        try {
            this.socket = io.openDatagram(bind);
            this.address = io.localAddress(socket);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * A server that receives through a pool of {@code buffers} buffers (a power of two) of
     * {@code bufferSize} bytes, {@link AsyncIo#POOL_DATAGRAM_OFFSET} of which go before each
     * datagram; call on the loop's thread.
     *
     * @throws io.fasterapi.aio.AsyncIoException when the address cannot be bound
     */
    public static DatagramEchoServer pooled(AsyncIo io, InetSocketAddress bind, int bufferSize, int buffers) {
        DatagramEchoServer s = new DatagramEchoServer(io, bind);
        try {
            s.new Pooled(io.createBufferPool(buffers, bufferSize)).receive();
        } catch (RuntimeException e) {
            io.close(s.socket);
            s.arena.close();
            throw e;
        }
        return s;
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

    /** The address of {@code from}: a cached one if a recent sender was the same. */
    private InetSocketAddress peer(DatagramSender from) {
        for (InetSocketAddress p : peers) {
            if (p == null) break;
            if (from.is(p)) return p;
        }
        InetSocketAddress p = from.socketAddress();
        peers[nextPeer] = p;
        nextPeer = (nextPeer + 1) % PEERS;
        return p;
    }

    /** One receive in flight, then its echo. */
    private final class Slot implements CompletionHandler {
        final MemorySegment buffer;
        final DatagramSender from = new DatagramSender();

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
            io.sendTo(socket, buffer.asSlice(0, r), peer(from), this, 0);
        }
    }

    /** The multishot receive of a pooled server, and its echoes (user data: the buffer echoed). */
    private final class Pooled implements CompletionHandler {
        final long pool;
        final DatagramSender from = new DatagramSender();
        final CompletionHandler sent = this::sent;

        Pooled(long pool) {
            this.pool = pool;
        }

        void receive() {
            io.receiveFrom(socket, pool, from, this, 0);
        }

        @Override
        public void completed(IoEvent e) {
            long r = e.result();
            if ((e.flags() & IoEvent.MORE) == 0) { // the receive ended
                if (r != -Errno.ECANCELED.code() && r != -Errno.EBADF.code()) receive(); // not a close: go on
                return;
            }
            if (r < 0) return; // paused (every buffer is being echoed): it resumes with the next release
            int b = e.bufferId();
            if (!from.isSet()) { // no IP sender to answer (cannot happen on a UDP socket): drop it, keep the buffer
                io.releaseBuffer(pool, b);
                return;
            }
            datagrams++;
            io.sendTo(socket, e.buffer(), peer(from), sent, b);
        }

        private void sent(IoEvent e) {
            io.releaseBuffer(pool, (int) e.userData());
        }
    }
}
