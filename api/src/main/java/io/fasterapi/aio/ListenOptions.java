package io.fasterapi.aio;

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
 */
public record ListenOptions(int backlog, boolean reuseAddress, boolean reusePort) {

    /** Validates the backlog. */
    public ListenOptions {
        if (backlog < 1) throw new IllegalArgumentException("backlog must be >= 1, was " + backlog);
    }

    /** Backlog 1,024, SO_REUSEADDR on, SO_REUSEPORT off. */
    public static ListenOptions defaults() {
        return new ListenOptions(1024, true, false);
    }

    /** A copy with another backlog. */
    public ListenOptions withBacklog(int n) {
        return new ListenOptions(n, reuseAddress, reusePort);
    }

    /** A copy with SO_REUSEPORT set or not. */
    public ListenOptions withReusePort(boolean on) {
        return new ListenOptions(backlog, reuseAddress, on);
    }

    /** A copy with SO_REUSEADDR set or not. */
    public ListenOptions withReuseAddress(boolean on) {
        return new ListenOptions(backlog, on, reusePort);
    }
}
