package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.kqueue.KeventSource.Entry;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change list as the kernel will read it: entries are read back at the offsets and stride of
 * the source's {@code Kevent_t} and compared with the source's constants ({@link KeventSource}),
 * not through the accessors that wrote them.
 */
class ChangeListTest {

    @Test
    void aRegistrationIsReadAndWriteEdgeTriggeredWithTheTokenInUdata() {
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            KeventSource k = KeventSource.of(abi);
            short read = (short) k.c("EVFILT_READ");
            short write = (short) k.c("EVFILT_WRITE");
            int addClear = k.c("EV_ADD") | k.c("EV_CLEAR");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate(abi.layout, 8);
                ChangeList list = new ChangeList(abi, seg);
                assertTrue(list.addRegistration(17, 0x1_0000_0005L));
                assertTrue(list.addRegistration(18, 0x2_0000_0006L));
                assertEquals(4, list.count());
                assertEquals(new Entry(17, read, addClear, 0, 0, 0x1_0000_0005L), k.raw(seg, 0), abi.os);
                assertEquals(new Entry(17, write, addClear, 0, 0, 0x1_0000_0005L), k.raw(seg, 1), abi.os);
                assertEquals(new Entry(18, read, addClear, 0, 0, 0x2_0000_0006L), k.raw(seg, 2), abi.os);
                assertEquals(new Entry(18, write, addClear, 0, 0, 0x2_0000_0006L), k.raw(seg, 3), abi.os);
                if (abi == Kevent.FREEBSD) {
                    long ext = k.stride() + k.kevent().field("Ext").offset();
                    for (int e = 0; e < 4; e++) {
                        assertEquals(0L, seg.get(JAVA_LONG, ext + 8L * e), "ext[" + e + "] stays zero");
                    }
                }
            }
        }
    }

    @Test
    void aFullListRefusesWithoutWritingHalfARegistration() {
        KeventSource k = KeventSource.of(Kevent.DARWIN);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.DARWIN.layout, 3);
            ChangeList list = new ChangeList(Kevent.DARWIN, seg);
            assertEquals(3, list.capacity());
            assertTrue(list.addRegistration(5, 1));
            assertFalse(list.addRegistration(6, 2), "one entry left: a registration needs two");
            assertEquals(2, list.count());
            assertTrue(list.add(9, Kevent.DARWIN.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0));
            assertFalse(list.add(9, Kevent.DARWIN.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0));
            assertEquals(new Entry(9, (short) k.c("EVFILT_USER"), k.c("EV_ADD"), k.c("NOTE_TRIGGER"), 0, 0), k.raw(seg, 2));
            list.clear();
            assertEquals(0, list.count());
            assertTrue(list.addRegistration(6, 2));
        }
    }

    @Test
    void forgettingADescriptorDropsItsChangesAndKeepsTheOrderOfTheRest() {
        KeventSource k = KeventSource.of(Kevent.FREEBSD);
        short read = (short) k.c("EVFILT_READ");
        short write = (short) k.c("EVFILT_WRITE");
        int addClear = k.c("EV_ADD") | k.c("EV_CLEAR");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.FREEBSD.layout, 16);
            ChangeList list = new ChangeList(Kevent.FREEBSD, seg);
            list.addRegistration(4, 40);
            list.addRegistration(5, 50);
            list.add(5, Kevent.FREEBSD.evfiltUser, Kevent.EV_ADD, 0, 0); // not a socket's filter: kept
            list.addRegistration(6, 60);
            list.forget(5);
            assertEquals(5, list.count());
            assertEquals(new Entry(4, read, addClear, 0, 0, 40), k.raw(seg, 0));
            assertEquals(new Entry(4, write, addClear, 0, 0, 40), k.raw(seg, 1));
            assertEquals(new Entry(5, (short) k.c("EVFILT_USER"), k.c("EV_ADD"), 0, 0, 0), k.raw(seg, 2));
            assertEquals(new Entry(6, read, addClear, 0, 0, 60), k.raw(seg, 3));
            assertEquals(new Entry(6, write, addClear, 0, 0, 60), k.raw(seg, 4));
            list.forget(99);
            assertEquals(5, list.count(), "an unknown descriptor changes nothing");
        }
    }

    @Test
    void receiptsAreRequestedOnEveryChangeForAnEarlyFlush() {
        KeventSource k = KeventSource.of(Kevent.DARWIN);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Kevent.DARWIN.layout, 4);
            ChangeList list = new ChangeList(Kevent.DARWIN, seg);
            list.addRegistration(3, 7);
            list.requestReceipts();
            int expected = k.c("EV_ADD") | k.c("EV_CLEAR") | k.c("EV_RECEIPT");
            assertEquals(expected, k.raw(seg, 0).flags(), "EV_ADD | EV_CLEAR | EV_RECEIPT");
            assertEquals(expected, k.raw(seg, 1).flags());
            assertEquals(7, list.token(1));
        }
    }
}
