package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.Locale;

/** The io_uring backend's provider: ranks above epoll, available when {@link IoUringProbe} says so. */
public final class IoUringProvider implements AsyncIoProvider {
    /** The backend's name. */
    public static final String NAME = "io_uring";
    /** Above epoll (100). */
    public static final int RANK = 200;

    private static volatile Availability availability;

    /** For ServiceLoader and OSGi. */
    public IoUringProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            availability = a = probe();
        }
        return a;
    }

    private static Availability probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("not this operating system: io_uring is Linux-only, this is " + os);
        }
        try {
            return IoUringProbe.probe();
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access refused: run with --enable-native-access=io.fasterapi.aio.iouring"
                    + " (or ALL-UNNAMED on the class path): " + e.getMessage());
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable("io_uring binding failed to load: " + e);
        }
    }

    @Override
    public AsyncIo open(AsyncIoConfig config) {
        Availability a = availability();
        if (!a.available()) {
            throw new AsyncIoException("io_uring is unavailable: " + a.reason(), 0);
        }
        return new IoUringLoop(config);
    }
}
