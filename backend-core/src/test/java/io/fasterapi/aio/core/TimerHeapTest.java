package io.fasterapi.aio.core;

import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The timer heap's order with equal deadlines. A contract test cannot make two deadlines equal
 * (each is read from System.nanoTime when the timer is scheduled), so the tie rule of
 * {@code AsyncIo.schedule}, "timers with the same deadline fire in the order they were scheduled",
 * is checked here on the heap itself: a binary heap is not stable, only the sequence number makes it so.
 */
class TimerHeapTest {

    private record Timer(int op, long deadline, int scheduled) {
    }

    @Test
    void equalDeadlinesComeOutInScheduleOrderThroughRemovals() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            Operations ops = new Operations(1, 16, 4096);
            TimerHeap heap = new TimerHeap(ops);
            List<Timer> live = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int op = ops.allocate(Operation.TIMER, -1, e -> { }, i);
                long deadline = 1_000 * (1 + random.nextInt(3)); // three deadlines, each shared by ~330 timers
                heap.add(op, deadline);
                live.add(new Timer(op, deadline, i));
                if (random.nextInt(4) == 0) { // cancel one anywhere in the heap
                    Timer gone = live.remove(random.nextInt(live.size()));
                    heap.remove(gone.op());
                }
            }
            live.sort(Comparator.comparingLong(Timer::deadline).thenComparingInt(Timer::scheduled));
            List<Integer> expected = live.stream().map(Timer::scheduled).toList();
            List<Integer> fired = new ArrayList<>();
            while (!heap.isEmpty()) {
                int op = heap.peek();
                heap.remove(op);
                fired.add((int) ops.userData[op]);
            }
            assertEquals(expected, fired, "round " + round + ": (deadline, schedule order)");
        }
    }
}
