/**
 * What the POSIX backends share: FFM bindings of the BSD socket calls, errno capture, sockaddr
 * encoding, and the readiness engine that turns "readable" into "your read completed" for epoll
 * and kqueue. Exported to the backends only.
 */
module io.fasterapi.aio.unix {
    requires transitive io.fasterapi.aio.core;

    exports io.fasterapi.aio.unix to io.fasterapi.aio.epoll, io.fasterapi.aio.iouring, io.fasterapi.aio.kqueue;
    exports io.fasterapi.aio.unix.readiness to io.fasterapi.aio.epoll, io.fasterapi.aio.kqueue;
}
