package io.fasterapi.aio.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Per-request memory is made only as often as requests were out at once, whatever the slot numbers. */
class SlotLeasesTest {

    @Test
    void aGivenBackLeaseIsLentAgainToAnySlot() {
        AtomicInteger made = new AtomicInteger();
        SlotLeases<Object> leases = new SlotLeases<>(() -> {
            made.incrementAndGet();
            return new Object();
        });
        Object a = leases.lend(0);
        Object b = leases.lend(7);
        assertNotSame(a, b);
        leases.giveBack(7);
        leases.giveBack(7); // twice: nothing more to give back
        assertSame(b, leases.lend(1000), "reused at a slot far beyond the others");
        leases.giveBack(3); // held nothing
        for (int slot = 2000; slot < 12_000; slot++) {
            leases.lend(slot);
            leases.giveBack(slot);
        }
        assertEquals(3, made.get(), "10,000 sequential requests on as many slots made one more");
        assertEquals(3, leases.made());
    }
}
