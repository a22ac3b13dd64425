package io.fasterapi.aio.tck;

import org.junit.jupiter.api.Assumptions;

import java.io.File;

/** Programs we did not write that tests use as peers (socat, curl): found on PATH, or the test skips (fails with CI=true). */
public final class Tools {
    private Tools() {
    }

    /** Skips the test when {@code tool} is not on PATH, or fails it when {@code CI=true} (CI installs it). */
    public static void require(String tool, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (new File(d, tool).canExecute()) return;
            }
        }
        String why = tool + " is not installed (Debian package " + debianPackage + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + ". CI=true: failing instead of skipping, as CI must install it.");
        }
        Assumptions.abort(why);
    }
}
