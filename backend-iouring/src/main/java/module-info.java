/** Linux io_uring backend: rings driven from Java through FFM, no liburing needed. */
module io.fasterapi.aio.iouring {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.core;
    requires io.fasterapi.aio.unix;
    requires static org.osgi.service.component.annotations;

    provides io.fasterapi.aio.spi.AsyncIoProvider with io.fasterapi.aio.iouring.IoUringProvider;
}
