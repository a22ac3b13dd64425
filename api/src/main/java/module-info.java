/**
 * The FasterAPI asynchronous socket I/O contract.
 *
 * <p>{@link io.fasterapi.aio.AsyncIo} is one event loop; backends (epoll, io_uring, kqueue, IOCP)
 * implement it and register an {@link io.fasterapi.aio.spi.AsyncIoProvider}.
 * {@link io.fasterapi.aio.AsyncIo#create()} picks the best provider available on this machine.
 */
module io.fasterapi.aio {
    requires static osgi.annotation;
    // The BackendFallback event: optional, so the API still needs java.base only (see FallbackRecorder).
    requires static jdk.jfr;

    exports io.fasterapi.aio;
    exports io.fasterapi.aio.spi;

    uses io.fasterapi.aio.spi.AsyncIoProvider;
}
