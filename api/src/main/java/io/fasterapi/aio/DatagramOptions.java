package io.fasterapi.aio;

import java.net.SocketOption;
import java.util.Collections;
import java.util.Map;

/**
 * Options of a UDP socket ({@link AsyncIo#openDatagram}), applied before it is bound.
 *
 * @param reuseAddress  SO_REUSEADDR (several sockets on one multicast group and port)
 * @param reusePort     SO_REUSEPORT where the system has it (the kernel spreads datagrams over
 *                      the sockets bound to one port)
 * @param socketOptions socket options set in this order before the bind (see
 *                      {@link AsyncIo#setOption}): SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, IP_TOS,
 *                      IP_MULTICAST_TTL, IP_MULTICAST_LOOP...; empty by default
 * @since 1.1
 */
public record DatagramOptions(boolean reuseAddress, boolean reusePort, Map<SocketOption<?>, Object> socketOptions) {

    /** Copies the options (unmodifiable, in their order). */
    public DatagramOptions {
        socketOptions = Collections.unmodifiableMap(ListenOptions.checked(socketOptions));
    }

    /** No reuse, no option. */
    public static DatagramOptions defaults() {
        return new DatagramOptions(false, false, Map.of());
    }

    /** A copy with SO_REUSEADDR on or off. */
    public DatagramOptions withReuseAddress(boolean on) {
        return new DatagramOptions(on, reusePort, socketOptions);
    }

    /** A copy with SO_REUSEPORT on or off. */
    public DatagramOptions withReusePort(boolean on) {
        return new DatagramOptions(reuseAddress, on, socketOptions);
    }

    /**
     * A copy that also sets {@code option} to {@code value} before the bind. An option the system
     * lacks, or a value out of range, fails {@link AsyncIo#openDatagram}.
     *
     * @throws IllegalArgumentException if {@code value} is null
     */
    public <T> DatagramOptions withOption(SocketOption<T> option, T value) {
        return new DatagramOptions(reuseAddress, reusePort, ListenOptions.with(socketOptions, option, value));
    }
}
