package io.fasterapi.aio.core.jfr;

import jdk.jfr.FlightRecorder;

import java.util.ArrayList;
import java.util.List;

/**
 * The one periodic JFR hook of {@link LoopStatisticsEvent} for every open loop: added when the
 * first loop opens, removed when the last closes, so that no hook (nor, inside an OSGi container,
 * the bundle's class loader) stays behind.
 */
final class PeriodicStatistics {
    private static final List<LoopRecorder> OPEN = new ArrayList<>();
    private static Runnable hook;

    private PeriodicStatistics() {
    }

    static synchronized void add(LoopRecorder r) {
        if (OPEN.isEmpty()) {
            hook = PeriodicStatistics::emitAll;
            FlightRecorder.addPeriodicEvent(LoopStatisticsEvent.class, hook);
        }
        OPEN.add(r);
    }

    static synchronized void remove(LoopRecorder r) {
        if (OPEN.remove(r) && OPEN.isEmpty()) {
            FlightRecorder.removePeriodicEvent(hook);
            hook = null;
        }
    }

    private static synchronized List<LoopRecorder> open() {
        return List.copyOf(OPEN);
    }

    /** On JFR's periodic thread; each loop under its own lock, so a closing loop never waits for the others. */
    private static void emitAll() {
        for (LoopRecorder r : open()) r.periodic();
    }
}
