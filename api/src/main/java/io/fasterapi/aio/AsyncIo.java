package io.fasterapi.aio;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One asynchronous I/O event loop: the seed's {@code async_io} in Java.
 *
 * <h2>Threads</h2>
 * A loop is confined to one thread, its <em>loop thread</em>: the thread that created it, until
 * the first call of {@link #run()} or {@link #poll(long)}, whose thread then owns the loop for good
 * (so a loop may be set up on one thread and handed to another that runs it). Every method must
 * be called on the loop thread, {@link #close()} included, except {@link #wake()},
 * {@link #execute(Runnable)}, {@link #stop()}, {@link #isRunning()}, {@link #isOpen()},
 * {@link #backend()} and {@link #stats()}, which any thread may call. A call from another thread throws
 * {@link IllegalStateException} and changes nothing: hand the work to the loop with
 * {@link #execute(Runnable)}. Handlers and tasks run on the loop thread.
 *
 * <h2>Handles</h2>
 * Sockets are opened by the loop ({@link #listen}, {@link #connect}, {@link #accept}) and named by
 * opaque positive {@code long} handles that carry a generation: a handle used after it was closed
 * never reaches a descriptor the operating system has since reused. Operations on such a stale
 * handle complete with {@link Errno#EBADF}; a handle of another loop or a value that was never a
 * handle throws {@link IllegalArgumentException}.
 *
 * <h2>Operations and results</h2>
 * {@code accept}, {@code read}, {@code write}, {@code connect}, {@code close} and {@code schedule}
 * return at once with an operation id (for {@link #cancel(long)}); the {@link CompletionHandler}
 * runs later on the loop's thread, exactly once, never inside the submitting call. Its
 * {@link IoEvent#result()} follows the kernel: {@code >= 0} is bytes, a handle or 0;
 * {@code < 0} is a negated {@link Errno} code. Operations of one kind on one handle complete in the
 * order they were submitted; any number may be pending.
 * <ul>
 * <li>A read completes as soon as some bytes arrived (at most the buffer's size), with 0 at the
 *     peer's orderly close.</li>
 * <li><b>Partial writes:</b> a write completes only when its whole buffer has been sent (the loop
 *     continues a partial write itself when the socket is writable again), with the buffer's length;
 *     or with an error, after which the number of bytes the peer received is unknown and the
 *     connection should be closed.</li>
 * <li><b>Cancellation:</b> {@link #cancel(long)}, {@link #close(long)} of the handle, and
 *     {@link #close()} of the loop complete every affected pending operation with
 *     {@link Errno#ECANCELED}, exactly once.</li>
 * </ul>
 *
 * <h2>Buffers</h2>
 * Buffers are native {@link MemorySegment}s or direct {@link ByteBuffer}s; a heap buffer throws
 * {@link IllegalArgumentException} because the kernel may use it after the call returns, and so
 * does a read-only buffer passed to a read. The caller keeps a buffer alive and untouched until
 * its operation completes. For a {@code ByteBuffer} the operation covers position to limit, and
 * the buffer's position advances by the bytes moved when the operation succeeds, and stays where
 * it was when the operation fails or is cancelled (even if part of a write was sent).
 * {@code MemorySegment}s are the allocation-free path.
 *
 * <h2>Misuse</h2>
 * Misuse throws at the call site and changes nothing: {@link NullPointerException} for a null
 * handler or address, {@link IllegalArgumentException} for a bad buffer or handle,
 * {@link IllegalStateException} for the wrong thread or a closed loop. Failures of system calls
 * made during the call (for example {@code bind}) throw {@link AsyncIoException}.
 */
@org.osgi.annotation.versioning.ProviderType
public interface AsyncIo extends AutoCloseable {

    /**
     * Creates a loop on the best backend available here (the highest-ranked available provider).
     * When a better-ranked backend is unavailable (io_uring refused, say), the fallback and its
     * reason are logged through {@link System.Logger} "io.fasterapi.aio" at INFO, once per process
     * (later calls that fall back for the same reason log nothing).
     *
     * @throws AsyncIoException when no provider is available; its message lists each and why
     */
    static AsyncIo create() {
        return create(AsyncIoConfig.defaults());
    }

    /**
     * Creates a loop as configured: on {@link AsyncIoConfig#backend()} when it names one, otherwise
     * on the best available backend.
     *
     * @throws AsyncIoException when the named backend is missing or unavailable, or none is
     */
    static AsyncIo create(AsyncIoConfig config) {
        return Providers.open(config);
    }

    /** Every provider found by {@link java.util.ServiceLoader}, best first, with its availability. */
    static List<BackendInfo> backends() {
        return Providers.describe();
    }

    /** The name of this loop's backend, as in {@link BackendInfo#name()}; any thread may ask. */
    String backend();

    /** The configuration this loop was created with. */
    AsyncIoConfig config();

    // ---- sockets ---------------------------------------------------------------------------

    /**
     * Opens a listening TCP socket, bound now. Port 0 picks a free port: see {@link #localAddress}.
     *
     * @return the listener's handle
     * @throws AsyncIoException with {@link Errno#EADDRINUSE} when the address is taken, or another
     *                          error from {@code socket}, {@code bind} or {@code listen}
     */
    long listen(InetSocketAddress address, ListenOptions options);

    /** {@link #listen(InetSocketAddress, ListenOptions)} with {@link ListenOptions#defaults()}. */
    default long listen(InetSocketAddress address) {
        return listen(address, ListenOptions.defaults());
    }

    /**
     * Opens a listening Unix domain stream socket, bound now to a new file at the address's path.
     * Every operation of a TCP handle works on it and on the connections it accepts (read, write,
     * gather write, receive, shutdown, cancel, close), except the TCP socket options.
     *
     * <p>The path follows the operating system's rules: it must fit {@code sun_path} (107 bytes on
     * Linux, 103 on macOS and FreeBSD, with its terminating NUL), and an existing file at the path
     * is {@link Errno#EADDRINUSE}: the library never deletes a file it did not create. It removes
     * its own socket file when the listener closes (if a socket is still at the path). Abstract
     * addresses (Linux's leading NUL) are not supported. Not every backend has Unix domain
     * sockets: IOCP refuses them with {@link Errno#EAFNOSUPPORT} (see the README).
     *
     * @return the listener's handle
     * @throws IllegalArgumentException if the path is empty or too long for {@code sun_path}
     * @throws AsyncIoException         with {@link Errno#EADDRINUSE} when a file is at the path, or
     *                                  another error from {@code socket}, {@code bind} or {@code listen}
     * @since 1.1
     */
    long listen(java.net.UnixDomainSocketAddress address, ListenOptions options);

    /**
     * {@link #listen(java.net.UnixDomainSocketAddress, ListenOptions)} with
     * {@link ListenOptions#defaults()}.
     *
     * @since 1.1
     */
    default long listen(java.net.UnixDomainSocketAddress address) {
        return listen(address, ListenOptions.defaults());
    }

    /**
     * Opens a Unix domain stream socket and connects it to the listener at {@code remote}'s path,
     * as {@link #connect(InetSocketAddress, CompletionHandler, long)} does for TCP: the handle at
     * once, the CONNECT completion's result 0 or a negated error ({@link Errno#ENOENT} when no
     * file is at the path, {@link Errno#ECONNREFUSED} when no socket listens there).
     *
     * @throws IllegalArgumentException if the path is empty or too long for {@code sun_path}
     * @since 1.1
     */
    long connect(java.net.UnixDomainSocketAddress remote, CompletionHandler handler, long userData);

    /**
     * {@link #connect(java.net.UnixDomainSocketAddress, CompletionHandler, long)} with user data 0.
     *
     * @since 1.1
     */
    default long connect(java.net.UnixDomainSocketAddress remote, CompletionHandler handler) {
        return connect(remote, handler, 0);
    }

    /**
     * Opens a UDP socket bound to {@code bindAddress} (port 0: any free port; see
     * {@link #localAddress}). Its handle takes {@link #sendTo} and {@link #receiveFrom}; after
     * {@link #connectDatagram} also {@link #read} and {@link #write}, one datagram each. Socket options
     * ({@link #setOption}) work on it as on TCP sockets, with the UDP ones (SO_BROADCAST,
     * IP_MULTICAST_*). On IOCP (WSARecvFrom / WSASendTo) a receive is not failed by an earlier
     * datagram's ICMP port unreachable (SIO_UDP_CONNRESET is turned off), as on the other systems.
     *
     * @return the socket's handle
     * @throws AsyncIoException with {@link Errno#EADDRINUSE} when the address is taken
     * @since 1.1
     */
    long openDatagram(InetSocketAddress bindAddress, DatagramOptions options);

    /**
     * {@link #openDatagram(InetSocketAddress, DatagramOptions)} with {@link DatagramOptions#defaults()}.
     *
     * @since 1.1
     */
    default long openDatagram(InetSocketAddress bindAddress) {
        return openDatagram(bindAddress, DatagramOptions.defaults());
    }

    /**
     * Sends {@code buffer} as one datagram to {@code target}. Result: the datagram's size, or a
     * negated error ({@link Errno#EMSGSIZE} for one larger than the path allows). Completes as a
     * {@link Operation#WRITE}.
     *
     * @return the operation id
     * @since 1.1
     */
    long sendTo(long handle, MemorySegment buffer, InetSocketAddress target, CompletionHandler handler, long userData);

    /**
     * Receives one datagram into {@code buffer}, and its sender into {@code from} before the handler
     * runs. Result: the bytes kept; when the datagram was longer than the buffer, the buffer's size
     * with {@link IoEvent#TRUNCATED} in the flags (the rest is lost). A datagram of 0 bytes completes
     * with 0: it is no end of stream. Completes as a {@link Operation#READ}.
     *
     * @return the operation id
     * @since 1.1
     */
    long receiveFrom(long handle, MemorySegment buffer, DatagramSender from, CompletionHandler handler, long userData);

    /**
     * Where a datagram's bytes start in a pool buffer ({@link #receiveFrom(long, long, DatagramSender,
     * CompletionHandler, long)}, or {@link #receive} on a UDP socket): a datagram keeps at most
     * {@code bufferSize - POOL_DATAGRAM_OFFSET} bytes. The room before them is the kernel's on
     * io_uring (a header and the sender's address, written into the buffer by multishot
     * {@code RECVMSG}); the other systems leave it unused, so that a datagram is cut at the same
     * size everywhere. See {@link IoEvent#bufferOffset()}.
     *
     * @since 1.1
     */
    int POOL_DATAGRAM_OFFSET = 64;

    /**
     * Multishot datagram receive into buffers of {@code pool} (of more than
     * {@link #POOL_DATAGRAM_OFFSET} bytes each): the high-rate form of
     * {@link #receiveFrom(long, MemorySegment, DatagramSender, CompletionHandler, long)}, with no
     * request per datagram on io_uring (multishot {@code RECVMSG} on the provided buffer ring) and
     * one {@code recvmmsg} for many datagrams on Linux's epoll. It goes on as {@link #receive}
     * does: the handler is called once per datagram with {@link IoEvent#MORE}, the datagram in
     * {@link IoEvent#buffer()} (at {@link IoEvent#bufferOffset()} of pool buffer
     * {@link IoEvent#bufferId()}, the caller's until {@link #releaseBuffer}), and {@code from} set
     * to its sender just before that call. A datagram of 0 bytes is a call with result 0 and a
     * buffer to release, not an end. A longer datagram than the buffer holds is cut, with
     * {@link IoEvent#TRUNCATED}. It pauses ({@code -ENOBUFS} with MORE) while the caller holds
     * every buffer, as {@link #receive} does. It ends with one last call without MORE: a socket
     * error, {@code -ECANCELED} (cancelled, or the socket closed), {@code -EBADF} (a closed
     * handle), or {@code -ENOBUFS} when the loop had no operation slot left to report a datagram
     * ({@link AsyncIoConfig#maxOperations()}).
     *
     * <p>{@code from} is one holder for the whole receive, overwritten before each call: read it in
     * the handler (or copy it there), as the event itself.
     *
     * @return the operation id, for {@link #cancel(long)}
     * @throws IllegalArgumentException if the handle is no UDP socket, or the pool's buffers are too small
     * @since 1.1
     */
    long receiveFrom(long handle, long pool, DatagramSender from, CompletionHandler handler, long userData);

    /**
     * Connects a UDP socket to {@code remote} (at once: no datagram is sent). From then on it only
     * exchanges datagrams with that peer, and {@link #read}/{@link #write} work on it, a datagram
     * each.
     *
     * @throws AsyncIoException when the system refuses
     * @since 1.1
     */
    void connectDatagram(long handle, InetSocketAddress remote);

    /**
     * Joins multicast {@code group} on a UDP socket: it receives the group's datagrams sent to its
     * port. {@code ni} is the interface (null: the system's choice). Set IP_MULTICAST_TTL and
     * IP_MULTICAST_LOOP with {@link #setOption}.
     *
     * @throws IllegalArgumentException if {@code group} is no multicast address, or the handle no UDP socket
     * @throws AsyncIoException         when the system refuses (no such interface, already a member...)
     * @since 1.1
     */
    void joinGroup(long handle, java.net.InetAddress group, java.net.NetworkInterface ni);

    /**
     * Leaves a group joined with {@link #joinGroup} (the same {@code ni}).
     *
     * @since 1.1
     */
    void leaveGroup(long handle, java.net.InetAddress group, java.net.NetworkInterface ni);

    /**
     * Accepts one connection. The completion's result is the new connection's handle (TCP_NODELAY
     * set), or a negated error.
     *
     * @return the operation id
     */
    long accept(long listener, CompletionHandler handler, long userData);

    /** {@link #accept(long, CompletionHandler, long)} with user data 0. */
    default long accept(long listener, CompletionHandler handler) {
        return accept(listener, handler, 0);
    }

    /**
     * Opens a TCP socket (TCP_NODELAY set) and connects it; {@code remote} must be resolved (a host
     * name is resolved off the loop by {@link Resolver#connect}). Returns the new socket's handle at once; the CONNECT
     * completion's result is 0 when connected, or a negated error ({@link Errno#ECONNREFUSED}...),
     * in which case the loop has already closed the handle.
     * <p>A connect to a listener whose accept queue is full: Linux, macOS and FreeBSD drop the
     * SYN, and the connect stays pending while the kernel retransmits it (until the listener
     * accepts, the kernel gives up, or it is cancelled); Windows refuses it with
     * {@link Errno#ECONNREFUSED}.
     *
     * @return the new socket's handle, which is also the completion's {@link IoEvent#handle()}
     */
    default long connect(InetSocketAddress remote, CompletionHandler handler, long userData) {
        return connect(remote, ConnectOptions.defaults(), handler, userData);
    }

    /**
     * {@link #connect(InetSocketAddress, CompletionHandler, long)} with options applied to the new
     * socket first: its local address, bound before the connect (port 0: any free port), and
     * socket options (see {@link #setOption}).
     *
     * @throws IllegalArgumentException      if the local address is not of the remote address's
     *                                       family, or an option's value is out of range
     * @throws UnsupportedOperationException if this operating system lacks an option
     * @throws AsyncIoException              if the bind fails ({@link Errno#EADDRINUSE} for a local
     *                                       address in use); nothing stays open
     * @since 1.1
     */
    long connect(InetSocketAddress remote, ConnectOptions options, CompletionHandler handler, long userData);

    /** {@link #connect(InetSocketAddress, ConnectOptions, CompletionHandler, long)} with user data 0. */
    default long connect(InetSocketAddress remote, ConnectOptions options, CompletionHandler handler) {
        return connect(remote, options, handler, 0);
    }

    /** {@link #connect(InetSocketAddress, CompletionHandler, long)} with user data 0. */
    default long connect(InetSocketAddress remote, CompletionHandler handler) {
        return connect(remote, handler, 0);
    }

    /**
     * Reads at most {@code buffer.byteSize()} bytes. Result: bytes read, 0 at end of stream, or a
     * negated error.
     *
     * @return the operation id
     */
    long read(long handle, MemorySegment buffer, CompletionHandler handler, long userData);

    /** Reads into a direct buffer's remaining space; its position advances on success. */
    long read(long handle, ByteBuffer buffer, CompletionHandler handler, long userData);

    /** {@link #read(long, MemorySegment, CompletionHandler, long)} with user data 0. */
    default long read(long handle, MemorySegment buffer, CompletionHandler handler) {
        return read(handle, buffer, handler, 0);
    }

    /** {@link #read(long, ByteBuffer, CompletionHandler, long)} with user data 0. */
    default long read(long handle, ByteBuffer buffer, CompletionHandler handler) {
        return read(handle, buffer, handler, 0);
    }

    /**
     * Creates a pool of receive buffers owned by this loop, for {@link #receive}: {@code count}
     * buffers (a power of two, at most 32,768) of {@code size} bytes each. On io_uring it is a
     * provided buffer ring the kernel picks from; elsewhere the loop picks. The pool lives until
     * the loop closes.
     *
     * @return the pool's id
     */
    long createBufferPool(int count, int size);

    /** The whole memory of a pool: buffer {@code i} starts at {@code i * size}. Read it, never write it while the kernel may. */
    MemorySegment bufferPoolMemory(long pool);

    /**
     * Multishot receive into buffers of {@code pool}: the handler is called once per chunk of
     * data, with the bytes in {@link IoEvent#buffer()} / {@link IoEvent#bufferId()} and
     * {@link IoEvent#MORE} in {@link IoEvent#flags()}; each chunk's buffer belongs to the caller
     * until {@link #releaseBuffer}. When every buffer of the pool is taken, the receive pauses and
     * says so with a call of result {@code -ENOBUFS} that has {@code MORE} set; it resumes by
     * itself when a buffer is released. The operation ends with one last call without
     * {@code MORE}: result 0 at end of stream, a negated error, or {@code -ECANCELED}. It occupies
     * the handle's read queue until it ends; several receives may share a pool.
     * <p>On a UDP socket (connected, or when the senders do not matter) each chunk is one datagram,
     * as with {@link #receiveFrom(long, long, DatagramSender, CompletionHandler, long)}, whose rules
     * apply: the bytes start at {@link #POOL_DATAGRAM_OFFSET}, and 0 bytes is an empty datagram.
     *
     * @throws IllegalArgumentException if the handle is a listener, or a UDP socket and the pool's
     *                                  buffers have no more than {@link #POOL_DATAGRAM_OFFSET} bytes
     *
     * @return the operation id, for {@link #cancel(long)}
     */
    long receive(long handle, long pool, CompletionHandler handler, long userData);

    /**
     * Gives a buffer of a receive chunk back to its pool.
     *
     * @throws IllegalArgumentException if the buffer is not held by the caller (never received,
     *                                  or released already)
     */
    void releaseBuffer(long pool, int bufferId);

    /**
     * Writes the whole segment (see the partial-write rule above). Result: the segment's size, or
     * a negated error ({@link Errno#EPIPE}, {@link Errno#ECONNRESET}...).
     *
     * @return the operation id
     */
    long write(long handle, MemorySegment buffer, CompletionHandler handler, long userData);

    /** Writes a direct buffer's remaining bytes; its position advances on success. */
    long write(long handle, ByteBuffer buffer, CompletionHandler handler, long userData);

    /**
     * Gather write: writes every byte of {@code buffers}, in order, as one operation (one
     * {@code sendmsg}, {@code IORING_OP_SENDMSG} or {@code WSASend} of several buffers where the
     * kernel takes them all, continued across buffer boundaries after a partial send, like any
     * write). Result: the sum of the segments' sizes, or a negated error as for a single write.
     * Empty segments are allowed and skipped; an empty array completes with 0.
     *
     * <p>The array is not copied: it and its segments stay untouched until the completion, as
     * a single write's buffer does. A kernel request takes at most 64 buffers, so a longer array
     * costs one request per 64.
     *
     * @throws NullPointerException     if the array or one of its elements is null
     * @throws IllegalArgumentException if a segment is not native, as for a single write
     * @return the operation id
     * @since 1.1
     */
    long write(long handle, MemorySegment[] buffers, CompletionHandler handler, long userData);

    /**
     * Gather write of direct buffers' remaining bytes, as {@link #write(long, MemorySegment[],
     * CompletionHandler, long)}: on success every buffer's position reaches its limit; on failure
     * none moves. This is {@link java.nio.channels.GatheringByteChannel#write(ByteBuffer[])}
     * made asynchronous, except that it completes only when everything was sent.
     *
     * @since 1.1
     */
    long write(long handle, ByteBuffer[] buffers, CompletionHandler handler, long userData);

    /** {@link #write(long, MemorySegment[], CompletionHandler, long)} with user data 0. */
    default long write(long handle, MemorySegment[] buffers, CompletionHandler handler) {
        return write(handle, buffers, handler, 0);
    }

    /** {@link #write(long, ByteBuffer[], CompletionHandler, long)} with user data 0. */
    default long write(long handle, ByteBuffer[] buffers, CompletionHandler handler) {
        return write(handle, buffers, handler, 0);
    }

    /** {@link #write(long, MemorySegment, CompletionHandler, long)} with user data 0. */
    default long write(long handle, MemorySegment buffer, CompletionHandler handler) {
        return write(handle, buffer, handler, 0);
    }

    /** {@link #write(long, ByteBuffer, CompletionHandler, long)} with user data 0. */
    default long write(long handle, ByteBuffer buffer, CompletionHandler handler) {
        return write(handle, buffer, handler, 0);
    }

    /**
     * Shuts down the sending side of a connected socket (the peer reads end of stream); reads still
     * work.
     *
     * @throws IllegalArgumentException when the handle is a listener
     * @throws AsyncIoException         with {@link Errno#ENOTCONN} when the socket is not connected
     *                                  yet (its CONNECT has not completed), changing nothing: the
     *                                  connect goes on; with {@link Errno#EBADF} when the handle is
     *                                  closed; or when {@code shutdown} fails
     */
    void shutdownOutput(long handle);

    /**
     * Closes a handle now: its pending operations complete with {@link Errno#ECANCELED} and the
     * handle becomes stale. Closing a stale handle does nothing.
     *
     * @return {@code true} if the handle was open
     */
    boolean close(long handle);

    /**
     * {@link #close(long)}, with a CLOSE completion delivered after the cancelled operations'
     * completions: result 0, or {@code -EBADF} when the handle was already closed.
     *
     * @return the operation id
     */
    long close(long handle, CompletionHandler handler, long userData);

    /**
     * The address a TCP socket is bound to (the chosen port after listening on port 0).
     *
     * @throws IllegalArgumentException for a Unix domain socket: use {@link #localSocketAddress}
     */
    InetSocketAddress localAddress(long handle);

    /**
     * The peer's address of a connected TCP socket.
     *
     * @throws IllegalArgumentException for a Unix domain socket: use {@link #remoteSocketAddress}
     */
    InetSocketAddress remoteAddress(long handle);

    /**
     * The address a socket of any kind is bound to: an {@link InetSocketAddress}, or a
     * {@link java.net.UnixDomainSocketAddress} (with an empty path for an unnamed socket, as a
     * connecting Unix domain socket is).
     *
     * @since 1.1
     */
    java.net.SocketAddress localSocketAddress(long handle);

    /**
     * The peer's address of a connected socket of any kind (see {@link #localSocketAddress}).
     *
     * @since 1.1
     */
    java.net.SocketAddress remoteSocketAddress(long handle);

    /**
     * Takes in a TCP or Unix domain stream socket made elsewhere: one systemd hands over (socket
     * activation, {@code LISTEN_FDS}), or another library's. The loop never removes an adopted Unix
     * domain listener's socket file: it did not make it. (IOCP takes TCP sockets only.) {@code nativeSocket} is a descriptor on Linux,
     * macOS and FreeBSD, a {@code SOCKET} on Windows. A listening socket becomes a listener handle
     * (for {@link #accept}), any other stream socket a socket handle (for reads and writes; it is
     * expected to be connected). The loop then owns it: it is made non-blocking (and
     * close-on-exec), registered with the kernel interface (on Windows, associated with the loop's
     * completion port, which cannot be undone), and closed by {@link #close}. Nobody else may use
     * or close it afterwards. Loop thread only.
     *
     * @return the new handle
     * @throws AsyncIoException refusing, with nothing of the descriptor closed or changed:
     *                          {@link Errno#EBADF} if it is not open (Windows says
     *                          {@link Errno#ENOTSOCK} for a closed {@code SOCKET}),
     *                          {@link Errno#ENOTSOCK} if it is not a socket,
     *                          {@link Errno#EPROTOTYPE} if it is not a stream socket,
     *                          {@link Errno#EAFNOSUPPORT} if it is not IPv4, IPv6 or (but on
     *                          Windows) Unix domain,
     *                          {@link Errno#EEXIST} if this loop owns it already, or
     *                          {@link Errno#EMFILE} at the handle limit
     * @since 1.1
     */
    long adopt(long nativeSocket);

    /**
     * The descriptor (Windows: {@code SOCKET}) behind a handle, for diagnostics and interop; the
     * loop still owns it: do not close it, or read or write it while operations are pending.
     * Loop thread only.
     *
     * @throws AsyncIoException with {@link Errno#EBADF} for a closed handle
     * @since 1.1
     */
    long nativeDescriptor(long handle);

    /**
     * Sets a socket option of a connected socket or a listener, as
     * {@link java.nio.channels.NetworkChannel#setOption} does. The options are those of
     * {@link java.net.StandardSocketOptions} a TCP socket takes (TCP_NODELAY, SO_KEEPALIVE,
     * SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR, SO_REUSEPORT, IP_TOS) and
     * {@code jdk.net.ExtendedSocketOptions}' TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT and
     * TCP_QUICKACK, where the operating system has them: {@link #supportedOptions()} lists them.
     * Sockets of {@link #listen}, {@link #accept} and {@link #connect} start with TCP_NODELAY on.
     * SO_LINGER takes seconds, a negative value turning it off; with a positive time the system's
     * close of that socket blocks the loop's thread until the data is sent or the time has passed
     * (as it blocks a {@code SocketChannel}'s close). IP_TOS on an IPv6 socket sets its traffic
     * class. Loop thread only.
     *
     * @throws UnsupportedOperationException if this operating system lacks the option; the message
     *                                       names the option and the system
     * @throws IllegalArgumentException      if the value is null or out of the option's range (a
     *                                       buffer size or keep-alive time below 1, a TOS outside 0..255)
     * @throws AsyncIoException              with {@link Errno#EBADF} for a closed handle, or the
     *                                       system's error when it refuses the value
     * @since 1.1
     */
    <T> void setOption(long handle, SocketOption<T> option, T value);

    /**
     * The value of a socket option ({@link #setOption} lists them); SO_LINGER is -1 when off.
     * Loop thread only.
     *
     * @throws UnsupportedOperationException if this operating system lacks the option
     * @throws AsyncIoException              with {@link Errno#EBADF} for a closed handle
     * @since 1.1
     */
    <T> T getOption(long handle, SocketOption<T> option);

    /**
     * The socket options {@link #setOption} takes on this operating system. Any thread.
     *
     * @since 1.1
     */
    Set<SocketOption<?>> supportedOptions();

    // ---- timers and cancellation ----------------------------------------------------------

    /**
     * Runs {@code handler} with a TIMER completion (result 0) after {@code delayNanos}. Timers fire
     * in deadline order; timers with the same deadline fire in the order they were scheduled.
     *
     * @return the operation id, for {@link #cancel(long)}
     */
    long schedule(long delayNanos, CompletionHandler handler, long userData);

    /** {@link #schedule(long, CompletionHandler, long)} with a {@link Duration} and user data 0. */
    default long schedule(Duration delay, CompletionHandler handler) {
        return schedule(delay.toNanos(), handler, 0);
    }

    /**
     * Cancels a pending operation: it completes with {@link Errno#ECANCELED} (a cancelled timer
     * never fires). On a completion backend (io_uring, IOCP) the kernel may have finished the
     * operation before the cancel reached it: then it completes with its real result instead — a
     * read with the bytes it received, so cancelling never loses data. After a cancelled write
     * some bytes may have been sent: close the connection. Ids of completed operations are stale
     * and ignored; a handle id is refused ({@link IllegalArgumentException}). A CLOSE is not
     * cancelled: its handle is closed at once, and its completion (with 0) only waits for the
     * operations the close cancelled; {@code cancel} of it returns {@code false}.
     *
     * @return {@code true} if the operation was pending; it completes exactly once either way
     */
    boolean cancel(long operationId);

    // ---- the loop ---------------------------------------------------------------------------

    /**
     * Runs one turn: waits until there is something to deliver (a completion, a due timer, a task)
     * or a {@link #wake()} arrives, but at most {@code timeoutMillis} (0: do not wait; -1: no
     * limit), then delivers every completion, due timer and task there is. When nothing arrives it
     * returns 0 after the whole timeout, never earlier.
     *
     * @return the number of calls this turn made: completion handlers (each chunk of a
     *         {@link #receive} counts), tasks, and the {@link #onWake} callback; 0 when it delivered
     *         nothing
     */
    int poll(long timeoutMillis);

    /**
     * {@link #poll(long)} with a timeout of any precision: on Linux (epoll with
     * {@code epoll_pwait2}, io_uring) and with kqueue the wait is as long as asked; IOCP waits in
     * milliseconds, rounded up. Timers fall due with the same precision.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @since 1.1
     */
    int poll(Duration timeout);

    /**
     * Runs turns until {@link #stop()} is called. A {@code stop()} that arrives before {@code run()}
     * starts ends that run after its first turn, which delivers what is due without waiting.
     */
    void run();

    /**
     * Makes {@link #run()} return after its current turn; when {@code run()} is not executing, the
     * next {@code run()} returns after its first turn. Any thread; never throws.
     */
    void stop();

    /** Whether {@link #run()} is executing. Any thread. */
    boolean isRunning();

    /** Makes a blocked {@link #poll(long)} return soon. Any thread; cheap when already woken. */
    void wake();

    /**
     * Runs {@code task} on the loop's thread during a coming turn, waking the loop if it may be
     * blocked in its wait (a loop busy with a turn takes the task on its next one without a
     * wake-up, so many submissions from other threads cost few). Any thread.
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the loop's thread, as {@link #execute}, and gives its value (or what it
     * threw) through the returned future, completed on that thread: how another thread reads state
     * confined to the loop. Any thread.
     *
     * @throws IllegalStateException if the loop is closed
     * @since 1.1
     */
    default <T> java.util.concurrent.CompletableFuture<T> submit(java.util.function.Supplier<T> task) {
        java.util.Objects.requireNonNull(task, "task");
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Sets the callback run on the loop's thread each time a {@link #wake()} reaches it (or null). */
    void onWake(Runnable callback);

    /** The loop's counters. Any thread. */
    IoStats stats();

    /** Whether {@link #close()} has not been called. */
    boolean isOpen();

    /**
     * Closes every handle and the loop. Pending operations and timers complete with
     * {@link Errno#ECANCELED} during this call. Call it on the loop's thread when {@link #run()}
     * is not executing; closing twice does nothing.
     */
    @Override
    void close();
}
