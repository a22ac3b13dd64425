package io.fasterapi.aio.container;

import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.IoStats;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import java.util.List;
import java.util.Locale;

/**
 * The Gogo shell commands: {@code aio:backends} (every backend, available or not and why),
 * {@code aio:stats} (each server's backend, address and loop counters), {@code aio:use NAME}
 * (prefer a backend; {@code aio:use auto} returns to the best available).
 */
@Component(service = AioCommands.class, property = {
        "osgi.command.scope=aio",
        "osgi.command.function=backends",
        "osgi.command.function=stats",
        "osgi.command.function=use"})
public final class AioCommands {
    @Reference
    private BackendSelector selector;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ServerStatus> servers;

    /** {@code aio:backends}. */
    public String backends() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-9s %5s  %-9s  %s%n", "BACKEND", "RANK", "AVAILABLE", "REASON"));
        for (BackendInfo i : selector.backends()) {
            b.append(String.format(Locale.ROOT, "%-9s %5d  %-9s  %s%n", i.name(), i.rank(), i.available() ? "yes" : "no", i.reason()));
        }
        b.append("zero-copy sends (AsyncIoConfig.zeroCopy):").append(System.lineSeparator());
        for (BackendInfo i : selector.backends()) {
            b.append(String.format(Locale.ROOT, "  %-9s %s%n", i.name(), i.zeroCopy()));
        }
        b.append("selected: ").append(selector.best().map(p -> p.name()).orElse("(none available)"));
        if (selector.preferred() != null) b.append(" (preferred: ").append(selector.preferred()).append(')');
        return b.toString();
    }

    /** {@code aio:stats}. */
    public String stats() {
        StringBuilder b = new StringBuilder();
        for (ServerStatus s : servers) {
            b.append(s.name()).append(": ");
            if (s.backend() == null) {
                b.append("not serving").append(s.problem() != null ? " (" + s.problem() + ")" : "").append('\n');
                continue;
            }
            b.append(s.backend()).append(" on ").append(s.address()).append(", ").append(s.openConnections())
                    .append(" connections open, moved ").append(s.moves()).append(" times\n");
            IoStats st = s.stats();
            if (st != null) b.append("  ").append(st).append('\n');
        }
        return b.isEmpty() ? "no servers" : b.toString().stripTrailing();
    }

    /** {@code aio:use NAME} or {@code aio:use auto}. */
    public String use(String name) {
        String why = selector.prefer("auto".equals(name) ? null : name);
        return why == null ? "selected: " + selector.best().map(p -> p.name()).orElse("(none available)") : why;
    }
}
