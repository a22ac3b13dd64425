/**
 * The operating-system-independent machinery every backend shares: handle and operation tables
 * with generations, the timer heap, completion delivery, tasks, wake-ups and statistics.
 * Exported to the backends only.
 */
module io.fasterapi.aio.core {
    requires transitive io.fasterapi.aio;
    requires static org.osgi.service.component.annotations;

    exports io.fasterapi.aio.core to
            io.fasterapi.aio.unix, io.fasterapi.aio.epoll, io.fasterapi.aio.iouring,
            io.fasterapi.aio.kqueue, io.fasterapi.aio.iocp;
}
