package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.testsupport.GoUnix;
import io.fasterapi.aio.unix.testsupport.SourceTally;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macOS and FreeBSD tables ({@link SocketConstants}, {@link ErrnoTable}) against Go's
 * golang.org/x/sys/unix, generated on each system from its own headers (see {@link GoUnix}), for
 * amd64 and arm64. gcc here has Linux headers only; numbers typed from the headers on both sides
 * of a test would pass a misreading, the Go files do not share it.
 */
class BsdSocketConstantsTest {
    private static int total;

    /** The tables and the GOOS Go generates their system's files for. */
    private static final Map<SocketConstants, String> GOOS = Map.of(
            SocketConstants.DARWIN, "darwin",
            SocketConstants.FREEBSD, "freebsd");

    /**
     * Constants a table sets to 0 ("not used") although the source has them, and why. Any other
     * 0 must be a name the source does not have.
     */
    private static final Map<String, String> DEFINED_BUT_NOT_USED = Map.of(
            "macOS MSG_NOSIGNAL", "Go's darwin files have MSG_NOSIGNAL 0x80000 (Rust's libc has none for Apple); "
                    + "the table uses SO_NOSIGPIPE per socket instead, which every macOS version has");

    @AfterAll
    static void printTotal() {
        System.out.println("[header sources] BsdSocketConstantsTest: " + total + " values checked in all");
    }

    /** {@code afInet6} -> {@code AF_INET6}, {@code ipv6V6only} -> {@code IPV6_V6ONLY}, {@code fGetfl} -> {@code F_GETFL}. */
    static String headerName(String component) {
        return component.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    @Test
    void everyNumberOfTheMacOsAndFreeBsdTablesIsTheSources() throws Exception {
        SourceTally tally = new SourceTally("SocketConstants.DARWIN/FREEBSD vs golang.org/x/sys/unix darwin, freebsd "
                + GoUnix.ARCHES);
        Set<String> components = new TreeSet<>();
        for (var table : GOOS.entrySet()) {
            SocketConstants k = table.getKey();
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(table.getValue(), arch);
                String where = k.os() + " " + go.name() + " ";
                // Every int of the record, found by reflection: a constant added later is checked too.
                for (RecordComponent rc : SocketConstants.class.getRecordComponents()) {
                    if (rc.getType() != int.class) continue;
                    components.add(rc.getName());
                    String name = headerName(rc.getName());
                    int ours = (int) rc.getAccessor().invoke(k);
                    OptionalLong source = go.find(name).isPresent() ? go.find(name) : go.findErrno(name);
                    if (ours != 0) {
                        tally.check(where + name, source.isPresent(), "ours " + ours + ", the source has no " + name);
                        if (source.isPresent()) tally.equal(where + name, ours, source.getAsLong());
                    } else if (DEFINED_BUT_NOT_USED.containsKey(k.os() + " " + name)) {
                        tally.check(where + name + " (not used)", source.isPresent(),
                                "documented as defined but not used, yet the source has none");
                    } else {
                        tally.check(where + name + " absent", source.isEmpty(),
                                "ours 0 (the system has none), the source has " + source);
                    }
                }
                // sockaddrLen: the source's sockaddr_in starts with a one-byte length.
                GoUnix.Field first = go.struct("RawSockaddrInet4").fields().getFirst();
                tally.check(where + "sockaddrLen", k.sockaddrLen() == (first.name().equals("Len") && first.size() == 1),
                        "ours " + k.sockaddrLen() + ", the source's RawSockaddrInet4 starts with " + first);
            }
        }
        total += tally.verify();
        assertTrue(components.containsAll(List.of("afInet6", "soNosigpipe", "eagain")), "reflection saw " + components);
        assertSame(ErrnoTable.DARWIN, SocketConstants.DARWIN.errnos());
        assertSame(ErrnoTable.FREEBSD, SocketConstants.FREEBSD.errnos());
        assertFalse(SocketConstants.DARWIN.hasSocketFlags(), "macOS: socket() then fcntl");
        assertTrue(SocketConstants.DARWIN.needsNosigpipe(), "macOS: SO_NOSIGPIPE on each socket");
        assertTrue(SocketConstants.FREEBSD.hasSocketFlags(), "FreeBSD: socket() and accept4() take the flags");
        assertFalse(SocketConstants.FREEBSD.needsNosigpipe(), "FreeBSD: MSG_NOSIGNAL on send");
    }

