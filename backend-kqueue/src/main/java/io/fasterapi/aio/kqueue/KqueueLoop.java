package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.unix.SocketConstants;
import io.fasterapi.aio.unix.readiness.ReadinessLoop;

/** A loop on kqueue: the shared readiness engine with a {@link KqueuePoller}. */
final class KqueueLoop extends ReadinessLoop {
    KqueueLoop(AsyncIoConfig config, Kevent.Abi abi, SocketConstants constants) {
        super(KqueueProvider.NAME, config, new KqueuePoller(config.maxEvents(), abi), constants);
    }
}
