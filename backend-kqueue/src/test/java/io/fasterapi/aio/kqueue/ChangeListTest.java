package io.fasterapi.aio.kqueue;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change list as the kernel will read it: entries are checked by reading raw bytes at the
 * header offsets (ident 0, filter 8, flags 10, fflags 12, data 16, udata 24; stride 32 on macOS,
 * 64 on FreeBSD), not through the accessors that wrote them.
 */
class ChangeListTest {

    private record Entry(long ident, short filter, int flags, int fflags, long data, long udata) {
    }

    private static Entry raw(MemorySegment list, long stride, int i) {
        long b = i * stride;
        return new Entry(list.get(JAVA_LONG, b), list.get(JAVA_SHORT, b + 8),
                Short.toUnsignedInt(list.get(JAVA_SHORT, b + 10)), list.get(JAVA_INT, b + 12),
                list.get(JAVA_LONG, b + 16), list.get(JAVA_LONG, b + 24));
    }

    @Test
    void aRegistrationIsReadAndWriteEdgeTriggeredWithTheTokenInUdata() {
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate(abi.layout, 8);
                ChangeList list = new ChangeList(abi, seg);
                assertTrue(list.addRegistration(17, 0x1_0000_0005L));
                assertTrue(list.addRegistration(18, 0x2_0000_0006L));
                assertEquals(4, list.count());
                assertEquals(new Entry(17, (short) -1, 0x21, 0, 0, 0x1_0000_0005L), raw(seg, abi.size, 0), abi.os);
                assertEquals(new Entry(17, (short) -2, 0x21, 0, 0, 0x1_0000_0005L), raw(seg, abi.size, 1), abi.os);
                assertEquals(new Entry(18, (short) -1, 0x21, 0, 0, 0x2_0000_0006L), raw(seg, abi.size, 2), abi.os);
                assertEquals(new Entry(18, (short) -2, 0x21, 0, 0, 0x2_0000_0006L), raw(seg, abi.size, 3), abi.os);
                if (abi == Kevent.FREEBSD) {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(0L, seg.get(JAVA_LONG, 64 + 32 + 8L * k), "ext[" + k + "] stays zero");
                    }
                }
            }
        }
    }

    @Test
    void aFullListRefusesWithoutWritingHalfARegistration() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.DARWIN.layout, 3);
            ChangeList list = new ChangeList(Kevent.DARWIN, seg);
            assertEquals(3, list.capacity());
            assertTrue(list.addRegistration(5, 1));
            assertFalse(list.addRegistration(6, 2), "one entry left: a registration needs two");
            assertEquals(2, list.count());
            assertTrue(list.add(9, Kevent.DARWIN.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0));
            assertFalse(list.add(9, Kevent.DARWIN.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0));
            assertEquals(new Entry(9, (short) -10, 1, 0x01000000, 0, 0), raw(seg, 32, 2));
            list.clear();
            assertEquals(0, list.count());
            assertTrue(list.addRegistration(6, 2));
        }
    }

    @Test
    void forgettingADescriptorDropsItsChangesAndKeepsTheOrderOfTheRest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.FREEBSD.layout, 16);
            ChangeList list = new ChangeList(Kevent.FREEBSD, seg);
            list.addRegistration(4, 40);
            list.addRegistration(5, 50);
            list.add(5, Kevent.FREEBSD.evfiltUser, Kevent.EV_ADD, 0, 0); // not a socket's filter: kept
            list.addRegistration(6, 60);
            list.forget(5);
            assertEquals(5, list.count());
            assertEquals(new Entry(4, (short) -1, 0x21, 0, 0, 40), raw(seg, 64, 0));
            assertEquals(new Entry(4, (short) -2, 0x21, 0, 0, 40), raw(seg, 64, 1));
            assertEquals(new Entry(5, (short) -11, 1, 0, 0, 0), raw(seg, 64, 2));
            assertEquals(new Entry(6, (short) -1, 0x21, 0, 0, 60), raw(seg, 64, 3));
            assertEquals(new Entry(6, (short) -2, 0x21, 0, 0, 60), raw(seg, 64, 4));
            list.forget(99);
            assertEquals(5, list.count(), "an unknown descriptor changes nothing");
        }
    }

    @Test
    void receiptsAreRequestedOnEveryChangeForAnEarlyFlush() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.DARWIN.layout, 4);
            ChangeList list = new ChangeList(Kevent.DARWIN, seg);
            list.addRegistration(3, 7);
            list.requestReceipts();
            assertEquals(0x21 | 0x40, raw(seg, 32, 0).flags(), "EV_ADD | EV_CLEAR | EV_RECEIPT");
            assertEquals(0x21 | 0x40, raw(seg, 32, 1).flags());
            assertEquals(7, list.token(1));
        }
    }
}
