package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The io_uring provider. <b>Not implemented yet:</b> it registers so that {@code aio backends} and the
 * contract suite list it, and it always reports itself unavailable with the reason.
 */
public final class IoUringProvider implements AsyncIoProvider {
    /** The backend's name. */
    public static final String NAME = "io_uring";
    private static final Pattern OPERATING_SYSTEMS = Pattern.compile("^(linux).*");

    /** For ServiceLoader and OSGi. */
    public IoUringProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "");
        if (!OPERATING_SYSTEMS.matcher(os.toLowerCase(Locale.ROOT)).matches()) {
            return Availability.unavailable("not this operating system: io_uring is Linux-only, this is " + os);
        }
        return Availability.unavailable("the io_uring backend is not implemented yet (issue #3); epoll serves Linux meanwhile");
    }

    @Override
    public AsyncIo open(AsyncIoConfig config) {
        throw new AsyncIoException(NAME + " is unavailable: " + availability().reason(), 0);
    }
}
