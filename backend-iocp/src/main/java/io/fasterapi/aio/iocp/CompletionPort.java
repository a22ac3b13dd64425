package io.fasterapi.aio.iocp;

import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.core.Sockets;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The Windows calls {@link IocpKernel} makes, in the loop's terms: sockets, overlapped requests on
 * one completion port, and the wait. {@link WinsockPort} is the implementation; this seam is what
 * lets the loop's bookkeeping run (in tests) on an operating system without Winsock.
 *
 * <p>Errors come back as negated portable error numbers ({@link WindowsErrors}). A request method
 * returning 0 has been accepted by the kernel and <em>will</em> produce exactly one completion
 * entry for its OVERLAPPED, whether it finished at once or later; one returning an error produced
 * none.
 */
interface CompletionPort extends Sockets {

    /** An overlapped socket bound to {@code address} and listening. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    @Override
    long openListener(InetSocketAddress address, ListenOptions options);

    /**
     * An overlapped socket for {@code remote}'s family, TCP_NODELAY and the options, bound to their
     * local address or to the wildcard (ConnectEx needs a bound socket). Throws.
     */
    @Override
    long openStream(InetSocketAddress remote, io.fasterapi.aio.ConnectOptions options);

    /** An overlapped socket of {@code family} for AcceptEx to fill, or a negated error. */
    long openAcceptSocket(int family);

    /** Associates {@code socket} with the port under completion key {@code key}: 0 or a negated error. */
    int associate(long socket, long key);

    /** AcceptEx of a connection into {@code acceptSocket}, addresses written to {@code addresses}. */
    int accept(long listener, int family, long acceptSocket, MemorySegment addresses, long overlapped);

    /** After a successful AcceptEx: SO_UPDATE_ACCEPT_CONTEXT and TCP_NODELAY on the accepted socket. */
    int accepted(long acceptSocket, long listener);

    /** ConnectEx to {@code remote}. */
    int connect(long socket, InetSocketAddress remote, long overlapped);

    /** After a successful ConnectEx: SO_UPDATE_CONNECT_CONTEXT (getpeername and shutdown need it). */
    int connected(long socket);

    /** WSARecv into the buffer {@code wsabuf} describes; {@code flags} is the request's DWORD. */
    int receive(long socket, MemorySegment wsabuf, MemorySegment flags, long overlapped);

    /** WSASend of the {@code count} buffers the WSABUF array {@code wsabufs} describes. */
    int send(long socket, MemorySegment wsabufs, int count, long overlapped);

    /** WSARecvFrom into the buffer {@code wsabuf} describes; the sender to {@code from}, its length to {@code fromLength}. */
    int receiveFrom(long socket, MemorySegment wsabuf, MemorySegment flags, MemorySegment from, MemorySegment fromLength,
                    long overlapped);

    /** WSASendTo of the buffer {@code wsabuf} describes to the address at {@code to}. */
    int sendTo(long socket, MemorySegment wsabuf, MemorySegment to, int toLength, long overlapped);

    /** CancelIoEx of one request: 0, or a negated error (ENOENT: it finished already, its entry is queued). */
    int cancel(long socket, long overlapped);

    /** closesocket (which also cancels its requests): 0 or a negated error. */
    @Override
    int close(long socket);

    /** getsockname or getpeername. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    @Override
    java.net.SocketAddress address(long socket, boolean local);

    /** shutdown(SD_SEND). Throws {@link io.fasterapi.aio.AsyncIoException}. */
    @Override
    void shutdownOutput(long socket);

    /**
     * GetQueuedCompletionStatusEx into {@code entries} (an array of OVERLAPPED_ENTRY), at most
     * {@code max}, waiting at most {@code timeoutMillis} (-1: no limit). Returns how many entries
     * were written (0 when the wait timed out), or a negated error.
     */
    int wait(MemorySegment entries, int max, long timeoutMillis);

    /** PostQueuedCompletionStatus of an entry with {@code key} and no OVERLAPPED. Any thread (the caller serialises). */
    void post(long key);

    /** Closes the port and releases Winsock. */
    void close();
}
