package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The part every provider shares: name and rank, availability probed once and kept (with the
 * cause when native access is refused or a binding cannot load), and {@link #open} refusing
 * with that reason.
 */
public abstract class AbstractProvider implements AsyncIoProvider {
    /**
     * The Felix SCR namespace in which an activate method may return the service properties
     * (standard DS cannot change them after registration): each backend's {@code @Component}
     * names it.
     */
    public static final String SCR_NAMESPACE = "http://felix.apache.org/xmlns/scr/v1.2.0-felix";
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

    /**
     * The OSGi service properties of this provider: {@code aio.backend} (name), {@code aio.rank},
     * {@code aio.available} and {@code aio.reason}, and {@code service.ranking} = rank. Declarative
     * Services registers the provider with them: {@link #activate()} returns them.
     */
    public final Map<String, Object> serviceProperties() {
        Availability a = availability();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("aio.backend", name);
        p.put("aio.rank", rank);
        p.put("aio.available", a.available());
        p.put("aio.reason", a.reason());
        p.put("service.ranking", rank);
        return p;
    }

    /**
     * Called by Declarative Services when the component activates (each backend's provider is a
     * DS component, see its {@code @Component}): probes availability and returns the service
     * properties, which Felix SCR applies to the registration ({@link #SCR_NAMESPACE}).
     */
    @org.osgi.service.component.annotations.Activate
    protected Map<String, Object> activate() {
        return serviceProperties();
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
