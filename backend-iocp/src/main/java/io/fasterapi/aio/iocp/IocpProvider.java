package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The iocp provider. <b>Not implemented yet:</b> it registers so that {@code aio backends} and the
 * contract suite list it, and it always reports itself unavailable with the reason.
 */
public final class IocpProvider implements AsyncIoProvider {
    /** The backend's name. */
    public static final String NAME = "iocp";
    private static final Pattern OPERATING_SYSTEMS = Pattern.compile("^(windows).*");

    /** For ServiceLoader and OSGi. */
    public IocpProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "");
        if (!OPERATING_SYSTEMS.matcher(os.toLowerCase(Locale.ROOT)).matches()) {
            return Availability.unavailable("not this operating system: iocp needs Windows, this is " + os);
        }
        return Availability.unavailable("the IOCP backend is not implemented yet (issue #6)");
    }

    @Override
    public AsyncIo open(AsyncIoConfig config) {
        throw new AsyncIoException(NAME + " is unavailable: " + availability().reason(), 0);
    }
}
