package io.fasterapi.aio;

import io.fasterapi.aio.jfr.FallbackRecorder;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Finds providers with ServiceLoader and picks one; behind {@link AsyncIo#create}. */
final class Providers {
    private Providers() {
    }

    /** Every provider, highest rank first; the scan runs each call so newly added providers are seen. */
    static List<AsyncIoProvider> find() {
        return find(new ArrayList<>());
    }

    /** As {@link #find()}, adding to {@code broken} the providers that failed to load, with the error. */
    static List<AsyncIoProvider> find(List<String> broken) {
        List<AsyncIoProvider> found = new ArrayList<>();
        ClassLoader[] loaders = {Thread.currentThread().getContextClassLoader(), AsyncIo.class.getClassLoader()};
        for (ClassLoader loader : loaders) {
            Iterator<AsyncIoProvider> it = ServiceLoader.load(AsyncIoProvider.class, loader).iterator();
            while (true) {
                AsyncIoProvider p;
                try {
                    if (!it.hasNext()) break;
                    p = it.next();
                } catch (ServiceConfigurationError e) {
                    // A broken provider must not hide the working ones; the iterator goes on to the next.
                    String why = e.getMessage() + (e.getCause() != null ? ": " + e.getCause() : "");
                    if (!broken.contains(why)) broken.add(why);
                    continue;
                }
                if (found.stream().noneMatch(q -> q.getClass() == p.getClass())) {
                    found.add(p);
                }
            }
        }
        found.sort(Comparator.comparingInt(AsyncIoProvider::rank).reversed().thenComparing(AsyncIoProvider::name));
        return found;
    }

    private static final System.Logger LOG = System.getLogger("io.fasterapi.aio");
    /** Fallbacks already reported: each is said once per process, not at every create(). */
    private static final Set<String> FALLBACK_SAID = ConcurrentHashMap.newKeySet();

    private static int rankOfBestAvailable(List<AsyncIoProvider> providers) {
        for (AsyncIoProvider p : providers) {
            if (availability(p).available()) return p.rank();
        }
        return Integer.MIN_VALUE;
    }

    static Availability availability(AsyncIoProvider p) {
        try {
            return p.availability();
        } catch (Throwable t) { // a provider that cannot even probe is unavailable, with the reason
            return Availability.unavailable("probe failed: " + t);
        }
    }

    static String zeroCopy(AsyncIoProvider p) {
        try {
            return p.zeroCopy();
        } catch (Throwable t) {
            return "none: the provider could not say (" + t + ")";
        }
    }

    static List<BackendInfo> describe() {
        List<BackendInfo> out = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (AsyncIoProvider p : find(broken)) {
            Availability a = availability(p);
            out.add(new BackendInfo(p.name(), p.rank(), a.available(), a.reason(), zeroCopy(p)));
        }
        for (String why : broken) {
            out.add(new BackendInfo("(broken provider)", Integer.MIN_VALUE, false, why));
        }
        return List.copyOf(out);
    }

    static AsyncIo open(AsyncIoConfig config) {
        List<AsyncIoProvider> providers = find();
        StringBuilder why = new StringBuilder();
        String best = null; // the best backend skipped as unavailable
        for (AsyncIoProvider p : providers) {
            if (config.backend() != null && !config.backend().equals(p.name())) {
                continue;
            }
            Availability a = availability(p);
            if (a.available()) {
                if (!why.isEmpty()) {
                    if (FALLBACK_SAID.add(p.name() + why)) {
                        LOG.log(System.Logger.Level.INFO, "io.fasterapi.aio: using " + p.name()
                                + " because a better backend is unavailable:" + why);
                    }
                    FallbackRecorder.fallback(best, p.name(), why.toString().strip()); // every time: a recording counts them
                }
                return p.open(config);
            }
            // Worth saying: the named backend, or one that would have beaten the backend chosen.
            if (config.backend() != null || p.rank() > rankOfBestAvailable(providers)) {
                why.append("\n  ").append(p.name()).append(": ").append(a.reason());
                if (best == null) best = p.name();
            }
        }
        if (config.backend() != null && why.isEmpty()) {
            throw new AsyncIoException("no backend named '" + config.backend() + "' was found; found: "
                    + providers.stream().map(AsyncIoProvider::name).toList(), 0);
        }
        throw new AsyncIoException(providers.isEmpty()
                ? "no io.fasterapi.aio backend found on the module or class path (add backend-epoll, backend-iouring...)"
                : "no available backend" + (config.backend() != null ? " named '" + config.backend() + "'" : "") + ":" + why, 0);
    }
}
