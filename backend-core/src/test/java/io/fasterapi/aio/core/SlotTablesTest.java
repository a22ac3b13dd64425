package io.fasterapi.aio.core;

import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotTablesTest {

    @Test
    void idsRoundTripAndArePositive() {
        long id = Ids.make(Ids.POOL, Ids.LOOP_MASK, Ids.GEN_MASK, Ids.INDEX_MASK);
        assertTrue(id > 0);
        assertEquals(Ids.POOL, Ids.kind(id));
        assertEquals(Ids.LOOP_MASK, Ids.loop(id));
        assertEquals(Ids.GEN_MASK, Ids.generation(id));
        assertEquals(Ids.INDEX_MASK, Ids.index(id));
        assertEquals(1, Ids.nextGeneration(Ids.GEN_MASK), "generation wraps past 0");
    }

    @Test
    void anOperationIdIsNeverAHandleId() {
        Handles h = new Handles(3, 2, 16);
        Operations ops = new Operations(3, 2, 16);
        int hi = h.allocate(Handles.KIND_STREAM, 10);
        int oi = ops.allocate(io.fasterapi.aio.Operation.READ, hi, e -> { }, 0);
        assertEquals(hi, oi, "same slot index and generation in both tables");
        assertNotEquals(h.id(hi), ops.id(oi), "but different ids");
        assertEquals(-1, ops.lookup(h.id(hi)), "a handle id finds no operation");
        assertEquals(-1, h.lookup(ops.id(oi)), "an operation id finds no handle");
    }

    @Test
    void reusedHandleSlotMakesTheOldIdStale() {
        Handles h = new Handles(3, 2, 16);
        int a = h.allocate(Handles.KIND_STREAM, 10);
        long oldId = h.id(a);
        assertEquals(a, h.lookup(oldId));
        h.free(a);
        int b = h.allocate(Handles.KIND_STREAM, 10);
        assertEquals(a, b, "the slot is reused");
        assertEquals(-1, h.lookup(oldId), "the old id no longer reaches the slot");
        assertNotEquals(oldId, h.id(b));
    }

    @Test
    void handleTableGrowsToItsLimitAndNoFurther() {
        Handles h = new Handles(1, 2, 5);
        for (int i = 0; i < 5; i++) assertEquals(i, h.allocate(Handles.KIND_STREAM, i));
        assertEquals(-1, h.allocate(Handles.KIND_STREAM, 99));
        assertEquals(5, h.openCount());
    }

    @Test
    void operationSlotsAreReusedWithoutGrowingInSteadyState() {
        Operations ops = new Operations(1, 4, 1 << 10);
        for (int round = 0; round < 1000; round++) {
            int a = ops.allocate(Operation.READ, 0, e -> { }, round);
            int b = ops.allocate(Operation.WRITE, 0, e -> { }, round);
            ops.free(a);
            ops.free(b);
        }
        assertEquals(4, ops.generation.length, "no growth when at most two operations are in flight");
        assertEquals(0, ops.inFlight());
    }

    @Test
    void timerHeapPopsInDeadlineThenScheduleOrder() {
        Operations ops = new Operations(1, 8, 1 << 16);
        TimerHeap heap = new TimerHeap(ops);
        Random rnd = new Random(42);
        List<long[]> expected = new ArrayList<>();
        List<Integer> cancelled = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int op = ops.allocate(Operation.TIMER, -1, e -> { }, i);
            long deadline = rnd.nextInt(100); // many equal deadlines
            heap.add(op, deadline);
            if (i % 7 == 0) cancelled.add(op); else expected.add(new long[] {deadline, i, op});
        }
        for (int op : cancelled) heap.remove(op);
        expected.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        for (long[] e : expected) {
            int op = heap.peek();
            heap.remove(op);
            assertEquals(e[2], op);
        }
        assertTrue(heap.isEmpty());
    }
}
