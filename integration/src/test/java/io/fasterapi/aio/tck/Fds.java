package io.fasterapi.aio.tck;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * This process's open file descriptors, where the OS lets a process list them: {@code /proc/self/fd}
 * on Linux, {@code /dev/fd} on macOS (and on FreeBSD with fdescfs mounted). Windows has no such
 * listing. Tests count descriptors only where they can, and run everything else everywhere:
 * {@link #assertCount} checks a count where descriptors are countable and otherwise says once why
 * it was skipped.
 */
public final class Fds {
    private static final File DIR = listing();
    private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();

    private Fds() {
    }

    /** The directory listing this process's descriptors, or null where there is none that works. */
    private static File listing() {
        for (String path : new String[] {"/proc/self/fd", "/dev/fd"}) {
            File dir = new File(path);
            if (dir.isDirectory() && listsOwnDescriptors(dir)) return dir;
        }
        return null;
    }

    /**
     * Whether opening a file adds an entry: FreeBSD's /dev/fd without fdescfs lists only 0, 1 and 2
     * whatever is open.
     */
    private static boolean listsOwnDescriptors(File dir) {
        try {
            File f = Files.createTempFile("fds", ".probe").toFile();
            try {
                int before = list(dir).size();
                try (FileInputStream in = new FileInputStream(f)) {
                    return list(dir).size() == before + 1;
                }
            } finally {
                f.delete();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether this process's descriptors can be counted here. */
    public static boolean countable() {
        return DIR != null;
    }

    /** Why they cannot, for skip messages. */
    public static String whyNotCountable() {
        return "no listing of a process's descriptors on " + System.getProperty("os.name")
                + " (neither /proc/self/fd nor a working /dev/fd): descriptor counts not checked";
    }

    /**
     * The number of open descriptors (the listing's own descriptor included, every time alike), or
     * -1 where they cannot be counted; a count of -1 is only ever passed back to {@link #assertCount}.
     */
    public static int count() {
        return DIR == null ? -1 : list(DIR).size();
    }

    /** The open descriptor numbers; empty where they cannot be listed. */
    public static Set<Integer> open() {
        return DIR == null ? Set.of() : list(DIR);
    }

    /**
     * Asserts that {@code expected} descriptors are open, where they can be counted; elsewhere
     * prints once that descriptor assertions are skipped, and the test goes on.
     */
    public static void assertCount(int expected, String what) {
        if (DIR == null) {
            if (SKIP_REPORTED.compareAndSet(false, true)) {
                System.out.println("[SKIPPED] " + whyNotCountable());
            }
            return;
        }
        assertEquals(expected, count(), what);
    }

    /** {@link #assertCount(int, String)} with a message made only on failure. */
    public static void assertCount(int expected, java.util.function.Supplier<String> what) {
        if (DIR == null) {
            assertCount(expected, "");
            return;
        }
        assertEquals(expected, count(), what);
    }

    private static Set<Integer> list(File dir) {
        String[] names = dir.list();
        if (names == null) {
            throw new AssertionError("cannot list " + dir);
        }
        Set<Integer> out = new TreeSet<>();
        for (String n : names) {
            out.add(Integer.parseInt(n));
        }
        return out;
    }
}
