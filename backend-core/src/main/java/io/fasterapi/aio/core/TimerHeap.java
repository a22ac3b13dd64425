package io.fasterapi.aio.core;

import io.fasterapi.aio.Errno;

import java.util.Arrays;

/**
 * A binary min-heap of timer operations ordered by (deadline, sequence), so equal deadlines fire
 * in the order they were scheduled. Stores slot indexes; the keys live in {@link Operations}.
 */
final class TimerHeap {
    private final Operations ops;
    private int[] heap = new int[64];
    private int size;
    private long sequence;

    TimerHeap(Operations ops) {
        this.ops = ops;
    }

    void add(int op, long deadline) {
        ops.deadline[op] = deadline;
        ops.sequence[op] = sequence++;
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = op;
        ops.heapIndex[op] = size;
        siftUp(size++);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    int peek() {
        return heap[0];
    }

    long nextDeadline() {
        return ops.deadline[heap[0]];
    }

    /** Removes a timer wherever it is; no-op when it is not in the heap. */
    void remove(int op) {
        int i = ops.heapIndex[op];
        if (i < 0) return;
        ops.heapIndex[op] = -1;
        int last = heap[--size];
        if (i == size) return;
        heap[i] = last;
        ops.heapIndex[last] = i;
        siftDown(i);
        siftUp(ops.heapIndex[last]);
    }

    private boolean less(int a, int b) {
        long da = ops.deadline[a], db = ops.deadline[b];
        return da != db ? da - db < 0 : ops.sequence[a] < ops.sequence[b];
    }

    private void siftUp(int i) {
        int op = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(op, heap[parent])) break;
            heap[i] = heap[parent];
            ops.heapIndex[heap[i]] = i;
            i = parent;
        }
        heap[i] = op;
        ops.heapIndex[op] = i;
    }

    private void siftDown(int i) {
        int op = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && less(heap[child + 1], heap[child])) child++;
            if (!less(heap[child], op)) break;
            heap[i] = heap[child];
            ops.heapIndex[heap[i]] = i;
            i = child;
        }
        heap[i] = op;
        ops.heapIndex[op] = i;
    }

    /** Completes every timer due at {@code now} with 0, soonest first. */
    void expire(long now, Completions done) {
        while (!isEmpty() && nextDeadline() - now <= 0) {
            int op = peek();
            remove(op);
            done.add(op, 0);
        }
    }

    /** Completes every timer with ECANCELED (the loop closes). */
    void cancelAll(Completions done) {
        while (!isEmpty()) {
            int op = peek();
            remove(op);
            done.add(op, -Errno.ECANCELED.code());
        }
    }

    /** {@code wait} (nanoseconds, -1: no limit) shortened to the next deadline. */
    long waitNanos(long wait, long now) {
        if (isEmpty()) return wait;
        long ns = Math.max(0, nextDeadline() - now);
        return wait < 0 ? ns : Math.min(wait, ns);
    }
}
