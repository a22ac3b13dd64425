package io.fasterapi.aio.iocp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-slot OVERLAPPED blocks: addresses that lead back to their slot and never move. */
class OverlappedTableTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void everyOverlappedAddressLeadsBackToItsSlotAcrossGrowth() {
        OverlappedTable t = new OverlappedTable(arena, 16);
        long first = t.overlapped(0);
        Set<Long> addresses = new HashSet<>();
        for (int slot = 0; slot < 200; slot++) {
            long a = t.overlapped(slot);
            assertTrue(addresses.add(a), "distinct blocks");
            assertEquals(0, a % 8, "aligned for the kernel");
            assertEquals(slot, t.slotOf(a));
        }
        assertTrue(t.capacity() >= 200);
        assertEquals(first, t.overlapped(0), "growing never moves a block the kernel may hold");
    }

    @Test
    void addressesThatAreNoBlockMapToNoSlot() {
        OverlappedTable t = new OverlappedTable(arena, 16);
        long a = t.overlapped(3);
        assertEquals(-1, t.slotOf(0), "NULL (a posted wake-up)");
        assertEquals(-1, t.slotOf(a + 8), "inside a block");
        assertEquals(-1, t.slotOf(a - OverlappedTable.BLOCK_SIZE * 1000), "outside the table");
        assertEquals(-1, t.slotOf(arena.allocate(64).address()), "other memory");
    }

    @Test
    void prepareZeroesTheOverlappedAndRecordsTheOperation() {
        OverlappedTable t = new OverlappedTable(arena, 16);
        MemorySegment b = t.block(5);
        b.set(JAVA_LONG, Winsock.OV_INTERNAL, 0xC0000120L); // what the kernel left from the last request
        b.set(JAVA_LONG, Winsock.OV_INTERNAL_HIGH, 77);
        b.set(JAVA_LONG, Winsock.OV_EVENT, 1);
        t.prepare(5, 0x1234_5678L);
        assertEquals(0, b.get(JAVA_LONG, Winsock.OV_INTERNAL));
        assertEquals(0, b.get(JAVA_LONG, Winsock.OV_INTERNAL_HIGH));
        assertEquals(0, b.get(JAVA_LONG, Winsock.OV_EVENT), "no event: completions go to the port");
        assertEquals(0x1234_5678L, t.operation(5));
    }

    @Test
    void acceptBuffersAreMadeOncePerSlotAndKept() {
        OverlappedTable t = new OverlappedTable(arena, 16);
        MemorySegment a = t.acceptAddresses(40);
        assertEquals(2L * (128 + 16), a.byteSize(), "two addresses, each sizeof(SOCKADDR_STORAGE) + 16");
        assertSame(a, t.acceptAddresses(40));
        assertNotSame(a, t.acceptAddresses(41));
        assertEquals(Winsock.INVALID_SOCKET, t.acceptSocket(40));
        t.setAcceptSocket(40, 99);
        assertEquals(99, t.acceptSocket(40));
        assertEquals(Winsock.INVALID_SOCKET, t.acceptSocket(10_000), "beyond the table: none");
    }
}
