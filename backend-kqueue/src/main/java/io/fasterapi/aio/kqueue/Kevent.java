package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.unix.NativeLibc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kqueue system calls, their constants and {@code struct kevent}; nothing else in this
 * backend touches an offset.
 *
 * <pre>
 * int kqueue(void);
 * int kevent(int kq, const struct kevent *changelist, int nchanges,
 *            struct kevent *eventlist, int nevents, const struct timespec *timeout);
 *
 * macOS ({@code <sys/event.h>}), 32 bytes:
 * struct kevent { uintptr_t ident; int16_t filter; uint16_t flags; uint32_t fflags; intptr_t data; void *udata; };
 *
 * FreeBSD 12+ ({@code <sys/event.h>}), 64 bytes:
 * struct kevent { __uintptr_t ident; short filter; unsigned short flags; unsigned int fflags;
 *                 __int64_t data; void *udata; __uint64_t ext[4]; };
 * </pre>
 * FreeBSD 12 widened {@code data} to 64 bits everywhere and added {@code ext}; its libc keeps the
 * old layout under the symbol version {@code kevent@FBSD_1.0}, and a plain symbol lookup finds
 * the default {@code kevent@@FBSD_1.5}, the layout above. The layout is chosen at run time from
 * {@code os.name} ({@link #forOs}); both are tested on any OS.
 *
 * <p>The system calls live in a holder class, looked up on first use: this class loads (and its
 * layouts are tested) on systems whose libc has no kqueue.
 */
final class Kevent {
    // Filters, <sys/event.h>: the same numbers on macOS and FreeBSD, except EVFILT_USER.
    static final short EVFILT_READ = -1;
    static final short EVFILT_WRITE = -2;
    /** macOS {@code <sys/event.h>}: {@code #define EVFILT_USER (-10)}. */
    static final short EVFILT_USER_DARWIN = -10;
    /** FreeBSD {@code <sys/event.h>}: {@code #define EVFILT_USER (-11)} (-10 is EVFILT_LIO there). */
    static final short EVFILT_USER_FREEBSD = -11;

    // Actions and returned flags (uint16_t flags), <sys/event.h>: the same on macOS and FreeBSD.
    static final int EV_ADD = 0x0001;
    static final int EV_CLEAR = 0x0020;
    static final int EV_RECEIPT = 0x0040;
    static final int EV_ERROR = 0x4000;
    static final int EV_EOF = 0x8000;

    /** EVFILT_USER input flag, {@code <sys/event.h>} (macOS and FreeBSD): trigger the user event. */
    static final int NOTE_TRIGGER = 0x01000000;

    static final StructLayout DARWIN_KEVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ident"),
            JAVA_SHORT.withName("filter"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("fflags"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("udata")).withName("kevent");

    static final StructLayout FREEBSD_KEVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ident"),
            JAVA_SHORT.withName("filter"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("fflags"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("udata"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("ext")).withName("kevent");

    /** {@code struct timespec { time_t tv_sec; long tv_nsec; }}: both 64-bit on LP64 macOS and FreeBSD. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));
    private static final VarHandle TV_SEC = TIMESPEC.varHandle(groupElement("tv_sec"));
    private static final VarHandle TV_NSEC = TIMESPEC.varHandle(groupElement("tv_nsec"));

    /** One system's {@code struct kevent} and the filter numbers that differ. */
    static final class Abi {
        final String os;
        final StructLayout layout;
        /** {@code sizeof(struct kevent)}. */
        final long size;
        final short evfiltUser;
        private final VarHandle ident;
        private final VarHandle filter;
        private final VarHandle flags;
        private final VarHandle fflags;
        private final VarHandle data;
        private final VarHandle udata;

        private Abi(String os, StructLayout layout, short evfiltUser) {
            this.os = os;
            this.layout = layout;
            this.size = layout.byteSize();
            this.evfiltUser = evfiltUser;
            this.ident = layout.arrayElementVarHandle(groupElement("ident"));
            this.filter = layout.arrayElementVarHandle(groupElement("filter"));
            this.flags = layout.arrayElementVarHandle(groupElement("flags"));
            this.fflags = layout.arrayElementVarHandle(groupElement("fflags"));
            this.data = layout.arrayElementVarHandle(groupElement("data"));
            this.udata = layout.arrayElementVarHandle(groupElement("udata"));
        }

        /** The byte offset of {@code field} in the struct. */
        long offset(String field) {
            return layout.byteOffset(groupElement(field));
        }

        /** How many entries {@code array} holds. */
        int capacity(MemorySegment array) {
            return (int) (array.byteSize() / size);
        }

        /** Writes entry {@code i} of {@code array} (FreeBSD's {@code ext} is left as it is: zero from the arena). */
        void set(MemorySegment array, int i, long ident, short filter, int flags, int fflags, long data, long udata) {
            long at = i;
            this.ident.set(array, 0L, at, ident);
            this.filter.set(array, 0L, at, filter);
            this.flags.set(array, 0L, at, (short) flags);
            this.fflags.set(array, 0L, at, fflags);
            this.data.set(array, 0L, at, data);
            this.udata.set(array, 0L, at, udata);
        }

        long ident(MemorySegment array, int i) {
            return (long) ident.get(array, 0L, (long) i);
        }

        short filter(MemorySegment array, int i) {
            return (short) filter.get(array, 0L, (long) i);
        }

        /** The flags, unsigned (EV_EOF is the top bit). */
        int flags(MemorySegment array, int i) {
            return Short.toUnsignedInt((short) flags.get(array, 0L, (long) i));
        }

        void setFlags(MemorySegment array, int i, int value) {
            flags.set(array, 0L, (long) i, (short) value);
        }

        int fflags(MemorySegment array, int i) {
            return (int) fflags.get(array, 0L, (long) i);
        }

        long data(MemorySegment array, int i) {
            return (long) data.get(array, 0L, (long) i);
        }

        long udata(MemorySegment array, int i) {
            return (long) udata.get(array, 0L, (long) i);
        }

        /** Copies entry {@code from} of {@code array} over entry {@code to}. */
        void move(MemorySegment array, int from, int to) {
            MemorySegment.copy(array, from * size, array, to * size, size);
        }

        @Override
        public String toString() {
            return "struct kevent (" + os + ", " + size + " bytes)";
        }
    }

    static final Abi DARWIN = new Abi("macOS", DARWIN_KEVENT, EVFILT_USER_DARWIN);
    static final Abi FREEBSD = new Abi("FreeBSD", FREEBSD_KEVENT, EVFILT_USER_FREEBSD);

    private Kevent() {
    }

    /** The {@code struct kevent} of the system named {@code osName} ({@code os.name}), or null when it is neither. */
    static Abi forOs(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) return DARWIN;
        if (os.startsWith("freebsd")) return FREEBSD;
        return null;
    }

    /** Sets {@code ts} to {@code millis} (at least 0). */
    static void setTimeout(MemorySegment ts, long nanos) {
        TV_SEC.set(ts, 0L, nanos / 1_000_000_000L);
        TV_NSEC.set(ts, 0L, nanos % 1_000_000_000L);
    }

    /** The handles, looked up when a kqueue is first made (never on a system without kqueue). */
    private static final class Calls {
        static final MethodHandle KQUEUE = NativeLibc.downcall("kqueue", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle KEVENT = NativeLibc.downcall("kevent",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }

    private static int check(MemorySegment st, int r) {
        return r == -1 ? -NativeLibc.errno(st) : r;
    }

    /** Whether libc has kqueue() and kevent(). */
    static boolean present() {
        return NativeLibc.has("kqueue") && NativeLibc.has("kevent");
    }

    /** A new kqueue: its descriptor, or the negated (portable) errno. */
    static int kqueue(MemorySegment st) {
        try {
            return check(st, (int) Calls.KQUEUE.invokeExact(st));
        } catch (Throwable t) {
            throw NativeLibc.fail("kqueue", t);
        }
    }

    /**
     * Applies {@code nchanges} entries of {@code changes}, then waits up to {@code timeout}
     * ({@link MemorySegment#NULL}: no limit) for at most {@code nevents} events. Returns how many
     * events were stored, or the negated (portable) errno.
     */
    static int kevent(MemorySegment st, int kq, MemorySegment changes, int nchanges, MemorySegment events,
                      int nevents, MemorySegment timeout) {
        try {
            return check(st, (int) Calls.KEVENT.invokeExact(st, kq, changes, nchanges, events, nevents, timeout));
        } catch (Throwable t) {
            throw NativeLibc.fail("kevent", t);
        }
    }
}
