package io.fasterapi.aio.core.jfr;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import java.util.ArrayList;
import java.util.List;

/**
 * The one periodic JFR hook of {@link LoopStatisticsEvent} for every open loop. It is added only
 * once JFR has started (a recording, jcmd, JMC): adding a periodic event starts JFR's machinery,
 * about a quarter of a second the first time, which a process that records nothing must not pay
 * at its first loop. A listener waits for that start while loops are open; listener and hook go
 * when the last loop closes, so that nothing (inside an OSGi container, not the bundle's class
 * loader either) stays behind in JFR.
 *
 * <p>Locks, always taken in this order: {@code LISTENING}, JFR's own (it calls the listener
 * holding it), then this class's, which guards the loops and the hook. The periodic thread takes
 * this class's alone.
 */
final class PeriodicStatistics {
    private static final List<LoopRecorder> OPEN = new ArrayList<>();
    private static final Object LISTENING = new Object();
    private static final FlightRecorderListener STARTED = new FlightRecorderListener() {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            addHook();
        }
    };
    /** Guarded by LISTENING. */
    private static boolean listening;
    /** Guarded by the class. */
    private static Runnable hook;

    private PeriodicStatistics() {
    }

    static void add(LoopRecorder r) {
        synchronized (PeriodicStatistics.class) {
            OPEN.add(r);
        }
        listen();
    }

    static void remove(LoopRecorder r) {
        synchronized (PeriodicStatistics.class) {
            OPEN.remove(r);
        }
        listen();
    }

    /** Listens for JFR's start while loops are open (JFR calls back at once if it runs already); stops with the last. */
    private static void listen() {
        synchronized (LISTENING) {
            boolean any;
            synchronized (PeriodicStatistics.class) {
                any = !OPEN.isEmpty();
            }
            if (any && !listening) {
                listening = true;
                FlightRecorder.addListener(STARTED);
            } else if (!any && listening) {
                listening = false;
                FlightRecorder.removeListener(STARTED);
                removeHook();
            }
        }
    }

    private static synchronized void addHook() {
        if (hook != null || OPEN.isEmpty()) return;
        hook = PeriodicStatistics::emitAll;
        FlightRecorder.addPeriodicEvent(LoopStatisticsEvent.class, hook);
    }

    private static synchronized void removeHook() {
        if (hook == null) return;
        FlightRecorder.removePeriodicEvent(hook);
        hook = null;
    }

    private static synchronized List<LoopRecorder> open() {
        return List.copyOf(OPEN);
    }

    /** On JFR's periodic thread; each loop under its own lock, so a closing loop never waits for the others. */
    private static void emitAll() {
        for (LoopRecorder r : open()) r.periodic();
    }
}
