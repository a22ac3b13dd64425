package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.unix.readiness.Poller;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding of the event array {@code kevent()} returns, on arrays written here field by field at
 * the source's {@code Kevent_t} offsets with the source's numbers ({@link KeventSource}), as the
 * kernel writes them (the values of {@code kevent(2)}: EV_EOF with the socket error in fflags,
 * EV_ERROR with the errno in data).
 */
class KqueueEventDecodingTest {
    private static final int READABLE = Poller.READABLE;
    private static final int WRITABLE = Poller.WRITABLE;
    private static final int ERROR = Poller.ERROR;
    private static final int READ_CLOSED = Poller.READ_CLOSED;

    @Test
    void eventsDecodeToReadiness() {
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            KeventSource k = KeventSource.of(abi);
            int read = k.c("EVFILT_READ");
            int write = k.c("EVFILT_WRITE");
            int clear = k.c("EV_CLEAR");
            int eof = k.c("EV_EOF");
            int error = k.c("EV_ERROR");
            int add = k.c("EV_ADD");
            int connreset = k.errno("ECONNRESET");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ev = arena.allocate(abi.layout, 10);
                k.put(ev, 0, 7, read, clear, 0, 120, 0x101L);                  // 120 bytes waiting
                k.put(ev, 1, 7, write, clear, 0, 65536, 0x101L);               // room in the buffer
                k.put(ev, 2, 8, read, eof | clear, 0, 3, 0x102L);              // FIN, 3 bytes still there
                k.put(ev, 3, 9, read, eof | clear, connreset, 0, 0x103L);      // reset: the error in fflags
                k.put(ev, 4, 9, write, eof | clear, connreset, 0, 0x103L);
                k.put(ev, 5, 10, write, eof | clear, 0, 0, 0x104L);            // no error: peer stopped reading
                k.put(ev, 6, 11, read, error | add | clear, 0, k.errno("EBADF"), 0x105L); // a refused change
                k.put(ev, 7, 11, write, error | add | clear | k.c("EV_RECEIPT"), 0, 0, 0x105L); // a receipt: success
                k.put(ev, 8, 0, k.c("EVFILT_USER"), clear, k.c("NOTE_TRIGGER"), 0, 0L);  // the wake-up
                k.put(ev, 9, 12, write, eof | clear, k.errno("ECONNREFUSED"), 0, 0x106L); // failed connect
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
                assertEquals(eof | clear, abi.flags(ev, 9), "flags read unsigned: EV_EOF is the top bit");
            }
        }
    }

    @Test
    void aFreeBsdArrayIsReadWithItsOwnStride() {
        // The same two events at FreeBSD's stride: read with the macOS layout they would be garbage.
        KeventSource k = KeventSource.of(Kevent.FREEBSD);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(Kevent.FREEBSD.layout, 2);
            k.put(ev, 0, 3, k.c("EVFILT_READ"), k.c("EV_CLEAR"), 0, 1, 0x11L);
            k.put(ev, 1, 3, k.c("EVFILT_WRITE"), k.c("EV_CLEAR"), 0, 1, 0x22L);
            assertEquals(0x22L, Kevent.FREEBSD.udata(ev, 1));
            assertEquals(WRITABLE, KqueuePoller.readiness(Kevent.FREEBSD, ev, 1));
            assertEquals(0L, Kevent.DARWIN.udata(ev, 1), "macOS entry 1 is FreeBSD's ext[]: the layouts must not mix");
        }
    }
}
