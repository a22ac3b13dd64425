package io.fasterapi.aio.container;

import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tracks every {@link AsyncIoProvider} service (each backend bundle registers one) and names the
 * best: the preferred backend when one is chosen ({@code aio:use}) and available, else the
 * available provider of highest rank. Listeners hear of every change on the thread that made it,
 * before it completes: when a backend bundle stops, its servers are moved off it before its
 * classes go away.
 */
@Component(service = BackendSelector.class, immediate = true)
public final class BackendSelector {
    /** Told that the set of providers, or the preference, changed. */
    public interface Listener {
        /** Called on the thread that changed the selection; must finish what depends on the old provider. */
        void selectionChanged();
    }

    private final List<AsyncIoProvider> providers = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile String preferred;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addProvider(AsyncIoProvider provider) {
        providers.add(provider);
        changed();
    }

    void removeProvider(AsyncIoProvider provider) {
        providers.remove(provider);
        changed();
    }

    private void changed() {
        for (Listener l : listeners) {
            l.selectionChanged();
        }
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** The provider new loops should use, or empty when none is available. */
    public Optional<AsyncIoProvider> best() {
        List<AsyncIoProvider> ranked = ranked();
        String want = preferred;
        if (want != null) {
            for (AsyncIoProvider p : ranked) {
                if (p.name().equals(want) && p.availability().available()) return Optional.of(p);
            }
        }
        return ranked.stream().filter(p -> p.availability().available()).findFirst();
    }

    /**
     * Prefers {@code name} (or none with {@code null}) and moves servers to it when it is available.
     *
     * @return why it cannot be used now, or {@code null} when it is the selection
     */
    public String prefer(String name) {
        preferred = name;
        changed();
        if (name == null) return null;
        Optional<AsyncIoProvider> p = providers.stream().filter(x -> x.name().equals(name)).findFirst();
        if (p.isEmpty()) return "no backend named " + name + " is installed";
        Availability a = p.get().availability();
        return a.available() ? null : name + " is unavailable: " + a.reason();
    }

    public String preferred() {
        return preferred;
    }

    /** Every tracked provider, best first, as {@code aio backends} shows it. */
    public List<BackendInfo> backends() {
        List<BackendInfo> out = new ArrayList<>();
        for (AsyncIoProvider p : ranked()) {
            Availability a = p.availability();
            out.add(new BackendInfo(p.name(), p.rank(), a.available(), a.reason(), zeroCopyOf(p)));
        }
        return out;
    }

    private List<AsyncIoProvider> ranked() {
        List<AsyncIoProvider> list = new ArrayList<>(providers);
        list.sort(Comparator.comparingInt(AsyncIoProvider::rank).reversed().thenComparing(AsyncIoProvider::name));
        return list;
    }

    private static String zeroCopyOf(AsyncIoProvider p) {
        try {
            return p.zeroCopy();
        } catch (RuntimeException e) {
            return "none: the provider could not say (" + e + ")";
        }
    }
}
