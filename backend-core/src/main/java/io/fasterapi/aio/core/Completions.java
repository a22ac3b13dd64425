package io.fasterapi.aio.core;

import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * The delivery queue: completed operations wait here (linked through {@link Operations#next}) until
 * the loop's turn hands them to their handlers, so a handler never runs inside the call that
 * completed its operation. Delivery frees the slot first, counts the completion, and calls the
 * handler with the loop's one reusable event.
 */
final class Completions {
    private final Operations ops;
    private final Counters counters;
    private final List<BufferPool> pools;
    private final Consumer<Throwable> uncaught;
    private final Observation observation;
    private final MutableEvent event = new MutableEvent();
    private int head = -1;
    private int tail = -1;

    Completions(Operations ops, Counters counters, List<BufferPool> pools, Consumer<Throwable> uncaught,
                Observation observation) {
        this.ops = ops;
        this.counters = counters;
        this.pools = pools;
        this.uncaught = uncaught;
        this.observation = observation;
    }

    /** Whether completions wait for delivery. */
    boolean any() {
        return head >= 0;
    }

    /** Records the result of {@code op} (already out of its handle's queue) and queues it. */
    void add(int op, long result) {
        ops.result[op] = result;
        ops.state[op] = Operations.STATE_DONE;
        ops.next[op] = -1;
        if (tail < 0) {
            head = op;
        } else {
            ops.next[tail] = op;
        }
        tail = op;
    }

    boolean isEmpty() {
        return head < 0;
    }

    /** Delivers the completions queued when it starts (later ones wait for the next turn). */
    int deliver() {
        int last = tail;
        int n = 0;
        while (head >= 0) {
            int op = head;
            head = ops.next[op];
            if (head < 0) tail = -1;
            deliverOne(op);
            n++;
            if (op == last) break;
        }
        return n;
    }

    private void deliverOne(int op) {
        Operation kind = ops.kind(op);
        long result = ops.result[op];
        long handleId = ops.handleId[op];
        boolean more = ops.originId[op] != 0; // a chunk or notice of a receive that goes on
        long opId = more ? ops.originId[op] : ops.id(op);
        long data = ops.userData[op];
        CompletionHandler handler = ops.handler[op];
        ByteBuffer bb = ops.byteBuffer[op];
        ByteBuffer[] gathered = ops.gatherBuffers[op];
        int bufferId = ops.bufferId[op];
        int poolIndex = ops.pool[op];
        int flags = ops.resultFlags[op];
        boolean datagram = ops.datagram[op];
        if (datagram && bufferId >= 0 && ops.sender[op] != null) ops.sender[op].set(ops.chunkSender[op]); // a pool receive's sender
        ops.free(op);
        count(kind, result);
        if (datagram && result >= 0) counters.add(kind == Operation.READ ? Counters.DATAGRAMS_RECEIVED : Counters.DATAGRAMS_SENT, 1);
        if (bb != null && result > 0) bb.position(bb.position() + (int) result);
        if (gathered != null && result >= 0) {
            for (ByteBuffer b : gathered) b.position(b.limit()); // a gather write succeeds only whole
        }
        event.set(kind, handleId, opId, data, result, (more ? IoEvent.MORE : 0) | flags);
        if (bufferId >= 0) event.setBuffer(pools.get(poolIndex), bufferId, datagram ? io.fasterapi.aio.AsyncIo.POOL_DATAGRAM_OFFSET : 0);
        try {
            handler.completed(event);
        } catch (Throwable t) {
            report(t);
        }
    }

    private void count(Operation kind, long result) {
        Counters c = counters;
        switch (kind) {
            case ACCEPT -> c.add(Counters.ACCEPTS, 1);
            case READ -> {
                c.add(Counters.READS, 1);
                if (result > 0) c.add(Counters.BYTES_READ, result);
            }
            case WRITE -> {
                c.add(Counters.WRITES, 1);
                if (result > 0) c.add(Counters.BYTES_WRITTEN, result);
            }
            case CONNECT -> c.add(Counters.CONNECTS, 1);
            case TIMER -> c.add(Counters.TIMERS, 1);
            case CLOSE -> {
            }
        }
        if (result < 0) {
            c.add(Counters.ERRORS, 1);
            if (kind == Operation.ACCEPT) observation.acceptFailed(result);
        }
    }

    /** Runs a task or callback; what it throws goes to the uncaught handler. Returns 1 (one delivered). */
    int runSafely(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            report(t);
        }
        return 1;
    }

    private void report(Throwable t) {
        try {
            uncaught.accept(t);
        } catch (Throwable ignored) {
            // The uncaught handler itself failed; the loop must go on regardless.
        }
        try {
            observation.handlerFailed(t); // reads the exception's message and frames, which may throw too
        } catch (Throwable ignored) {
            // The event is lost; the loop goes on.
        }
    }
}
