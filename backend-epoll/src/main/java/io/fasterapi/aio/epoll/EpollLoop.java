package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.unix.SocketConstants;
import io.fasterapi.aio.unix.readiness.ReadinessLoop;

/** A loop on epoll: the shared readiness engine with an {@link EpollPoller}. */
final class EpollLoop extends ReadinessLoop {
    EpollLoop(AsyncIoConfig config) {
        super(EpollProvider.NAME, config, new EpollPoller(config.maxEvents()), SocketConstants.LINUX);
    }
}
