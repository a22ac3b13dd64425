/** macOS / FreeBSD kqueue backend. */
module io.fasterapi.aio.kqueue {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.core;
    requires static org.osgi.service.component.annotations;
    requires io.fasterapi.aio.unix;

    provides io.fasterapi.aio.spi.AsyncIoProvider with io.fasterapi.aio.kqueue.KqueueProvider;
}
