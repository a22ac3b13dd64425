package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;

/**
 * The kqueue provider. <b>Not implemented yet:</b> it registers so that {@code aio backends} and the
 * contract suite list it, and it always reports itself unavailable with the reason.
 */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class KqueueProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "kqueue";

    /** For ServiceLoader and OSGi. */
    public KqueueProvider() {
        super(NAME, 100, "io.fasterapi.aio.kqueue");
    }

    @Override
    protected Availability probe() {
        if (!osIs("mac", "freebsd", "openbsd", "netbsd")) {
            return Availability.unavailable("not this operating system: kqueue needs macOS or a BSD, this is " + osName());
        }
        return Availability.unavailable("the kqueue backend is not implemented yet (issue #6)");
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        throw new AssertionError("never called: probe() never reports kqueue available");
    }
}
