package io.fasterapi.aio.micrometer;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.LoopGroup;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Publishes the statistics of one loop, or of every loop of a {@link LoopGroup}, to a Micrometer
 * {@link MeterRegistry}, one {@link FunctionCounter} per counter of {@link IoStats}:
 *
 * <table>
 * <caption>Meters (Prometheus names in brackets)</caption>
 * <tr><th>meter</th><th>counts</th></tr>
 * <tr><td>{@code aio.accepts} ({@code aio_accepts_total})</td><td>ACCEPT completions</td></tr>
 * <tr><td>{@code aio.reads}, {@code aio.writes}, {@code aio.connects}</td><td>READ, WRITE, CONNECT completions</td></tr>
 * <tr><td>{@code aio.closes}, {@code aio.timers}</td><td>handles closed, TIMER completions</td></tr>
 * <tr><td>{@code aio.polls}, {@code aio.events}</td><td>waits on the kernel, events it returned</td></tr>
 * <tr><td>{@code aio.errors}, {@code aio.wakes}</td><td>negative completions and failed system calls, wake-ups</td></tr>
 * <tr><td>{@code aio.read.bytes}, {@code aio.written.bytes} ({@code aio_read_bytes_total}...)</td><td>bytes read and written (base unit bytes)</td></tr>
 * <tr><td>{@code aio.datagrams.received}, {@code aio.datagrams.sent}</td><td>datagrams</td></tr>
 * </table>
 *
 * <p>Each meter is tagged {@code backend} (the loop's {@link AsyncIo#backend()}) and {@code loop}
 * (its index in the group; {@code "0"} for a single loop), then with the tags given here, which
 * win over those two (name a lone loop with {@code Tags.of("loop", "http")}).
 *
 * <p>Nothing is counted per operation: the loop keeps its counters anyway, and a function counter
 * reads them, through the thread-safe {@link AsyncIo#stats()}, only when the registry is read (a
 * scrape). Each meter holds its loop weakly, as Micrometer's function meters do: binding does not
 * keep a discarded loop alive. A closed loop's meters keep its last values until {@link #close()}
 * removes them.
 *
 * <p>Two loops bound to one registry need tags that tell them apart (two single loops are both
 * {@code loop="0"}): Micrometer keeps the first meter of an id and ignores a second registration.
 * An application that replaces its loops closes the old binder and binds a new one.
 */
public final class AsyncIoMetrics implements MeterBinder, AutoCloseable {

    /** One counter of {@link IoStats} as a meter. */
    private record Counter(String name, String baseUnit, String description, ToLongFunction<IoStats> value) {
    }

    private static final List<Counter> COUNTERS = List.of(
            new Counter("aio.accepts", null, "ACCEPT completions", IoStats::accepts),
            new Counter("aio.reads", null, "READ completions", IoStats::reads),
            new Counter("aio.writes", null, "WRITE completions", IoStats::writes),
            new Counter("aio.connects", null, "CONNECT completions", IoStats::connects),
            new Counter("aio.closes", null, "Handles closed", IoStats::closes),
            new Counter("aio.timers", null, "TIMER completions", IoStats::timers),
            new Counter("aio.polls", null, "Waits on the kernel", IoStats::polls),
            new Counter("aio.events", null, "Events returned by the kernel", IoStats::events),
            new Counter("aio.errors", null, "Completions with a negative result and failed system calls", IoStats::errors),
            new Counter("aio.wakes", null, "Wake-ups received from other threads", IoStats::wakes),
            new Counter("aio.read.bytes", BaseUnits.BYTES, "Bytes delivered by READ completions", IoStats::bytesRead),
            new Counter("aio.written.bytes", BaseUnits.BYTES, "Bytes sent by WRITE completions", IoStats::bytesWritten),
            new Counter("aio.datagrams.received", null, "Datagrams received", IoStats::datagramsReceived),
            new Counter("aio.datagrams.sent", null, "Datagrams sent", IoStats::datagramsSent));

    private final List<AsyncIo> loops;
    private final Iterable<Tag> tags;
    /** What {@link #bindTo} registered, and where: {@link #close()} removes it. */
    private final List<Map.Entry<MeterRegistry, Meter>> registered = new CopyOnWriteArrayList<>();

    /** The meters of one loop, tagged {@code loop="0"}. */
    public AsyncIoMetrics(AsyncIo loop) {
        this(loop, Tags.empty());
    }

    /** The meters of one loop, tagged {@code loop="0"} and with {@code tags}. */
    public AsyncIoMetrics(AsyncIo loop, Iterable<Tag> tags) {
        this(List.of(loop), tags);
    }

    /** The meters of every loop of a group, each tagged with its index ({@code loop="0"}, {@code "1"}...). */
    public AsyncIoMetrics(LoopGroup group) {
        this(group, Tags.empty());
    }

    /** The meters of every loop of a group, each tagged with its index and with {@code tags}. */
    public AsyncIoMetrics(LoopGroup group, Iterable<Tag> tags) {
        this(group.loops(), tags);
    }

    private AsyncIoMetrics(List<AsyncIo> loops, Iterable<Tag> tags) {
        this.loops = List.copyOf(loops);
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    /** Registers the meters of every loop; any thread. */
    @Override
    public void bindTo(MeterRegistry registry) {
        for (int i = 0; i < loops.size(); i++) {
            AsyncIo loop = loops.get(i);
            Tags loopTags = Tags.of("backend", loop.backend(), "loop", Integer.toString(i)).and(tags);
            for (Counter c : COUNTERS) {
                Meter m = FunctionCounter.builder(c.name(), loop, io -> c.value().applyAsLong(io.stats()))
                        .description(c.description())
                        .baseUnit(c.baseUnit())
                        .tags(loopTags)
                        .register(registry);
                registered.add(Map.entry(registry, m));
            }
        }
    }

    /** Removes the meters this binder registered from every registry it was bound to; any thread. */
    @Override
    public void close() {
        for (Map.Entry<MeterRegistry, Meter> e : registered) e.getKey().remove(e.getValue());
        registered.clear();
    }
}
