package io.fasterapi.aio.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

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
     * leaves them out, a loop works the same and its events and MXBean are skipped. io_uring is
     * denied native access here, so create() falls back to epoll and records that fallback (the
     * API's own event) without jdk.jfr too. The program is a small module of its own, compiled
     * here against the API alone: the command line would bring java.management in through
     * Micrometer.
     */
    @Test
    void aLoopRunsOnAModulePathWithoutJfrAndJmx(@TempDir Path dir) throws Exception {
        Path lib = IMAGE.getParent().resolve("lib");
        Path src = Files.createDirectories(dir.resolve("src/probe"));
        Files.writeString(dir.resolve("src/module-info.java"), "module probe { requires io.fasterapi.aio; }");
        Files.writeString(src.resolve("Probe.java"), """
                package probe;

                import io.fasterapi.aio.AsyncIo;
                import java.net.InetSocketAddress;

                public final class Probe {
                    public static void main(String[] args) {
                        try (AsyncIo io = AsyncIo.create()) {
                            long listener = io.listen(new InetSocketAddress("127.0.0.1", 0));
                            io.accept(listener, e -> io.stop());
                            io.connect(io.localAddress(listener), e -> { });
                            io.run();
                            System.out.println("probe: " + io.backend() + " accepted " + io.stats().accepts());
                        }
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-d", classes.toString(),
                "--module-path", lib.toString(), dir.resolve("src/module-info.java").toString(), src.resolve("Probe.java").toString())
                .redirectErrorStream(true).start();
        String errors = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac finished");
        assertEquals(0, javac.exitValue(), "the probe compiles against the API: " + errors);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", lib + java.io.File.pathSeparator + classes,
                "--limit-modules", "probe,io.fasterapi.aio.epoll,io.fasterapi.aio.iouring",
                "--enable-native-access=io.fasterapi.aio.unix,io.fasterapi.aio.epoll", "--illegal-native-access=deny",
                "--show-module-resolution", "-m", "probe/probe.Probe");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("root probe "), "the probe ran on the module path: " + out);
        assertFalse(out.contains("jdk.jfr") || out.contains("java.management"), "neither module is resolved: " + out);
        assertTrue(out.contains("using epoll because a better backend is unavailable"), "create() fell back: " + out);
        assertTrue(out.contains("probe: epoll accepted 1"), out);

        // With both modules there and no recording, the fallback loads no event class: loading one
        // sets JFR's machinery going, a tenth of a second and a hundred classes, for nobody
        List<String> observable = new java.util.ArrayList<>(command);
        observable.set(observable.indexOf("--limit-modules") + 1, "probe,io.fasterapi.aio.epoll,io.fasterapi.aio.iouring,jdk.jfr,java.management");
        observable.addAll(observable.indexOf("-m"), List.of("--add-modules", "jdk.jfr,java.management", "-Xlog:class+load=info"));
        Process q = new ProcessBuilder(observable).redirectErrorStream(true).start();
        String loads = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(q.waitFor(120, TimeUnit.SECONDS), "the probe finished");
        assertEquals(0, q.exitValue(), loads);
        assertTrue(loads.contains("using epoll because a better backend is unavailable"), "create() fell back");
        assertTrue(loads.contains(" jdk.jfr.FlightRecorder source: jrt:/jdk.jfr"), "jdk.jfr was there to use");
        assertFalse(loads.contains("io.fasterapi.aio.jfr.BackendFallbackEvent source:"), "an event class was loaded with no recording");
        assertTrue(loads.contains("probe: epoll accepted 1"), loads);
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
