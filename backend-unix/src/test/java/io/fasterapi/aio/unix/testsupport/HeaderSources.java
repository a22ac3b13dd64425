package io.fasterapi.aio.unix.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the independent readings of the macOS and FreeBSD headers come from, and what a test does
 * when they are not installed: Go's golang.org/x/sys/unix ({@link GoUnix}) and Rust's libc crate
 * ({@link RustLibc}), both shipped as sources by Debian packages.
 *
 * <p>Missing sources skip the test, with the package to install in the message. With the
 * environment variable {@code CI=true} they fail it instead: CI installs the packages, so a
 * missing one there is a broken build, not a reason to check nothing.
 */
public final class HeaderSources {
    private HeaderSources() {
    }

    /** Whether missing sources fail the test ({@code CI=true}) rather than skip it. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Returns {@code dir}, or skips (fails, with {@code CI=true}) the calling test when it does not exist. */
    static Path require(Path dir, String debianPackage) {
        if (Files.isDirectory(dir)) return dir;
        missing(dir + " not found: install the Debian package " + debianPackage
                + " (apt-get install " + debianPackage + ")");
        return dir; // not reached
    }

    static void missing(String message) {
        if (required()) {
            throw new AssertionError("CI=true and " + message + "; CI must install it, the test does not skip there");
        }
        Assumptions.abort(message + "; the macOS/FreeBSD values are not checked (CI=true makes this a failure)");
    }
}
