package io.fasterapi.aio.jfr;

/**
 * Records a backend fallback as a JFR event ({@code io.fasterapi.aio.BackendFallback}) when the
 * {@code jdk.jfr} module is there; does nothing where it is not (a runtime image without it, or a
 * module graph that does not resolve it: the API only {@code requires static} it).
 */
public final class FallbackRecorder {
    /** Set once the event class failed to link: {@code jdk.jfr} is absent or not readable. */
    private static volatile boolean absent;

    private FallbackRecorder() {
    }

    /**
     * {@code AsyncIo.create()} chose {@code chosen} since {@code wanted} (the best found) and
     * perhaps others are unavailable, as {@code reason} says.
     */
    public static void fallback(String wanted, String chosen, String reason) {
        if (absent) return;
        try {
            // Loading an event class sets JFR's machinery going (0.1 to 0.3 s, a hundred classes):
            // not in a process that records nothing.
            if (!jdk.jfr.FlightRecorder.isInitialized()) return;
            BackendFallbackEvent.emit(wanted, chosen, reason);
        } catch (LinkageError noJfr) { // NoClassDefFoundError, or IllegalAccessError when the module does not read jdk.jfr
            absent = true;
        }
    }
}
