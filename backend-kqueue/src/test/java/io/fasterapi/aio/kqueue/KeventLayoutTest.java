package io.fasterapi.aio.kqueue;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@code struct kevent} and the kqueue constants against the values the OS headers publish. gcc
 * here has Linux headers only, so each expected number is written by hand from the header named
 * beside it: macOS SDK {@code <sys/event.h>} (xnu {@code bsd/sys/event.h}) and FreeBSD 12-14
 * {@code <sys/event.h>} ({@code sys/sys/event.h}). LP64 both: uintptr_t, intptr_t, int64_t and
 * pointers are 8 bytes, aligned to 8.
 */
class KeventLayoutTest {

    @Test
    void macOsKeventIs32Bytes() {
        // struct kevent {
        //     uintptr_t ident;    /* identifier for this event */         offset 0
        //     int16_t   filter;   /* filter for event */                  offset 8
        //     uint16_t  flags;    /* general flags */                     offset 10
        //     uint32_t  fflags;   /* filter-specific flags */             offset 12
        //     intptr_t  data;     /* filter-specific data */              offset 16
        //     void      *udata;   /* opaque user data identifier */       offset 24
        // };                                                              sizeof 32
        Kevent.Abi a = Kevent.DARWIN;
        assertAll(
                () -> assertEquals(32, a.size, "sizeof(struct kevent), macOS"),
                () -> assertEquals(0, a.offset("ident")),
                () -> assertEquals(8, a.offset("filter")),
                () -> assertEquals(10, a.offset("flags")),
                () -> assertEquals(12, a.offset("fflags")),
                () -> assertEquals(16, a.offset("data")),
                () -> assertEquals(24, a.offset("udata")),
                () -> assertEquals(8, a.layout.byteAlignment(), "aligned as uintptr_t"));
    }

    @Test
    void freeBsdKeventIs64BytesWithExt() {
        // struct kevent {
        //     __uintptr_t    ident;    /* identifier for this event */    offset 0
        //     short          filter;   /* filter for event */             offset 8
        //     unsigned short flags;    /* action flags for kqueue */      offset 10
        //     unsigned int   fflags;   /* filter flag value */            offset 12
        //     __int64_t      data;     /* filter data value */            offset 16
        //     void           *udata;   /* opaque user data identifier */  offset 24
        //     __uint64_t     ext[4];   /* extensions */                   offset 32
        // };                                                              sizeof 64 (FreeBSD 12+)
        Kevent.Abi a = Kevent.FREEBSD;
        assertAll(
                () -> assertEquals(64, a.size, "sizeof(struct kevent), FreeBSD 12+"),
                () -> assertEquals(0, a.offset("ident")),
                () -> assertEquals(8, a.offset("filter")),
                () -> assertEquals(10, a.offset("flags")),
                () -> assertEquals(12, a.offset("fflags")),
                () -> assertEquals(16, a.offset("data")),
                () -> assertEquals(24, a.offset("udata")),
                () -> assertEquals(32, a.offset("ext")),
                () -> assertEquals(8, a.layout.byteAlignment()));
    }

    @Test
    void timespecIs16Bytes() {
        // <sys/_timespec.h> (FreeBSD), <sys/_types/_timespec.h> (macOS): { time_t tv_sec; long tv_nsec; }
        assertEquals(16, Kevent.TIMESPEC.byteSize());
    }

    @Test
    void constantsMatchSysEventH() {
        assertAll(
                // #define EVFILT_READ (-1), EVFILT_WRITE (-2): macOS and FreeBSD
                () -> assertEquals(-1, Kevent.EVFILT_READ),
                () -> assertEquals(-2, Kevent.EVFILT_WRITE),
                // macOS: EVFILT_USER (-10); FreeBSD: EVFILT_LIO is -10, EVFILT_USER (-11)
                () -> assertEquals(-10, Kevent.DARWIN.evfiltUser),
                () -> assertEquals(-11, Kevent.FREEBSD.evfiltUser),
                // actions / flags, both systems
                () -> assertEquals(0x0001, Kevent.EV_ADD),
                () -> assertEquals(0x0002, Kevent.EV_DELETE),
                () -> assertEquals(0x0004, Kevent.EV_ENABLE),
                () -> assertEquals(0x0020, Kevent.EV_CLEAR),
                () -> assertEquals(0x0040, Kevent.EV_RECEIPT),
                () -> assertEquals(0x4000, Kevent.EV_ERROR),
                () -> assertEquals(0x8000, Kevent.EV_EOF),
                // EVFILT_USER fflags: #define NOTE_TRIGGER 0x01000000, both systems
                () -> assertEquals(0x01000000, Kevent.NOTE_TRIGGER));
    }

    @Test
    void theLayoutIsChosenFromOsName() {
        assertSame(Kevent.DARWIN, Kevent.forOs("Mac OS X"));
        assertSame(Kevent.FREEBSD, Kevent.forOs("FreeBSD"));
        assertNull(Kevent.forOs("Linux"));
        assertNull(Kevent.forOs("OpenBSD"), "OpenBSD's struct kevent is not tabled");
        assertNull(Kevent.forOs("NetBSD"), "NetBSD's filter and flags are 32-bit: another layout");
    }

    @Test
    void theBindingClassLoadsWhereLibcHasNoKqueue() {
        // The layouts above were usable on this machine; the system calls are looked up on first use only.
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertFalse(Kevent.present(), "glibc has no kqueue");
        }
    }
}
