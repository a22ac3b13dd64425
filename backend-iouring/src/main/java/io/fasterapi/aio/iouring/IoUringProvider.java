package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.core.CompletionEngine;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;

/** The io_uring backend's provider: ranks above epoll, available when {@link IoUringProbe} says so. */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class IoUringProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "io_uring";
    /** Above epoll (100). */
    public static final int RANK = 200;

    /** For ServiceLoader and OSGi. */
    public IoUringProvider() {
        super(NAME, RANK, "io.fasterapi.aio.iouring");
    }

    @Override
    protected Availability probe() {
        if (!osIs("linux")) {
            return Availability.unavailable("not this operating system: io_uring is Linux-only, this is " + osName());
        }
        return IoUringProbe.probe();
    }

    @Override
    public String zeroCopy() {
        return osIs("linux") ? ZeroCopy.DESCRIPTION : "none: io_uring is Linux-only";
    }

    /** Probed once, at the first question. */
    private static final class ZeroCopy {
        static final String DESCRIPTION = IoUringProbe.zeroCopy();
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        return new Loop(NAME, config, ctx -> new CompletionEngine(ctx, new IoUringKernel(config)));
    }
}
