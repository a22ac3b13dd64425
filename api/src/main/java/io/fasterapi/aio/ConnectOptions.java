package io.fasterapi.aio;

import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * Options of an outgoing connection, applied to the new socket before it connects.
 *
 * @param localAddress  the address (and port; 0 picks one) to bind the socket to before the
 *                      connect, or {@code null} to let the system choose; it must be of the remote
 *                      address's family
 * @param socketOptions socket options set in this order before the connect (see
 *                      {@link AsyncIo#setOption}); empty by default
 * @since 1.1
 */
public record ConnectOptions(InetSocketAddress localAddress, Map<SocketOption<?>, Object> socketOptions) {

    /** Validates the address and copies the options (unmodifiable, in their order). */
    public ConnectOptions {
        if (localAddress != null && localAddress.isUnresolved()) {
            throw new IllegalArgumentException("unresolved local address: " + localAddress);
        }
        socketOptions = Collections.unmodifiableMap(ListenOptions.checked(socketOptions));
    }

    /** No local address, no option: the system chooses, and TCP_NODELAY is on as always. */
    public static ConnectOptions defaults() {
        return new ConnectOptions(null, Map.of());
    }

    /** A copy that binds {@code address} (port 0: any free port) before connecting. */
    public ConnectOptions withLocalAddress(InetSocketAddress address) {
        return new ConnectOptions(Objects.requireNonNull(address, "address"), socketOptions);
    }

    /**
     * A copy that also sets {@code option} to {@code value} before connecting. An option the
     * system lacks, or a value out of range, fails the {@link AsyncIo#connect} call.
     *
     * @throws IllegalArgumentException if {@code value} is null
     */
    public <T> ConnectOptions withOption(SocketOption<T> option, T value) {
        return new ConnectOptions(localAddress, ListenOptions.with(socketOptions, option, value));
    }
}
