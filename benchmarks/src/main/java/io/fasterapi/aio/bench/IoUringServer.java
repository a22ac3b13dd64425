package io.fasterapi.aio.bench;

/** Our server on the io_uring backend: {@code --port 9000 --mode echo|http [--duration s] [--warmup s]}. */
public final class IoUringServer {
    private IoUringServer() {
    }

    public static void main(String[] args) {
        AioServer.main("io_uring", args);
    }
}
