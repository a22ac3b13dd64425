package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.unix.testsupport.GoUnix;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A system's {@code struct kevent} and kqueue numbers as Go's golang.org/x/sys/unix has them
 * ({@code Kevent_t} of ztypes, EVFILT_/EV_/NOTE_ constants and errno numbers of zerrors), for
 * tests that write and read event arrays the way the kernel does: at the source's offsets, not
 * through the {@link Kevent.Abi} accessors under test.
 */
record KeventSource(Kevent.Abi abi, GoUnix go, GoUnix.Struct kevent) {

    /** The GOOS whose files describe {@code abi}'s system. */
    static String goos(Kevent.Abi abi) {
        return abi == Kevent.DARWIN ? "darwin" : "freebsd";
    }

    /** {@code abi}'s system on {@code arch}; skips (fails with CI=true) when the sources are not installed. */
    static KeventSource of(Kevent.Abi abi, String arch) {
        GoUnix go = GoUnix.load(goos(abi), arch);
        return new KeventSource(abi, go, go.struct("Kevent_t"));
    }

    /** {@code abi}'s system on amd64 (the numbers are the same on arm64: KeventLayoutTest checks both). */
    static KeventSource of(Kevent.Abi abi) {
        return of(abi, "amd64");
    }

    /** A constant of zerrors (EVFILT_READ, EV_CLEAR, NOTE_TRIGGER...). */
    int c(String name) {
        return (int) go.constant(name);
    }

    /** The system's errno number {@code name}. */
    int errno(String name) {
        return go.errno(name);
    }

    /** {@code sizeof(struct kevent)}: the array stride. */
    long stride() {
        return kevent.size();
    }

    /** Writes {@code value} into field {@code field} of entry {@code i}, in as many bytes as the source's field has. */
    private void set(MemorySegment a, int i, String field, long value) {
        GoUnix.Field f = kevent.field(field);
        long at = i * stride() + f.offset();
        switch ((int) f.size()) {
            case 2 -> a.set(JAVA_SHORT, at, (short) value);
            case 4 -> a.set(JAVA_INT, at, (int) value);
            case 8 -> a.set(JAVA_LONG, at, value);
            default -> throw new AssertionError(go + " Kevent_t." + field + " is " + f.size() + " bytes");
        }
    }

    /** Reads field {@code field} of entry {@code i}, sign-extended from the source's field size. */
    private long get(MemorySegment a, int i, String field) {
        GoUnix.Field f = kevent.field(field);
        long at = i * stride() + f.offset();
        return switch ((int) f.size()) {
            case 2 -> a.get(JAVA_SHORT, at);
            case 4 -> a.get(JAVA_INT, at);
            case 8 -> a.get(JAVA_LONG, at);
            default -> throw new AssertionError(go + " Kevent_t." + field + " is " + f.size() + " bytes");
        };
    }

    /** One entry, as the kernel reads or writes it. */
    record Entry(long ident, short filter, int flags, int fflags, long data, long udata) {
    }

    /** Writes entry {@code i} of {@code a} field by field, as the kernel does. */
    void put(MemorySegment a, int i, long ident, int filter, int flags, int fflags, long data, long udata) {
        set(a, i, "Ident", ident);
        set(a, i, "Filter", filter);
        set(a, i, "Flags", flags);
        set(a, i, "Fflags", fflags);
        set(a, i, "Data", data);
        set(a, i, "Udata", udata);
    }

    /** Reads entry {@code i} of {@code a} field by field, as the kernel does (flags unsigned). */
    Entry raw(MemorySegment a, int i) {
        return new Entry(get(a, i, "Ident"), (short) get(a, i, "Filter"), (int) get(a, i, "Flags") & 0xFFFF,
                (int) get(a, i, "Fflags"), get(a, i, "Data"), get(a, i, "Udata"));
    }
}
