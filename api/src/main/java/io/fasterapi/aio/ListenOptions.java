package io.fasterapi.aio;

import java.net.SocketOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Options of a listening socket.
 *
 * @param backlog      the accept queue length passed to {@code listen}
 * @param reuseAddress set {@code SO_REUSEADDR} (rebinding a port in TIME_WAIT)
 * @param reusePort    set {@code SO_REUSEPORT}, so several loops can each listen on the same port.
 *                     Linux spreads incoming connections among them; macOS and FreeBSD let them
 *                     share the port but make no such promise (a connection goes to one of them).
 *                     Windows has no {@code SO_REUSEPORT}: {@code listen} with it throws
 *                     {@link AsyncIoException} with {@link Errno#EOPNOTSUPP} and opens nothing.
 *                     A port another socket holds without the option is refused with
 *                     {@link Errno#EADDRINUSE} (elsewhere than Windows).
 * @param socketOptions socket options set in this order before the bind (see
 *                      {@link AsyncIo#setOption}); accepted sockets inherit most of them (buffer
 *                      sizes, keep-alive) as the system defines. Empty by default.
 */
public record ListenOptions(int backlog, boolean reuseAddress, boolean reusePort,
                            Map<SocketOption<?>, Object> socketOptions) {

    /** Validates the backlog and copies the options (unmodifiable, in their order). */
    public ListenOptions {
        if (backlog < 1) throw new IllegalArgumentException("backlog must be >= 1, was " + backlog);
        socketOptions = Collections.unmodifiableMap(checked(socketOptions));
    }

    /** The options of API 1.0: no socket option beyond the flags. */
    public ListenOptions(int backlog, boolean reuseAddress, boolean reusePort) {
        this(backlog, reuseAddress, reusePort, Map.of());
    }

    /** Backlog 1,024, SO_REUSEADDR on, SO_REUSEPORT off. */
    public static ListenOptions defaults() {
        return new ListenOptions(1024, true, false);
    }

    /** A copy with another backlog. */
    public ListenOptions withBacklog(int n) {
        return new ListenOptions(n, reuseAddress, reusePort, socketOptions);
    }

    /** A copy with SO_REUSEPORT set or not. */
    public ListenOptions withReusePort(boolean on) {
        return new ListenOptions(backlog, reuseAddress, on, socketOptions);
    }

    /** A copy with SO_REUSEADDR set or not. */
    public ListenOptions withReuseAddress(boolean on) {
        return new ListenOptions(backlog, on, reusePort, socketOptions);
    }

    /**
     * A copy that also sets {@code option} to {@code value} before the bind. An option the system
     * lacks, or a value out of range, fails the {@link AsyncIo#listen} call, which then opens
     * nothing.
     *
     * @throws IllegalArgumentException if {@code value} is null
     * @since 1.1
     */
    public <T> ListenOptions withOption(SocketOption<T> option, T value) {
        return new ListenOptions(backlog, reuseAddress, reusePort, with(socketOptions, option, value));
    }

    /** A copy of {@code options} in their order, refusing a null option (NPE) or value (IAE). */
    static Map<SocketOption<?>, Object> checked(Map<SocketOption<?>, Object> options) {
        Map<SocketOption<?>, Object> m = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            Objects.requireNonNull(k, "socket option");
            if (v == null) throw new IllegalArgumentException("socket option " + k.name() + ": invalid value null");
            m.put(k, v);
        });
        return m;
    }

    /** {@code options} plus one (replacing an earlier value of the same option). */
    static Map<SocketOption<?>, Object> with(Map<SocketOption<?>, Object> options, SocketOption<?> option, Object value) {
        Objects.requireNonNull(option, "option");
        if (value == null) throw new IllegalArgumentException("socket option " + option.name() + ": invalid value null");
        Map<SocketOption<?>, Object> m = new LinkedHashMap<>(options);
        m.put(option, value);
        return m;
    }
}
