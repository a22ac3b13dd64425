package io.fasterapi.aio.epoll;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.Locale;

/** The epoll backend's provider: available on Linux when the FFM bindings load and epoll works. */
public final class EpollProvider implements AsyncIoProvider {
    /** The backend's name. */
    public static final String NAME = "epoll";
    /** Below io_uring (higher is better), above portable fallbacks. */
    public static final int RANK = 100;

    private static volatile Availability availability;

    /** For ServiceLoader and OSGi. */
    public EpollProvider() {
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
            return Availability.unavailable("not this operating system: epoll is Linux-only, this is " + os);
        }
        try {
            new EpollPoller(1).close();
            return Availability.yes();
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access refused: run with --enable-native-access=io.fasterapi.aio.epoll"
                    + " (or ALL-UNNAMED on the class path): " + e.getMessage());
        } catch (AsyncIoException e) {
            return Availability.unavailable(e.getMessage());
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable("epoll binding failed to load: " + e);
        }
    }

    @Override
    public AsyncIo open(AsyncIoConfig config) {
        Availability a = availability();
        if (!a.available()) {
            throw new AsyncIoException("epoll is unavailable: " + a.reason(), 0);
        }
        return new EpollLoop(config);
    }
}
