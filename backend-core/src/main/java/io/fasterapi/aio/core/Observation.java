package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.core.jfr.LoopRecorder;
import io.fasterapi.aio.core.management.LoopRegistration;

/**
 * What a loop shows outside the process: its JFR events ({@link LoopRecorder}) and its MXBean
 * ({@link LoopRegistration}). Both modules are optional ({@code requires static}): where one is
 * absent, or not read by this module, its part is left out, and the loop works the same. The rare
 * events cost a null check when JFR is absent, and a disabled event's check when no recording
 * wants them; nothing here runs per operation.
 */
final class Observation {
    private static final boolean JFR = usable("jdk.jfr.FlightRecorder");
    private static final boolean JMX = usable("javax.management.MBeanServer");
    private final String backend;
    private final int loopNumber;
    private final AsyncIoConfig config;
    private final Counters counters;
    private final Operations ops;
    private final Handles handles;
    /** Null without JFR. */
    private final LoopRecorder recorder;
    /** Set on the thread that made the loop, cleared on the loop's thread when it closes. */
    private volatile LoopRegistration registration;

    Observation(String backend, int loopNumber, AsyncIoConfig config, Counters counters, Operations ops, Handles handles) {
        this.backend = backend;
        this.loopNumber = loopNumber;
        this.config = config;
        this.counters = counters;
        this.ops = ops;
        this.handles = handles;
        this.recorder = JFR ? new LoopRecorder(backend, loopNumber, counters::snapshot) : null;
    }

    /** Whether {@code className}'s module is present here and read by this one (always, on the class path and in OSGi). */
    private static boolean usable(String className) {
        try {
            Class<?> c = Class.forName(className, false, Observation.class.getClassLoader());
            return Observation.class.getModule().canRead(c.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The loop is open: periodic statistics, and the MXBean unless the configuration opts out. */
    void start() {
        if (recorder != null) recorder.start();
        if (JMX && config.jmx()) {
            registration = LoopRegistration.register(backend, loopNumber, counters::snapshot,
                    ops::pendingFromAnyThread, handles::openCountFromAnyThread);
        }
    }

    /** The loop has closed: the last statistics, and the MXBean removed. Never throws. */
    void close() {
        LoopRegistration r = registration;
        registration = null;
        if (r != null) r.unregister();
        if (recorder != null) recorder.close();
    }

    void handlerFailed(Throwable t) {
        if (recorder != null) recorder.handlerFailed(t);
    }

    /** An ACCEPT completed with {@code result} (negative). */
    void acceptFailed(long result) {
        if (recorder == null) return;
        if (result == -Errno.EMFILE.code() || result == -Errno.ENFILE.code()) {
            recorder.acceptDescriptorLimit(Errno.of((int) -result), handles.openCount(), config.maxHandles());
        }
    }

    void completionQueueOverflow(long dropped) {
        if (recorder != null) recorder.completionQueueOverflow(dropped);
    }
}
