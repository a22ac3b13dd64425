package io.fasterapi.aio.core;

import io.fasterapi.aio.ConnectOptions;
import io.fasterapi.aio.ListenOptions;

import java.net.InetSocketAddress;

/**
 * The synchronous socket steps of one operating system's API (BSD sockets, Winsock): open, name,
 * shut down and close. Descriptors are {@code long}s so that a Winsock SOCKET fits. Confined to
 * the loop's thread.
 */
public interface Sockets {
    /**
     * socket, options (the flags, then {@link ListenOptions#socketOptions()}), bind, listen;
     * returns the descriptor. Throws as {@link #setOption} or {@link io.fasterapi.aio.AsyncIoException},
     * having closed what it opened.
     */
    long openListener(InetSocketAddress address, ListenOptions options);

    /**
     * A non-blocking socket of {@code remote}'s family with TCP_NODELAY and {@code options}'
     * socket options, bound to its local address if it has one, ready to connect. Throws as
     * {@link #openListener}.
     */
    long openStream(InetSocketAddress remote, ConnectOptions options);

    /**
     * socket(AF_UNIX, SOCK_STREAM), the options of {@code options} that apply (not TCP's, not the
     * reuse flags), bind to the path (EADDRINUSE when a file is there: never removed), listen.
     * Throws as {@link #openListener(InetSocketAddress, ListenOptions)}; {@link IllegalArgumentException}
     * for a path that is empty or too long; EAFNOSUPPORT where the backend has no Unix domain sockets.
     */
    long openListener(java.net.UnixDomainSocketAddress address, ListenOptions options);

    /** A non-blocking Unix domain stream socket, ready to connect to {@code remote}. Throws as the listener. */
    long openStream(java.net.UnixDomainSocketAddress remote);

    /**
     * A non-blocking UDP socket of {@code bind}'s family: the reuse flags and options of
     * {@code options}, then bind. Throws as {@link #openListener(InetSocketAddress, ListenOptions)};
     * EAFNOSUPPORT where the backend has no datagrams.
     */
    long openDatagram(InetSocketAddress bind, io.fasterapi.aio.DatagramOptions options);

    /**
     * Joins ({@code join}) or leaves multicast {@code group} on interface {@code ni} (null: the
     * system's choice). Throws {@link io.fasterapi.aio.AsyncIoException}.
     */
    void membership(long fd, java.net.InetAddress group, java.net.NetworkInterface ni, boolean join);

    /** connect(2) of a UDP socket (immediate). Throws {@link io.fasterapi.aio.AsyncIoException}. */
    void connectDatagram(long fd, InetSocketAddress remote);

    /**
     * getsockname ({@code local}) or getpeername: an {@link InetSocketAddress} or a
     * {@link java.net.UnixDomainSocketAddress}. Throws {@link io.fasterapi.aio.AsyncIoException}.
     */
    java.net.SocketAddress address(long fd, boolean local);

    /** shutdown of the sending side. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    void shutdownOutput(long fd);

    /** Closes {@code fd}: 0, or a negated error number. */
    int close(long fd);

    /**
     * setsockopt of a Java option (see {@link SocketOptions}). Throws
     * {@link UnsupportedOperationException} where the OS lacks it, {@link IllegalArgumentException}
     * for a bad value, {@link io.fasterapi.aio.AsyncIoException} when the call fails.
     */
    <T> void setOption(long fd, java.net.SocketOption<T> option, T value);

    /** getsockopt of a Java option; throws as {@link #setOption}. */
    <T> T getOption(long fd, java.net.SocketOption<T> option);

    /** The options {@link #setOption} takes on this OS. */
    java.util.Set<java.net.SocketOption<?>> supportedOptions();

    /**
     * For {@link io.fasterapi.aio.AsyncIo#adopt}: {@link Handles#KIND_LISTENER} if {@code fd} is a
     * listening TCP socket, {@link Handles#KIND_STREAM} if a connected (or unconnected) one. Throws
     * {@link io.fasterapi.aio.AsyncIoException} (ENOTSOCK, EPROTOTYPE for another socket type,
     * EAFNOSUPPORT for another family) having changed nothing.
     */
    int adoptable(long fd);

    /** Makes an adopted socket behave as the loop's own (non-blocking, not inherited by children). */
    void prepareAdopted(long fd);

    /** Sets each of {@code options} in order (their values' types are checked by {@link #setOption}). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    default void setOptions(long fd, java.util.Map<java.net.SocketOption<?>, Object> options) {
        for (var e : options.entrySet()) setOption(fd, (java.net.SocketOption) e.getKey(), e.getValue());
    }
}
