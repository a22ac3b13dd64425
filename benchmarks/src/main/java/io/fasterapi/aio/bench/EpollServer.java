package io.fasterapi.aio.bench;

/** Our server on the epoll backend: {@code --port 9000 --mode echo|http [--duration s] [--warmup s]}. */
public final class EpollServer {
    private EpollServer() {
    }

    public static void main(String[] args) {
        AioServer.main("epoll", args);
    }
}
