package io.fasterapi.aio.tck;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A JFR recording of this JVM with the library's events enabled (statistics every 100 ms), read
 * as a stream: the events arrive here on the stream's thread, and a test waits for the ones it
 * expects (a recording flushes about once a second).
 */
final class JfrEvents implements AutoCloseable {
    static final String STATISTICS = "io.fasterapi.aio.LoopStatistics";
    static final String HANDLER_FAILED = "io.fasterapi.aio.HandlerFailed";
    static final String ACCEPT_LIMIT = "io.fasterapi.aio.AcceptDescriptorLimit";
    static final String OVERFLOW = "io.fasterapi.aio.CompletionQueueOverflow";
    static final String FALLBACK = "io.fasterapi.aio.BackendFallback";

    private final RecordingStream stream = new RecordingStream();
    private final List<RecordedEvent> events = new ArrayList<>();

    JfrEvents() {
        stream.setReuse(false); // the events are kept: the stream must not refill one object
        stream.enable(STATISTICS).withPeriod(Duration.ofMillis(100));
        for (String name : new String[] {HANDLER_FAILED, ACCEPT_LIMIT, OVERFLOW, FALLBACK}) {
            stream.enable(name);
            stream.onEvent(name, this::add);
        }
        stream.onEvent(STATISTICS, this::add);
        stream.startAsync(); // the recording runs once this returns; events are read on the stream's thread
    }

    private synchronized void add(RecordedEvent e) {
        events.add(e);
        notifyAll();
    }

    /** The events named {@code name} of loop {@code loop} received so far. */
    synchronized List<RecordedEvent> of(String name, int loop) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name) && e.getInt("loop") == loop).toList();
    }

    /** The events named {@code name} received so far. */
    synchronized List<RecordedEvent> of(String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    /** Waits until an event named {@code name} matching {@code match} has arrived; returns it. */
    synchronized RecordedEvent await(String name, Predicate<RecordedEvent> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TestLoop.TIMEOUT.toNanos();
        while (true) {
            for (RecordedEvent e : events) {
                if (e.getEventType().getName().equals(name) && match.test(e)) return e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) fail("timed out waiting for a JFR event " + name + ": " + what + "; received: " + events);
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        stream.close();
    }
}
