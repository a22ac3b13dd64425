package io.fasterapi.aio.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every launcher finds a JDK 25 the same way (issue #16, item 2): with a Java 17 {@code java} first
 * on PATH and JAVA_HOME unset, as on this machine by default, they run on the JDK 25 under
 * /usr/lib/jvm; with no JDK 25 to be found, each stops with the same message.
 */
class LaunchersIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CONTAINER = Path.of(System.getProperty("aio.container.dir", "target/container"));

    private record Run(int exit, String out, String err) {
    }

    /** A Java 17 bin directory, or a skip with the reason. */
    private static Path java17() {
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            return homes.map(h -> h.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("java")))
                    .filter(b -> b.getParent().getFileName().toString().contains("17")).findFirst()
                    .orElseGet(() -> {
                        Assumptions.abort("no Java 17 under /usr/lib/jvm to put first on PATH");
                        return null;
                    });
        } catch (IOException e) {
            Assumptions.abort("no /usr/lib/jvm: " + e);
            return null;
        }
    }

    /** Runs {@code command} from the source tree with Java 17 first on PATH, JAVA_HOME unset, and {@code env} added. */
    private static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        Map<String, String> e = pb.environment();
        e.remove("JAVA_HOME");
        e.remove("MAVEN_OPTS");
        e.put("PATH", java17() + ":" + e.getOrDefault("PATH", "/usr/bin:/bin"));
        e.putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void theLaunchersFindJdk25WithJava17FirstOnThePath() throws Exception {
        Run v = run(Map.of(), "bash", "-c", "java -version 2>&1 | head -n 1");
        assertTrue(v.out().contains("\"17."), "the setting of this test: Java 17 first on PATH: " + v.out());
        Run felix = run(Map.of(), CONTAINER.resolve("bin/felix").toString(), "-version");
        assertEquals(0, felix.exit(), felix.err());
        assertTrue(felix.err().contains("version \"25") || felix.out().contains("version \"25"), "bin/felix runs a JDK 25: " + felix);
        Run test = run(Map.of(), "./test.sh", "--version");
        assertEquals(0, test.exit(), test.err());
        assertTrue(test.out().contains("Java version: 25"), "./test.sh runs Maven on a JDK 25: " + test.out());
        Run bench = run(Map.of(), "benchmarks/run.sh", "--help");
        assertEquals(0, bench.exit(), bench.err());
    }

    /** With no JDK 25 anywhere, every launcher stops at once with the same message, naming what it looked at. */
    @Test
    void everyLauncherFailsTheSameWayWithoutJdk25(@TempDir Path emptyJvmDir) throws Exception {
        Map<String, String> noJdk = Map.of("AIO_JVM_DIR", emptyJvmDir.toString());
        String expected = "error: need a JDK 25 or newer: JAVA_HOME is not set; nothing >= 25 under " + emptyJvmDir
                + " (looked at: nothing).";
        List<String[]> launchers = new ArrayList<>(List.of(
                new String[] {CONTAINER.resolve("bin/felix").toString()},
                new String[] {"bin/aio", "backends"},
                new String[] {"./run.sh"},
                new String[] {"./test.sh"}));
        try (Stream<Path> scripts = Files.list(ROOT.resolve("benchmarks"))) {
            scripts.filter(p -> p.toString().endsWith(".sh") && !p.getFileName().toString().equals("common.sh"))
                    .sorted().forEach(p -> launchers.add(new String[] {"benchmarks/" + p.getFileName(), "--help"}));
        }
        assertTrue(launchers.size() >= 8, "the benchmarks' launchers are found: " + launchers.size());
        for (String[] l : launchers) {
            Run r = run(noJdk, l);
            assertEquals(1, r.exit(), String.join(" ", l) + ": " + r);
            assertEquals(expected, r.err().lines().findFirst().orElse(""), String.join(" ", l) + ": " + r.err());
            assertEquals("", r.out(), String.join(" ", l) + " printed nothing else");
        }
    }
}
