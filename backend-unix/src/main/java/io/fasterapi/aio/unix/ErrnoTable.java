package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Translates an operating system's errno numbers onto the portable numbers of {@link Errno}
 * (Linux's). The one place errno numbering is translated: {@link NativeLibc#errno} applies the
 * running system's table, so every binding, and everything above it, sees portable numbers only.
 *
 * <p>Numbers 1 to 34 (EPERM to ERANGE) are the same on Linux and the BSDs (Version 7 numbering),
 * except 11: EAGAIN on Linux, EDEADLK on the BSDs. Above 34 each system numbers on its own. A
 * native error with no Linux counterpart here is reported as {@link #UNMAPPED_BASE} plus its
 * native number, so that it can never read as a different Linux error.
 */
public final class ErrnoTable {
    /** Added to a native errno that has no portable number ({@code Errno.nameOf} shows it as "errno 1xxx"). */
    public static final int UNMAPPED_BASE = 1000;
    /** Linux's EDEADLK, the BSDs' 11. */
    private static final int LINUX_EDEADLK = 35;
    private static final int SIZE = 256;

    /** Linux: the portable numbers are Linux's own. */
    public static final ErrnoTable LINUX = new ErrnoTable("Linux", null, new EnumMap<>(Errno.class));

    /**
     * The numbers macOS and FreeBSD share, both from 4.4BSD's {@code <sys/errno.h>} (35-65: the
     * networking errors, EAGAIN and EINPROGRESS among them); each OS adds its own below.
     */
    private static final Map<Errno, Integer> BSD_SHARED = Map.ofEntries(
            Map.entry(Errno.EAGAIN, 35),
            Map.entry(Errno.EINPROGRESS, 36),
            Map.entry(Errno.EALREADY, 37),
            Map.entry(Errno.ENOTSOCK, 38),
            Map.entry(Errno.EDESTADDRREQ, 39),
            Map.entry(Errno.EMSGSIZE, 40),
            Map.entry(Errno.EPROTOTYPE, 41),
            Map.entry(Errno.ENOPROTOOPT, 42),
            Map.entry(Errno.EPROTONOSUPPORT, 43),
            Map.entry(Errno.EAFNOSUPPORT, 47),
            Map.entry(Errno.EADDRINUSE, 48),
            Map.entry(Errno.EADDRNOTAVAIL, 49),
            Map.entry(Errno.ENETDOWN, 50),
            Map.entry(Errno.ENETUNREACH, 51),
            Map.entry(Errno.ENETRESET, 52),
            Map.entry(Errno.ECONNABORTED, 53),
            Map.entry(Errno.ECONNRESET, 54),
            Map.entry(Errno.ENOBUFS, 55),
            Map.entry(Errno.EISCONN, 56),
            Map.entry(Errno.ENOTCONN, 57),
            Map.entry(Errno.ESHUTDOWN, 58),
            Map.entry(Errno.ETIMEDOUT, 60),
            Map.entry(Errno.ECONNREFUSED, 61),
            Map.entry(Errno.EHOSTDOWN, 64),
            Map.entry(Errno.EHOSTUNREACH, 65),
            Map.entry(Errno.ENOSYS, 78),
            Map.entry(Errno.EOVERFLOW, 84));

    /**
     * macOS, from {@code <sys/errno.h>} of the macOS SDK (xnu {@code bsd/sys/errno.h}). macOS has
     * both ENOTSUP 45 "operation not supported" and EOPNOTSUPP 102 "... on socket"; Linux defines
     * ENOTSUP as EOPNOTSUPP, so 45 is mapped to it as an alias.
     */
    public static final ErrnoTable DARWIN = bsd("macOS", with(BSD_SHARED, Map.of(
            Errno.ECANCELED, 89,
            Errno.ETIME, 101,
            Errno.EOPNOTSUPP, 102)), Map.of(45, Errno.EOPNOTSUPP));

    /** FreeBSD, from {@code <sys/errno.h>} (FreeBSD 12 to 14). FreeBSD has no ETIME. */
    public static final ErrnoTable FREEBSD = bsd("FreeBSD", with(BSD_SHARED, Map.of(
            Errno.EOPNOTSUPP, 45,
            Errno.ECANCELED, 85)), Map.of());

    private static Map<Errno, Integer> with(Map<Errno, Integer> shared, Map<Errno, Integer> own) {
        Map<Errno, Integer> all = new EnumMap<>(Errno.class);
        all.putAll(shared);
        all.putAll(own);
        return all;
    }

    private final String os;
    /** native errno -> portable errno; null for the identity (Linux). */
    private final int[] toPortable;
    private final Map<Errno, Integer> nativeCodes;

    private ErrnoTable(String os, int[] toPortable, Map<Errno, Integer> nativeCodes) {
        this.os = os;
        this.toPortable = toPortable;
        this.nativeCodes = nativeCodes;
    }

    /**
     * A BSD table: 1..34 as on Linux except 11, then {@code above34} (every {@link Errno} name above
     * 34 that the system has) and {@code aliases} (other native numbers meaning a portable name).
     */
    private static ErrnoTable bsd(String os, Map<Errno, Integer> above34, Map<Integer, Errno> aliases) {
        int[] t = new int[SIZE];
        for (int n = 1; n < SIZE; n++) t[n] = UNMAPPED_BASE + n;
        for (int n = 1; n <= 34; n++) t[n] = n;
        t[11] = LINUX_EDEADLK;
        Map<Errno, Integer> codes = new EnumMap<>(Errno.class);
        for (Errno e : Errno.values()) {
            if (e.code() <= 34 && e.code() != 11) codes.put(e, e.code());
        }
        above34.forEach((e, n) -> {
            if (t[n] < UNMAPPED_BASE && n > 34) throw new IllegalStateException(os + ": errno " + n + " mapped twice");
            t[n] = e.code();
            codes.put(e, n);
        });
        aliases.forEach((n, e) -> t[n] = e.code());
        return new ErrnoTable(os, t, codes);
    }

    /** The portable number (see {@link Errno}) of the native errno {@code nativeErrno} (positive). */
    public int portable(int nativeErrno) {
        int[] t = toPortable;
        if (t == null || nativeErrno <= 0) return nativeErrno;
        return nativeErrno < SIZE ? t[nativeErrno] : UNMAPPED_BASE + nativeErrno;
    }

    /** The system's own number for {@code e}, or -1 when the system has no such error. */
    public int nativeCode(Errno e) {
        if (toPortable == null) return e.code();
        return nativeCodes.getOrDefault(e, -1);
    }

    /** The operating system this table is for. */
    public String os() {
        return os;
    }

    @Override
    public String toString() {
        return "ErrnoTable[" + os + (toPortable == null ? ", identity]" : ", " + Arrays.stream(toPortable)
                .filter(v -> v > 0 && v < UNMAPPED_BASE).count() + " numbers mapped]");
    }
}
