package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.Locale;

/**
 * The part every provider shares: name and rank, availability probed once and kept (with the
 * cause when native access is refused or a binding cannot load), and {@link #open} refusing
 * with that reason.
 */
public abstract class AbstractProvider implements AsyncIoProvider {
    private final String name;
    private final int rank;
    private final String module;
    private volatile Availability availability;

    /**
     * @param module the JPMS module that makes the native calls, named in the message when
     *               native access is refused
     */
    protected AbstractProvider(String name, int rank, String module) {
        this.name = name;
        this.rank = rank;
        this.module = module;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int rank() {
        return rank;
    }

    @Override
    public final Availability availability() {
        Availability a = availability;
        if (a == null) {
            availability = a = probeSafely();
        }
        return a;
    }

    private Availability probeSafely() {
        try {
            return probe();
        } catch (IllegalCallerException e) {
            return Availability.unavailable("native access refused: run with --enable-native-access=" + module
                    + " (or ALL-UNNAMED on the class path): " + e.getMessage());
        } catch (LinkageError | RuntimeException e) {
            return Availability.unavailable(name + " binding failed to load: " + e);
        }
    }

    /** Whether this backend can run here; may throw, which counts as unavailable with the cause. */
    protected abstract Availability probe();

    /** Creates a loop; called only when available. */
    protected abstract AsyncIo create(AsyncIoConfig config);

    @Override
    public final AsyncIo open(AsyncIoConfig config) {
        Availability a = availability();
        if (!a.available()) {
            throw new AsyncIoException(name + " is unavailable: " + a.reason(), 0);
        }
        return create(config);
    }

    /** The running operating system's name as Java reports it ("Linux", "Mac OS X", "Windows 11"). */
    protected static String osName() {
        return System.getProperty("os.name", "");
    }

    /** Whether the running operating system's name starts with one of {@code prefixes} (any case). */
    protected static boolean osIs(String... prefixes) {
        String os = osName().toLowerCase(Locale.ROOT);
        for (String p : prefixes) {
            if (os.startsWith(p)) return true;
        }
        return false;
    }
}
