package io.fasterapi.aio.tck;

import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A handler that records every call (a snapshot of the event and the calling thread). */
public final class Completion implements CompletionHandler {
    private final List<IoEvent.Snapshot> events = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable then;

    public Completion() {
        this(null);
    }

    /** @param then run after recording each call, on the loop thread */
    public Completion(Runnable then) {
        this.then = then;
    }

    @Override
    public void completed(IoEvent event) {
        synchronized (this) {
            events.add(event.snapshot());
            threads.add(Thread.currentThread());
        }
        if (then != null) {
            then.run();
        }
    }

    public synchronized boolean done() {
        return !events.isEmpty();
    }

    public synchronized int calls() {
        return events.size();
    }

    public synchronized List<IoEvent.Snapshot> events() {
        return List.copyOf(events);
    }

    public synchronized Thread thread() {
        return threads.isEmpty() ? null : threads.getFirst();
    }

    /** The one event; fails unless the handler ran exactly once. */
    public synchronized IoEvent.Snapshot event() {
        if (events.size() != 1) {
            fail("expected exactly one completion, got " + events.size() + ": " + events);
        }
        return events.getFirst();
    }

    public long result() {
        return event().result();
    }

    /** Asserts one completion of {@code op} that succeeded, and returns its result. */
    public long assertSucceeded(Operation op) {
        IoEvent.Snapshot e = event();
        assertEquals(op, e.operation(), () -> "operation of " + e);
        assertTrue(e.result() >= 0, () -> "expected success, got " + e);
        return e.result();
    }

    /** Asserts one completion of {@code op} that failed with {@code error}. */
    public IoEvent.Snapshot assertFailed(Operation op, Errno error) {
        IoEvent.Snapshot e = event();
        assertEquals(op, e.operation(), () -> "operation of " + e);
        assertEquals(-error.code(), e.result(), () -> "expected -" + error + ", got " + e);
        return e;
    }

    @Override
    public synchronized String toString() {
        return "Completion" + events;
    }
}
