package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;

/**
 * The iocp provider. <b>Not implemented yet:</b> it registers so that {@code aio backends} and the
 * contract suite list it, and it always reports itself unavailable with the reason.
 */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class IocpProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "iocp";

    /** For ServiceLoader and OSGi. */
    public IocpProvider() {
        super(NAME, 100, "io.fasterapi.aio.iocp");
    }

    @Override
    protected Availability probe() {
        if (!osIs("windows")) {
            return Availability.unavailable("not this operating system: iocp needs Windows, this is " + osName());
        }
        return Availability.unavailable("the IOCP backend is not implemented yet (issue #6)");
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        throw new AssertionError("never called: probe() never reports iocp available");
    }
}
