package io.fasterapi.aio;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Connecting to a host name without blocking a loop. {@link AsyncIo#connect} takes resolved
 * addresses only, because the JDK's resolver ({@link InetAddress#getByName}) blocks, and a blocked
 * loop serves nothing. This resolves on a virtual thread of its own, then connects through the
 * loop's {@link AsyncIo#execute}; the loop never waits for the name.
 *
 * @since 1.1
 */
public final class Resolver {
    private Resolver() {
    }

    /**
     * Resolves {@code host} (the JDK's resolver: the hosts file, then DNS) off the loop, then, on
     * the loop's thread, connects to the first address as {@link AsyncIo#connect(InetSocketAddress,
     * ConnectOptions, CompletionHandler, long)} does. {@code handler} gets the CONNECT completion as
     * usual.
     *
     * @return a future completed on the loop's thread with the new socket's handle once the connect
     *         has started; completed exceptionally, and {@code handler} never called, with
     *         {@link UnknownHostException} when the name does not resolve, or with what the connect
     *         threw (the loop closed meanwhile: {@link IllegalStateException}). Cancelling it before
     *         the connect starts prevents the connect; a connect that started meanwhile is closed.
     *         A loop that closes while its task is queued runs no task: the future then stays
     *         incomplete, so callers that close loops should wait with a timeout.
     */
    public static CompletableFuture<Long> connect(AsyncIo io, String host, int port, ConnectOptions options,
                                                 CompletionHandler handler, long userData) {
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("port out of range: " + port);
        CompletableFuture<Long> started = new CompletableFuture<>();
        Thread.ofVirtual().name("aio-resolve " + host).start(() -> {
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            InetSocketAddress remote = new InetSocketAddress(address, port);
            try {
                io.execute(() -> {
                    if (started.isDone()) return; // cancelled (or timed out) while the name was resolved
                    long handle;
                    try {
                        handle = io.connect(remote, options, handler, userData);
                    } catch (Throwable e) {
                        started.completeExceptionally(e);
                        return;
                    }
                    // Cancelled from another thread meanwhile: nobody will learn the handle, so it is closed.
                    if (!started.complete(handle)) io.close(handle);
                });
            } catch (RuntimeException e) { // the loop closed while the name was resolved
                started.completeExceptionally(e);
            }
        });
        return started;
    }

    /** {@link #connect(AsyncIo, String, int, ConnectOptions, CompletionHandler, long)} with no options and user data 0. */
    public static CompletableFuture<Long> connect(AsyncIo io, String host, int port, CompletionHandler handler) {
        return connect(io, host, port, ConnectOptions.defaults(), handler, 0);
    }
}
