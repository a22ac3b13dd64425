package io.fasterapi.aio;

/**
 * Options of a listening socket.
 *
 * @param backlog      the accept queue length passed to {@code listen}
 * @param reuseAddress set {@code SO_REUSEADDR} (rebinding a port in TIME_WAIT)
 * @param reusePort    set {@code SO_REUSEPORT}, so several loops can each listen on the same port
 *                     and the kernel spreads connections among them
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
