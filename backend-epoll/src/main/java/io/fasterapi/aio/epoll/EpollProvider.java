package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.unix.SocketConstants;
import io.fasterapi.aio.unix.readiness.ReadinessEngine;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;

/** The epoll backend's provider: available on Linux when the FFM bindings load and epoll works. */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class EpollProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "epoll";
    /** Below io_uring (200). */
    public static final int RANK = 100;

    /** For ServiceLoader and OSGi. */
    public EpollProvider() {
        super(NAME, RANK, "io.fasterapi.aio.epoll");
    }

    @Override
    protected Availability probe() {
        if (!osIs("linux")) {
            return Availability.unavailable("not this operating system: epoll is Linux-only, this is " + osName());
        }
        try {
            new EpollPoller(1).close();
            return Availability.yes();
        } catch (AsyncIoException e) {
            return Availability.unavailable(e.getMessage());
        }
    }

    @Override
    public String zeroCopy() {
        return osIs("linux") ? "MSG_ZEROCOPY (Linux 4.14+), completed by the error queue's notices"
                : "none: epoll is Linux-only";
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        // The poller first: if it fails, the loop gives back what it took and nothing leaks.
        long zeroCopy = config.zeroCopy() ? config.zeroCopyThreshold() : Long.MAX_VALUE;
        return new Loop(NAME, config, ctx -> new ReadinessEngine(ctx, new EpollPoller(config.maxEvents()), SocketConstants.LINUX, zeroCopy));
    }
}
