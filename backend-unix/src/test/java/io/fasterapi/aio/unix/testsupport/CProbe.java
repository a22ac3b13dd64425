package io.fasterapi.aio.unix.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the C compiler for the truth about a struct: compiles a tiny program that prints
 * {@code sizeof}/{@code offsetof}/constant values, runs it, and returns name → value.
 * Skips the calling test (with the reason) when gcc is not installed.
 *
 * <p>{@link #compileOnly} asks a compiler for headers of another OS (a cross compiler such as
 * mingw-w64's for the Windows SDK): it reads the values from the assembly, running nothing.
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

    /**
     * Compiles {@code source} to assembly with {@code compiler -S -Werror} (never linking or
     * running anything, so a cross compiler will do) and returns the data of every global object
     * it defines, by name. Each such object must be made of 64-bit integers
     * ({@code const unsigned long long}, or a struct or array of them), which gcc emits as
     * {@code .quad} (zeros as {@code .space}); anything else is an error. {@code -Werror}: a
     * warning (an initialiser that overflows its type, say) means the probe did not ask what it meant.
     *
     * <p>Without the compiler the calling test is skipped with a message naming
     * {@code debianPackage}, except under CI ({@code CI=true}), where it fails: CI installs the
     * package, so a missing compiler there is a broken setup, not a reason to check nothing.
     */
    public static Map<String, long[]> compileOnly(Path workDir, String compiler, String debianPackage, String source)
            throws IOException, InterruptedException {
        requireTool(compiler, debianPackage);
        Path src = workDir.resolve("probe.c");
        Path asm = workDir.resolve("probe.s");
        Files.writeString(src, source, StandardCharsets.US_ASCII);
        run(workDir, compiler, "-S", "-Werror", "-o", asm.toString(), src.toString());
        return quads(Files.readAllLines(asm, StandardCharsets.US_ASCII));
    }

    /** Skips the test when {@code tool} is missing, or fails it when {@code CI=true}. */
    public static void requireTool(String tool, String debianPackage) {
        requireTool(tool, debianPackage, System.getenv("CI"));
    }

    static void requireTool(String tool, String debianPackage, String ci) {
        if (onPath(tool)) return;
        String why = tool + " is not installed (Debian package " + debianPackage + "): the values cannot be checked "
                + "against the headers it carries";
        if ("true".equalsIgnoreCase(ci)) {
            throw new AssertionError(why + ". CI=true: failing instead of skipping, as CI must install it.");
        }
        Assumptions.abort(why);
    }

    private static final Pattern GLOBAL = Pattern.compile("\\s*\\.globl\\s+(\\S+)\\s*");
    private static final Pattern LABEL = Pattern.compile("([A-Za-z_.$][\\w.$]*):\\s*");
    private static final Pattern QUAD = Pattern.compile("\\s*\\.quad\\s+(-?(?:0x)?[0-9a-fA-F]+)\\s*");
    private static final Pattern ZEROS = Pattern.compile("\\s*\\.(?:space|zero)\\s+(\\d+)\\s*");
    private static final Pattern DATA = Pattern.compile("\\s*\\.(?:byte|short|word|value|long|int|quad|ascii|asciz|string|space|zero)\\b.*");

    /** The {@code .quad} data of each global label in gcc's assembly output. */
    static Map<String, long[]> quads(List<String> lines) throws IOException {
        Set<String> globals = new HashSet<>();
        for (String line : lines) {
            Matcher g = GLOBAL.matcher(line);
            if (g.matches()) globals.add(g.group(1));
        }
        Map<String, List<Long>> data = new LinkedHashMap<>();
        List<Long> current = null;
        String label = null;
        for (String line : lines) {
            Matcher m;
            if ((m = LABEL.matcher(line)).matches()) {
                label = m.group(1);
                current = globals.contains(label) ? data.computeIfAbsent(label, k -> new ArrayList<>()) : null;
            } else if (current == null) {
                continue;
            } else if ((m = QUAD.matcher(line)).matches()) {
                String v = m.group(1);
                current.add(v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : new BigInteger(v).longValue());
            } else if ((m = ZEROS.matcher(line)).matches()) {
                int bytes = Integer.parseInt(m.group(1));
                if (bytes % 8 != 0) throw new IOException(label + ": " + bytes + " zero bytes, not whole 64-bit values");
                for (int i = 0; i < bytes / 8; i++) current.add(0L);
            } else if (DATA.matcher(line).matches()) {
                throw new IOException(label + " holds data that is not 64-bit (declare it unsigned long long): " + line.trim());
            }
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        data.forEach((name, values) -> out.put(name, values.stream().mapToLong(Long::longValue).toArray()));
        return out;
    }

    private static boolean onPath(String tool) {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool)) || windows && Files.isExecutable(Path.of(dir, tool + ".exe"))) {
                return true;
            }
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
