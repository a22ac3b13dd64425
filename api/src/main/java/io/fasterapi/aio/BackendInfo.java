package io.fasterapi.aio;

/**
 * What {@link AsyncIo#backends()} says of one provider found on the module or class path.
 *
 * @param name      the provider's name ("epoll", "io_uring", "kqueue", "iocp")
 * @param rank      higher wins in {@link AsyncIo#create()}
 * @param available whether a loop can be created here
 * @param reason    why not, when unavailable ("not this operating system: Linux", "io_uring_setup
 *                  refused: EPERM ..."); {@code ""} when available
 * @param zeroCopy  how the backend sends without copying when {@link AsyncIoConfig#zeroCopy()} is
 *                  on ("IORING_OP_SEND_ZC, IORING_OP_SENDMSG_ZC"), or, starting with "none", why
 *                  it copies (see {@link io.fasterapi.aio.spi.AsyncIoProvider#zeroCopy()})
 * @since 1.1 ({@code zeroCopy})
 */
public record BackendInfo(String name, int rank, boolean available, String reason, String zeroCopy) {

    /** The description of API 1.0, with no word on zero-copy sends ({@code ""}). */
    public BackendInfo(String name, int rank, boolean available, String reason) {
        this(name, rank, available, reason, "");
    }

    /** Whether this backend sends without copying when asked ({@link #zeroCopy()} names how). */
    public boolean hasZeroCopy() {
        return !zeroCopy.isEmpty() && !zeroCopy.startsWith("none");
    }
}
