package io.fasterapi.aio.unix.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks the C compiler for the truth about a struct: compiles a tiny program that prints
 * {@code sizeof}/{@code offsetof}/constant values, runs it, and returns name → value.
 * Skips the calling test (with the reason) when gcc is not installed.
 */
public final class CProbe {
    private CProbe() {
    }

    /**
     * @param includes  header names, e.g. "sys/epoll.h"
     * @param expressions name → C expression of integer type, e.g. "sizeof(struct epoll_event)"
     */
    public static Map<String, Long> evaluate(Path workDir, String[] includes, Map<String, String> expressions)
            throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("gcc"), "gcc is not installed: struct layouts cannot be checked against the C compiler");
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n");
        for (String h : includes) c.append("#include <").append(h).append(">\n");
        c.append("int main(void) {\n");
        expressions.forEach((name, expr) ->
                c.append("  printf(\"%s %lld\\n\", \"").append(name).append("\", (long long) (").append(expr).append("));\n"));
        c.append("  return 0;\n}\n");
        Path src = workDir.resolve("probe.c");
        Path exe = workDir.resolve("probe");
        Files.writeString(src, c, StandardCharsets.US_ASCII);
        run(workDir, "gcc", "-o", exe.toString(), src.toString());
        String out = run(workDir, exe.toString());
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String[] kv = line.trim().split(" ");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
