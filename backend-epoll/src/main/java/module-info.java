/**
 * The Linux epoll backend: edge-triggered readiness through FFM, driven by the shared readiness
 * engine of {@code io.fasterapi.aio.unix}. Exports nothing; found through its provider.
 */
module io.fasterapi.aio.epoll {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.core;
    requires io.fasterapi.aio.unix;
    requires static org.osgi.service.component.annotations;

    provides io.fasterapi.aio.spi.AsyncIoProvider with io.fasterapi.aio.epoll.EpollProvider;
}
