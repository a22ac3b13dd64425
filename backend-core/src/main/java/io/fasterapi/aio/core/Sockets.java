package io.fasterapi.aio.core;

import io.fasterapi.aio.ListenOptions;

import java.net.InetSocketAddress;

/**
 * The synchronous socket steps of one operating system's API (BSD sockets, Winsock): open, name,
 * shut down and close. Descriptors are {@code long}s so that a Winsock SOCKET fits. Confined to
 * the loop's thread.
 */
public interface Sockets {
    /** socket, options, bind, listen; returns the descriptor. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    long openListener(InetSocketAddress address, ListenOptions options);

    /** A non-blocking socket of {@code remote}'s family, ready to connect. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    long openStream(InetSocketAddress remote);

    /** getsockname ({@code local}) or getpeername. Throws {@link io.fasterapi.aio.AsyncIoException}. */
    InetSocketAddress address(long fd, boolean local);

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
}
