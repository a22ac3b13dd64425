package io.fasterapi.aio;

/**
 * What {@link AsyncIo#backends()} says of one provider found on the module or class path.
 *
 * @param name      the provider's name ("epoll", "io_uring", "kqueue", "iocp")
 * @param rank      higher wins in {@link AsyncIo#create()}
 * @param available whether a loop can be created here
 * @param reason    why not, when unavailable ("not this operating system: Linux", "io_uring_setup
 *                  refused: EPERM ..."); {@code ""} when available
 */
public record BackendInfo(String name, int rank, boolean available, String reason) {
}
