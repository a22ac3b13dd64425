package io.fasterapi.aio.core.jfr;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import jdk.jfr.FlightRecorder;

import java.util.function.Supplier;

/**
 * One loop's JFR events: its statistics as deltas (periodically, through
 * {@link PeriodicStatistics}, and once more at {@link #close()}), and its rare events. Each
 * method does nothing unless a recording enables its event, and before JFR has started it does
 * not even make the event (the first event class loaded starts JFR's machinery, a tenth of a
 * second). Only loaded where {@code jdk.jfr} is usable (the caller checks).
 */
public final class LoopRecorder {
    private static final IoStats ZERO = new IoStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    private final String backend;
    private final int loop;
    private final Supplier<IoStats> stats;
    /** The counters up to the last statistics event; guarded by this. */
    private IoStats emitted = ZERO;
    private boolean closed;

    /**
     * @param stats the loop's counters, readable from any thread (the periodic events run on
     *              JFR's own thread)
     */
    public LoopRecorder(String backend, int loop, Supplier<IoStats> stats) {
        this.backend = backend;
        this.loop = loop;
        this.stats = stats;
    }

    /** The loop is open: its statistics are taken periodically from now on. */
    public void start() {
        PeriodicStatistics.add(this);
    }

    /** The loop closed (call on its thread, after its last count): the final statistics event, then no more. */
    public void close() {
        PeriodicStatistics.remove(this);
        synchronized (this) {
            if (closed) return;
            closed = true;
            emitStatistics(true);
        }
    }

    /** A periodic turn (JFR's thread): the deltas since the last event. */
    synchronized void periodic() {
        if (!closed) emitStatistics(false);
    }

    private void emitStatistics(boolean closing) {
        if (!FlightRecorder.isInitialized()) return; // no recording can want it
        LoopStatisticsEvent e = new LoopStatisticsEvent();
        if (!wanted(e)) return; // the deltas wait for the next event a recording takes
        IoStats now = stats.get();
        e.closing = closing;
        e.set(now.minus(emitted));
        e.commit();
        emitted = now;
    }

    /** A handler, task or callback threw {@code t}. */
    public void handlerFailed(Throwable t) {
        if (!FlightRecorder.isInitialized()) return; // no recording can want it
        HandlerFailedEvent e = new HandlerFailedEvent();
        if (!wanted(e)) return;
        e.exceptionClass = t.getClass();
        e.message = t.getMessage();
        StackTraceElement[] trace = t.getStackTrace();
        e.thrownAt = trace.length > 0 ? trace[0].toString() : null;
        e.commit();
    }

    /** An ACCEPT completed with {@code error} (EMFILE or ENFILE), {@code openHandles} of {@code maxHandles} open. */
    public void acceptDescriptorLimit(Errno error, int openHandles, int maxHandles) {
        if (!FlightRecorder.isInitialized()) return; // no recording can want it
        AcceptDescriptorLimitEvent e = new AcceptDescriptorLimitEvent();
        if (!wanted(e)) return;
        e.error = error.name();
        e.openHandles = openHandles;
        e.maxHandles = maxHandles;
        e.commit();
    }

    /** The kernel's completion queue overflowed; {@code dropped} completions were lost. */
    public void completionQueueOverflow(long dropped) {
        if (!FlightRecorder.isInitialized()) return; // no recording can want it
        CompletionQueueOverflowEvent e = new CompletionQueueOverflowEvent();
        if (!wanted(e)) return;
        e.dropped = dropped;
        e.commit();
    }

    /** Whether a recording wants {@code e}; if so, says which loop it is of. */
    private boolean wanted(LoopEvent e) {
        if (!e.shouldCommit()) return false;
        e.backend = backend;
        e.loop = loop;
        return true;
    }
}
