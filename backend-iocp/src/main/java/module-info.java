/** Windows I/O completion port backend. */
module io.fasterapi.aio.iocp {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.core;
    requires static org.osgi.service.component.annotations;

    provides io.fasterapi.aio.spi.AsyncIoProvider with io.fasterapi.aio.iocp.IocpProvider;
}
