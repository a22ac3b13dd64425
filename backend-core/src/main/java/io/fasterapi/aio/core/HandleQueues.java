package io.fasterapi.aio.core;

/**
 * The two FIFO queues of pending operations each handle has — reads and accepts; connects and
 * writes — linked through {@link Operations#next}, heads and tails kept in {@link Handles}.
 */
final class HandleQueues {
    private final Handles handles;
    private final Operations ops;

    HandleQueues(Handles handles, Operations ops) {
        this.handles = handles;
        this.ops = ops;
    }

    void addRead(int h, int op) {
        if (handles.readTail[h] < 0) {
            handles.readHead[h] = op;
        } else {
            ops.next[handles.readTail[h]] = op;
        }
        handles.readTail[h] = op;
    }

    void addWrite(int h, int op) {
        if (handles.writeTail[h] < 0) {
            handles.writeHead[h] = op;
        } else {
            ops.next[handles.writeTail[h]] = op;
        }
        handles.writeTail[h] = op;
    }

    /** Removes and returns the head of {@code h}'s read queue, or -1. */
    int pollRead(int h) {
        int op = handles.readHead[h];
        if (op >= 0) {
            handles.readHead[h] = ops.next[op];
            if (handles.readHead[h] < 0) handles.readTail[h] = -1;
            ops.next[op] = -1;
        }
        return op;
    }

    /** Removes and returns the head of {@code h}'s write queue, or -1. */
    int pollWrite(int h) {
        int op = handles.writeHead[h];
        if (op >= 0) {
            handles.writeHead[h] = ops.next[op];
            if (handles.writeHead[h] < 0) handles.writeTail[h] = -1;
            ops.next[op] = -1;
        }
        return op;
    }

    /** Removes {@code op} from whichever queue of {@code h} holds it. */
    void unlink(int h, int op) {
        if (!unlinkFrom(h, op, true)) unlinkFrom(h, op, false);
    }

    private boolean unlinkFrom(int h, int op, boolean readQueue) {
        int prev = -1;
        int cur = readQueue ? handles.readHead[h] : handles.writeHead[h];
        while (cur >= 0 && cur != op) {
            prev = cur;
            cur = ops.next[cur];
        }
        if (cur < 0) return false;
        int after = ops.next[op];
        if (prev < 0) {
            if (readQueue) handles.readHead[h] = after; else handles.writeHead[h] = after;
        } else {
            ops.next[prev] = after;
        }
        if (after < 0) {
            if (readQueue) handles.readTail[h] = prev; else handles.writeTail[h] = prev;
        }
        ops.next[op] = -1;
        return true;
    }
}
