package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.unix.testsupport.GoUnix;
import io.fasterapi.aio.unix.testsupport.SourceTally;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code struct kevent}, {@code struct timespec} and the kqueue constants against Go's
 * golang.org/x/sys/unix, generated on macOS and FreeBSD from their own {@code <sys/event.h>}
 * (see {@link GoUnix}), for amd64 and arm64. gcc here has Linux headers only, and numbers typed
 * from the headers on both sides of a test would pass a misreading.
 *
 * <p>Not header values, so not checked here: {@code KqueuePoller.CHANGES} and {@code WAKE_TOKEN}
 * (our choices) and {@code ChangeList.REGISTER_FLAGS} (EV_ADD | EV_CLEAR, both checked).
 */
class KeventLayoutTest {
    private static int total;

    @AfterAll
    static void printTotal() {
        System.out.println("[header sources] KeventLayoutTest: " + total + " values checked in all");
    }

    @Test
    void keventAndTimespecAreLaidOutAsTheSourcesSay() {
        SourceTally tally = new SourceTally("Kevent.DARWIN/FREEBSD, TIMESPEC vs golang.org/x/sys/unix Kevent_t, Timespec, "
                + "darwin, freebsd " + GoUnix.ARCHES);
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            for (String arch : GoUnix.ARCHES) {
                KeventSource src = KeventSource.of(abi, arch);
                String where = abi.os + " " + src.go().name();
                tally.layout(where + " struct kevent", abi.layout, "", src.kevent());
                tally.equal(where + " Abi.size (the array stride)", abi.size, src.stride());
                tally.layout(where + " struct timespec", Kevent.TIMESPEC, "tv_", src.go().struct("Timespec"));
            }
        }
        total += tally.verify();
    }

    /**
     * Every {@code static final} number of {@link Kevent}, found by reflection (a constant added
     * later is checked too), against the source constant of the same name; a {@code _DARWIN} or
     * {@code _FREEBSD} suffix names the one system it is for. And each Abi's EVFILT_USER.
     */
    @Test
    void everyKqueueConstantIsTheSources() throws Exception {
        SourceTally tally = new SourceTally("Kevent constants vs golang.org/x/sys/unix zerrors, darwin, freebsd "
                + GoUnix.ARCHES);
        Set<String> seen = new TreeSet<>();
        for (Field f : Kevent.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isFinal(m) || !f.getType().isPrimitive()) continue;
            seen.add(f.getName());
            long ours = ((Number) f.get(null)).longValue();
            String name = f.getName();
            for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
                String suffix = "_" + KeventSource.goos(abi).toUpperCase(Locale.ROOT);
                boolean forOne = name.endsWith("_DARWIN") || name.endsWith("_FREEBSD");
                if (forOne && !name.endsWith(suffix)) continue;
                String header = forOne ? name.substring(0, name.length() - suffix.length()) : name;
                for (String arch : GoUnix.ARCHES) {
                    GoUnix go = KeventSource.of(abi, arch).go();
                    tally.check(abi.os + " " + go.name() + " " + header, go.find(header).isPresent(),
                            "the source has no " + header);
                    if (go.find(header).isPresent()) tally.equal(abi.os + " " + go.name() + " " + name, ours, go.constant(header));
                }
            }
        }
        for (Kevent.Abi abi : new Kevent.Abi[] {Kevent.DARWIN, Kevent.FREEBSD}) {
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = KeventSource.of(abi, arch).go();
                tally.equal(abi.os + " " + go.name() + " Abi.evfiltUser", abi.evfiltUser, go.constant("EVFILT_USER"));
            }
        }
        total += tally.verify();
        assertTrue(seen.containsAll(Set.of("EVFILT_READ", "EVFILT_USER_FREEBSD", "EV_EOF", "NOTE_TRIGGER")),
                "reflection saw " + seen);
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
