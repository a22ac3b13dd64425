package io.fasterapi.aio.iouring;

import io.fasterapi.aio.spi.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class IoUringAvailabilityTest {

    @Test
    void availableOnThisKernel() {
        Availability a = new IoUringProvider().availability();
        assertTrue(a.available(), "io_uring should run on this machine's kernel: " + a.reason());
    }

    /**
     * The real refusal, not a simulation: a child JVM whose probing thread has a seccomp filter
     * answering io_uring_setup with EPERM (as a container policy does) must find io_uring
     * unavailable, and the reason must say so. Only that thread of that process is filtered:
     * nothing else on the machine loses io_uring while the test runs.
     */
    @Test
    void setupRefusedWithEpermIsExplained() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath(), SeccompDeniedProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        assertEquals(0, child.exitValue(), () -> "the child's exit status; it printed:\n" + out);
        assertTrue(out.contains("available=false"), () -> "io_uring must be unavailable under the filter:\n" + out);
        assertTrue(out.contains("EPERM") && out.contains("seccomp"), () -> "the reason names the refusal and its cause:\n" + out);
    }

    /** This JVM's module path, class path and test classes, as one class path for the child. */
    private static String classPath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(Path.of(SeccompDeniedProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        entries.add(Path.of(IoUringProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(property);
            if (v != null && !v.isEmpty()) entries.addAll(Set.of(v.split(File.pathSeparator)));
        }
        return String.join(File.pathSeparator, entries);
    }
}
