package io.fasterapi.aio.tck;

import java.io.File;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** This process's open file descriptors, from /proc/self/fd (Linux). */
public final class Fds {
    private static final File DIR = new File("/proc/self/fd");

    private Fds() {
    }

    /** Skips the test where /proc/self/fd does not exist. */
    public static void assumeCountable() {
        assumeTrue(DIR.isDirectory(), "no /proc/self/fd on this system: descriptors cannot be counted");
    }

    /** The number of open descriptors (the listing's own descriptor included, every time alike). */
    public static int count() {
        return open().size();
    }

    /** The open descriptor numbers. */
    public static Set<Integer> open() {
        String[] names = DIR.list();
        if (names == null) {
            throw new AssertionError("cannot list " + DIR);
        }
        Set<Integer> out = new TreeSet<>();
        for (String n : names) {
            out.add(Integer.parseInt(n));
        }
        return out;
    }
}
