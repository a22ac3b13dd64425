package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import io.fasterapi.aio.unix.SocketConstants;
import io.fasterapi.aio.unix.readiness.ReadinessEngine;
import org.osgi.service.component.annotations.Component;

/**
 * The kqueue backend's provider: available on macOS and FreeBSD when the FFM bindings load and a
 * kqueue can be made. Other BSDs have kqueue too, but their {@code struct kevent} and socket
 * constants are not tabled here, so they are refused by name.
 */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class KqueueProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "kqueue";
    /** Its OS's only backend: the rank does not compete with Linux's. */
    public static final int RANK = 100;

    /** For ServiceLoader and OSGi. */
    public KqueueProvider() {
        super(NAME, RANK, "io.fasterapi.aio.kqueue");
    }

    @Override
    protected Availability probe() {
        Kevent.Abi abi = Kevent.forOs(osName());
        SocketConstants constants = SocketConstants.forOs(osName());
        if (abi == null || constants == null) {
            return Availability.unavailable("not this operating system: kqueue needs macOS or FreeBSD, this is " + osName());
        }
        if (!Kevent.present()) {
            return Availability.unavailable("libc has no kqueue/kevent on this " + osName());
        }
        try {
            new KqueuePoller(1, abi).close();
            return Availability.yes();
        } catch (AsyncIoException e) {
            return Availability.unavailable(e.getMessage());
        }
    }

    @Override
    public String zeroCopy() {
        return "none: macOS and FreeBSD have no zero-copy socket send; sends copy";
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        String os = osName();
        Kevent.Abi abi = Kevent.forOs(os);
        SocketConstants constants = SocketConstants.forOs(os);
        return new Loop(NAME, config, ctx -> new ReadinessEngine(ctx, new KqueuePoller(config.maxEvents(), abi), constants));
    }
}
