package io.fasterapi.aio.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jlink runtime image built by this module's package phase: it runs with no JDK around (an
 * empty environment: no JAVA_HOME, only /usr/bin and /bin on PATH), prints no warning (native
 * access is granted by module name), and finds the backends through ServiceLoader.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "checks that epoll and io_uring are available in the image")
class ImageIT {
    private static final Path IMAGE = Path.of(System.getProperty("aio.image.dir", "target/image"));

    private record Run(int exit, String out, String err) {
    }

    private static Run aio(String... args) throws IOException, InterruptedException {
        List<String> command = Stream.concat(Stream.of(IMAGE.resolve("bin/aio").toString()), Stream.of(args)).toList();
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "aio " + String.join(" ", args) + " finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void backendsListsEpollAndIoUringAsAvailableWithoutWarnings() throws Exception {
        assertTrue(Files.isExecutable(IMAGE.resolve("bin/aio")), "the image has its launcher: " + IMAGE);
        Run r = aio("backends");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("WARNING"), "no JVM warning: " + r.err());
        assertTrue(r.out().matches("(?s).*\\nio_uring\\s+200\\s+yes.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nepoll\\s+100\\s+yes.*"), r.out());
        assertTrue(r.out().contains("kqueue") && r.out().contains("iocp"), "every backend module is in the image: " + r.out());
        System.out.printf("[image] %s: %,d bytes on disk%n", IMAGE, size(IMAGE));
    }

    @Test
    void demoRunsOnEachBackendInsideTheImage() throws Exception {
        for (String backend : new String[] {"epoll", "io_uring"}) {
            Run r = aio("demo", "--backend", backend, "-c", "10", "-m", "100");
            assertEquals(0, r.exit(), backend + ": " + r.out() + r.err());
            assertTrue(r.out().contains("verification   OK"), r.out());
            assertFalse(r.err().contains("WARNING"), r.err());
        }
    }

    /**
     * JFR and JMX are optional modules of the library (requires static): on a module path that
     * leaves them out, the loop works the same and its events and MXBean are skipped. io_uring
     * is denied native access here, so create() falls back to epoll and records that fallback
     * (the API's own event) without jdk.jfr too.
     */
    @Test
    void runsOnAModulePathWithoutJfrAndJmx() throws Exception {
        Path target = IMAGE.getParent();
        try (Stream<Path> jars = Files.list(target)) {
            String cli = jars.filter(f -> f.getFileName().toString().matches("aio-distribution-.*\\.jar")).findFirst()
                    .orElseThrow().toString();
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", target.resolve("lib") + java.io.File.pathSeparator + cli,
                    "--limit-modules", "io.fasterapi.aio.cli,io.fasterapi.aio.epoll,io.fasterapi.aio.iouring",
                    "--enable-native-access=io.fasterapi.aio.unix,io.fasterapi.aio.epoll", "--illegal-native-access=deny",
                    "--show-module-resolution", "-m", "io.fasterapi.aio.cli/io.fasterapi.aio.cli.Main", "demo", "-c", "10", "-m", "100");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the demo finished");
            assertEquals(0, p.exitValue(), out);
            assertFalse(out.contains("jdk.jfr") || out.contains("java.management"), "neither module is resolved: " + out);
            assertTrue(out.contains("using epoll because a better backend is unavailable"), "create() fell back: " + out);
            assertTrue(out.contains("verification   OK"), out);
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
