/**
 * The operating-system-independent machinery every backend shares: the loop ({@code Loop}, the
 * one implementation of {@code AsyncIo}) with its tables, timers, delivery, tasks, wake-ups and
 * statistics; the seam below it ({@code Driver}, {@code LoopContext}); and the completion engine
 * ({@code CompletionEngine} over a {@code Kernel}) that io_uring and IOCP share. The readiness
 * engine of epoll and kqueue is in {@code io.fasterapi.aio.unix}. Exported to the backends only.
 */
module io.fasterapi.aio.core {
    requires transitive io.fasterapi.aio;
    requires static org.osgi.service.component.annotations;
    // jdk.net.ExtendedSocketOptions' objects, which SocketOptions looks up by reflection: no
    // package import, so an OSGi container need not export jdk.net; required here so that a
    // module graph (and the jlink image) contains the module.
    requires jdk.net;
    // JFR events and the loops' MXBeans: optional, so that a runtime without these modules runs the
    // loop the same (Observation checks that each is usable before it touches it).
    requires static jdk.jfr;
    requires static java.management;

    exports io.fasterapi.aio.core to
            io.fasterapi.aio.unix, io.fasterapi.aio.epoll, io.fasterapi.aio.iouring,
            io.fasterapi.aio.kqueue, io.fasterapi.aio.iocp;
}
