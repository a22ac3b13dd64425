package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.unix.readiness.Poller;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding of the event array {@code kevent()} returns, on arrays written here byte by byte at the
 * header offsets, as the kernel writes them (the values of {@code kevent(2)}: EV_EOF with the
 * socket error in fflags, EV_ERROR with the errno in data).
 */
class KqueueEventDecodingTest {
    private static final int READABLE = Poller.READABLE;
    private static final int WRITABLE = Poller.WRITABLE;
    private static final int ERROR = Poller.ERROR;
    private static final int READ_CLOSED = Poller.READ_CLOSED;

    private static void put(MemorySegment a, long stride, int i, long ident, int filter, int flags, int fflags,
                            long data, long udata) {
        long b = i * stride;
        a.set(JAVA_LONG, b, ident);
        a.set(JAVA_SHORT, b + 8, (short) filter);
        a.set(JAVA_SHORT, b + 10, (short) flags);
        a.set(JAVA_INT, b + 12, fflags);
        a.set(JAVA_LONG, b + 16, data);
        a.set(JAVA_LONG, b + 24, udata);
    }

    @Test
    void eventsDecodeToReadiness() {
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ev = arena.allocate(abi.layout, 10);
                long s = abi.size;
                put(ev, s, 0, 7, -1, 0x0020, 0, 120, 0x101L);          // EVFILT_READ, 120 bytes waiting
                put(ev, s, 1, 7, -2, 0x0020, 0, 65536, 0x101L);        // EVFILT_WRITE, room in the buffer
                put(ev, s, 2, 8, -1, 0x8020, 0, 3, 0x102L);            // READ + EV_EOF: FIN, 3 bytes still there
                put(ev, s, 3, 9, -1, 0x8020, 54, 0, 0x103L);           // READ + EV_EOF, fflags ECONNRESET (BSD 54)
                put(ev, s, 4, 9, -2, 0x8020, 54, 0, 0x103L);           // WRITE + EV_EOF, fflags ECONNRESET
                put(ev, s, 5, 10, -2, 0x8020, 0, 0, 0x104L);           // WRITE + EV_EOF, no error: peer stopped reading
                put(ev, s, 6, 11, -1, 0x4021, 0, 9, 0x105L);           // EV_ERROR, data EBADF: a refused change
                put(ev, s, 7, 11, -2, 0x4061, 0, 0, 0x105L);           // EV_ERROR with data 0: a receipt, success
                put(ev, s, 8, 0, abi.evfiltUser, 0x0020, 0x01000000, 0, 0L); // the wake-up
                put(ev, s, 9, 12, -2, 0x8020, 61, 0, 0x106L);          // failed connect: ECONNREFUSED (BSD 61)
                assertEquals(READABLE, KqueuePoller.readiness(abi, ev, 0), abi.os);
                assertEquals(WRITABLE, KqueuePoller.readiness(abi, ev, 1), abi.os);
                assertEquals(READABLE | READ_CLOSED, KqueuePoller.readiness(abi, ev, 2), abi.os);
                assertEquals(READABLE | READ_CLOSED | ERROR, KqueuePoller.readiness(abi, ev, 3), abi.os);
                assertEquals(WRITABLE | ERROR, KqueuePoller.readiness(abi, ev, 4), abi.os);
                assertEquals(WRITABLE, KqueuePoller.readiness(abi, ev, 5), abi.os);
                assertEquals(ERROR, KqueuePoller.readiness(abi, ev, 6), abi.os);
                assertEquals(0, KqueuePoller.readiness(abi, ev, 7), abi.os);
                assertEquals(0, KqueuePoller.readiness(abi, ev, 8), abi.os);
                assertEquals(WRITABLE | ERROR, KqueuePoller.readiness(abi, ev, 9), abi.os);
                assertEquals(0x101L, abi.udata(ev, 0), "the token comes back in udata");
                assertEquals(0x106L, abi.udata(ev, 9));
                assertEquals(abi.evfiltUser, abi.filter(ev, 8));
                assertEquals(0x8020, abi.flags(ev, 9), "flags read unsigned: EV_EOF is the top bit");
            }
        }
    }

    @Test
    void aFreeBsdArrayIsReadWithA64ByteStride() {
        // The same two events at stride 64: read with the macOS layout they would be garbage.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(Kevent.FREEBSD.layout, 2);
            put(ev, 64, 0, 3, -1, 0x0020, 0, 1, 0x11L);
            put(ev, 64, 1, 3, -2, 0x0020, 0, 1, 0x22L);
            assertEquals(0x22L, Kevent.FREEBSD.udata(ev, 1));
            assertEquals(WRITABLE, KqueuePoller.readiness(Kevent.FREEBSD, ev, 1));
            assertEquals(0L, Kevent.DARWIN.udata(ev, 1), "macOS entry 1 is FreeBSD's ext[]: the layouts must not mix");
        }
    }
}