    @Test
    void theTableIsChosenFromOsName() {
        assertSame(SocketConstants.LINUX, SocketConstants.forOs("Linux"));
        assertSame(SocketConstants.DARWIN, SocketConstants.forOs("Mac OS X"));
        assertSame(SocketConstants.FREEBSD, SocketConstants.forOs("FreeBSD"));
        assertNull(SocketConstants.forOs("Windows 11"));
        assertNull(SocketConstants.forOs("OpenBSD"), "OpenBSD numbers differ: no table until one is written");
    }

    /**
     * Every errno number the source names, translated: to the Linux number of its name (Go's
     * linux/amd64 files) wherever {@link Errno} has the name or the number is 1..34 (which the
     * table maps as Version 7 numbers), else to that or to {@link ErrnoTable#UNMAPPED_BASE} plus
     * the number; every number the source does not name to {@code UNMAPPED_BASE} plus it. And
     * every {@link Errno} name to the system's number, or -1 where the source has no such name.
     */
    @Test
    void errnoTablesTranslateEveryNumberTheSourcesName() {
        GoUnix linux = GoUnix.load("linux", "amd64");
        SourceTally tally = new SourceTally("ErrnoTable.DARWIN/FREEBSD vs golang.org/x/sys/unix darwin, freebsd "
                + GoUnix.ARCHES + " (Linux numbers: linux/amd64)");
        for (Errno e : Errno.values()) {
            tally.equal("Errno." + e + " is Linux's number", e.code(), linux.errno(e.name()));
        }
        for (var table : GOOS.entrySet()) {
            ErrnoTable t = table.getKey().errnos();
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(table.getValue(), arch);
                String where = t.os() + " " + go.name() + " ";
                for (Errno e : Errno.values()) {
                    OptionalLong n = go.findErrno(e.name());
                    tally.equal(where + "nativeCode(" + e + ")", t.nativeCode(e), n.orElse(-1));
                }
                Map<String, Long> names = go.errnos();
                for (int n = 1; n < 300; n++) {
                    List<String> named = new ArrayList<>();
                    for (var en : names.entrySet()) if (en.getValue() == n) named.add(en.getKey());
                    int portable = t.portable(n);
                    if (named.isEmpty()) {
                        tally.equal(where + "unnamed errno " + n, portable, ErrnoTable.UNMAPPED_BASE + n);
                        continue;
                    }
                    List<Long> linuxNumbers = new ArrayList<>();
                    boolean mustMap = n <= 34;
                    for (String name : named) {
                        linux.findErrno(name).ifPresent(linuxNumbers::add);
                        if (isErrnoName(name)) mustMap = true;
                    }
                    boolean ok = linuxNumbers.contains((long) portable)
                            || (!mustMap && portable == ErrnoTable.UNMAPPED_BASE + n);
                    tally.check(where + "portable(" + n + ") " + named, ok, "ours " + portable + ", Linux numbers of "
                            + named + ": " + linuxNumbers + (mustMap ? "" : " or " + (ErrnoTable.UNMAPPED_BASE + n)));
                }
                // The cases the table's comments name, with the source's numbers.
                tally.equal(where + "EDEADLK (11 on the BSDs, EAGAIN's number on Linux)",
                        t.portable(go.errno("EDEADLK")), linux.errno("EDEADLK"));
                tally.equal(where + "ENOTSUP is Linux's EOPNOTSUPP", t.portable(go.errno("ENOTSUP")), Errno.EOPNOTSUPP.code());
                tally.equal(where + "ELOOP has no Errno name: kept apart", t.portable(go.errno("ELOOP")),
                        ErrnoTable.UNMAPPED_BASE + go.errno("ELOOP"));
            }
        }
        total += tally.verify();
        assertEquals(0, ErrnoTable.DARWIN.portable(0));
        assertEquals(ErrnoTable.UNMAPPED_BASE + 4096, ErrnoTable.FREEBSD.portable(4096), "past the table");
    }

    private static boolean isErrnoName(String name) {
        for (Errno e : Errno.values()) if (e.name().equals(name)) return true;
        return false;
    }

    @Test
    void linuxErrnoIsTheIdentity() {
        for (Errno e : Errno.values()) {
            assertEquals(e.code(), ErrnoTable.LINUX.portable(e.code()));
            assertEquals(e.code(), ErrnoTable.LINUX.nativeCode(e));
        }
        assertEquals(40, ErrnoTable.LINUX.portable(40), "Linux errors outside Errno pass through unchanged");
    }
}
