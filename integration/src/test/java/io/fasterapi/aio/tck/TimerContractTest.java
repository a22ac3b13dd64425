package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** schedule() and cancel() of timers. */
class TimerContractTest {

    private record Fired(IoEvent.Snapshot event, long firedAt) {
    }

    @ContractTest
    void timersFireInDeadlineOrder(Backend backend) {
        int n = 20;
        long spacing = 10_000_000; // 10 ms between deadlines: far more than scheduling 20 timers takes
        List<Integer> slots = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(slots, new Random(42));
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            List<Fired> fired = new ArrayList<>();
            long[] scheduledAt = new long[n];
            long[] ids = new long[n];
            for (int slot : slots) { // scheduled in shuffled order
                scheduledAt[slot] = System.nanoTime();
                ids[slot] = io.schedule(slot * spacing, e -> fired.add(new Fired(e.snapshot(), System.nanoTime())), slot);
            }
            loop.await(n + " timers", () -> fired.size() == n);
            List<Long> order = fired.stream().map(f -> f.event().userData()).toList();
            // The deadlines as scheduled (the clock read just before each call; 10 ms apart unless
            // the scheduling thread stalled, which this order then accounts for).
            List<Long> byDeadline = indexes(n).stream()
                    .sorted(java.util.Comparator.comparingLong(i -> scheduledAt[(int) (long) i] + i * spacing)).toList();
            assertEquals(byDeadline, order, "timers fire in deadline order");
            for (Fired f : fired) {
                int slot = (int) f.event().userData();
                assertEquals(Operation.TIMER, f.event().operation());
                assertEquals(0, f.event().result(), "TIMER result");
                assertEquals(0, f.event().handle(), "TIMER handle is 0");
                assertEquals(ids[slot], f.event().operationId(), "TIMER operation id is the one schedule() returned");
                long waited = f.firedAt() - scheduledAt[slot];
                assertTrue(waited >= slot * spacing, "timer " + slot + " fired after " + waited + " ns, before its delay of "
                        + slot * spacing + " ns");
            }
            loop.pollFor(Duration.ofMillis(20));
            assertEquals(n, fired.size(), "each timer fires once");
        }
    }

    /**
     * Timers scheduled back to back with one delay have rising deadlines and fire in the order
     * they were scheduled. (Equal deadlines cannot be made from here, as each is read from the
     * clock when scheduled: the tie rule is TimerHeapTest's, in backend-core.)
     */
    @ContractTest
    void timersScheduledBackToBackWithOneDelayFireInScheduleOrder(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            List<Long> order = new ArrayList<>();
            int n = 200;
            for (int i = 0; i < n; i++) {
                io.schedule(i < n / 2 ? 0 : 20_000_000, e -> order.add(e.userData()), i);
            }
            loop.await(n + " timers", () -> order.size() == n);
            assertEquals(indexes(n), order, "timers with the same delay fire in the order they were scheduled");
        }
    }

    @ContractTest
    void cancelledTimerNeverFires(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Completion a = new Completion();
            Completion b = new Completion();
            Completion c = new Completion();
            long idA = io.schedule(30_000_000, a, 1);
            long idB = io.schedule(30_000_000, b, 2);
            io.schedule(60_000_000, c, 3);
            assertTrue(io.cancel(idB), "cancel of a pending timer returns true");
            assertFalse(io.cancel(idB), "a second cancel of the same timer returns false");
            loop.await("the later timer", c::done);
            loop.pollFor(Duration.ofMillis(30));
            assertEquals(0, a.result(), "the other timer with the same deadline still fires");
            assertEquals(0, c.result());
            IoEvent.Snapshot e = b.assertFailed(Operation.TIMER, Errno.ECANCELED); // exactly once, never with 0
            assertEquals(idB, e.operationId());
            assertEquals(2, e.userData());
            assertFalse(io.cancel(idA), "cancel of a timer that already fired returns false");
            loop.pollFor(Duration.ofMillis(10));
            assertEquals(1, a.calls(), "a fired timer is not completed again by a late cancel");
        }
    }

    @ContractTest
    void cancelledTimerOfZeroDelayNeverFires(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Completion b = new Completion();
            Completion after = new Completion();
            long id = io.schedule(0, b, 0); // due at once, but no poll ran yet
            io.schedule(5_000_000, after, 0);
            assertTrue(io.cancel(id));
            loop.await("a later timer", after::done);
            loop.pollFor(Duration.ofMillis(10));
            b.assertFailed(Operation.TIMER, Errno.ECANCELED);
        }
    }

    private static List<Long> indexes(int n) {
        return java.util.stream.LongStream.range(0, n).boxed().toList();
    }

    /**
     * Waits are as precise as the kernel allows (issue #13, item 5): a timer due in 200 µs fires
     * well under a millisecond later on Linux (epoll_pwait2, io_uring's timespec) and with kqueue.
     * Before, every wait was rounded up to whole milliseconds, so no such timer fired under 1 ms.
     * IOCP waits in milliseconds: there the timer must only not fire early. The bound is generous
     * for a shared machine, where a busy neighbour delays any wake-up: of 21 timers, the quickest
     * must fire under 900 µs (a wait rounded up to a millisecond never does); the median is printed.
     */
    @ContractTest
    void aTimerDueIn200MicrosecondsFiresWellUnderAMillisecondLater(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long[] late = new long[21];
            for (int i = 0; i < late.length; i++) {
                long[] firedAt = {0};
                long start = System.nanoTime();
                io.schedule(200_000, e -> firedAt[0] = System.nanoTime(), 0);
                while (firedAt[0] == 0) io.poll(java.time.Duration.ofSeconds(1));
                late[i] = firedAt[0] - start;
                assertTrue(late[i] >= 200_000, "fired early: after " + late[i] + " ns");
            }
            java.util.Arrays.sort(late);
            long median = late[late.length / 2];
            System.out.println("[TIMER] " + backend.name() + ": a 200 µs timer fired after " + median / 1000
                    + " µs (median of " + late.length + "; min " + late[0] / 1000 + ", max " + late[late.length - 1] / 1000 + ")");
            if (backend.name().equals("iocp")) return; // milliseconds: only "never early" applies
            assertTrue(late[0] < 900_000, "the quickest of 21 timers due in 200 µs fired after " + late[0] / 1000 + " µs (all, sorted: "
                    + java.util.Arrays.toString(java.util.Arrays.stream(late).map(x -> x / 1000).toArray()) + " µs)");
        }
    }
}
