import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Gives every automatic module in a directory of jars an explicit module descriptor, so that jlink
 * (which refuses automatic modules) can put it in the runtime image: jdeps writes each descriptor
 * from what the jar's classes use, javac compiles it against the jar, and jar adds it.
 *
 * <p>Run by the build on its own copies of third-party jars (distribution/target/lib):
 * {@code java Modularize.java DIR WORK}. Dependencies of those jars that are not in DIR (optional
 * integrations, such as Micrometer's for Jetty or Kafka) are left out of the descriptors, and so
 * is a {@code provides} of a service type none of these modules has (Micrometer's for
 * context-propagation): their classes are never loaded by this distribution. For the same reason
 * the JDK modules that only such integrations use ({@link #UNUSED_JDK}) are required {@code static},
 * so the runtime image does not link them.
 */
public final class Modularize {
    public static void main(String[] args) throws IOException {
        Path lib = Path.of(args[0]);
        Path work = Path.of(args[1]);
        List<ModuleReference> automatic = ModuleFinder.of(lib).findAll().stream()
                .filter(m -> m.descriptor().isAutomatic()).toList();
        if (automatic.isEmpty()) return;
        deleteTree(work);
        List<String> jdeps = new ArrayList<>(List.of("--ignore-missing-deps", "--multi-release", "base",
                "--module-path", lib.toString(), "--generate-module-info", work.resolve("src").toString()));
        automatic.forEach(m -> jdeps.add(jar(m).toString()));
        run("jdeps", jdeps);
        Set<String> packages = new HashSet<>();
        Stream.concat(ModuleFinder.of(lib).findAll().stream(), ModuleFinder.ofSystem().findAll().stream())
                .forEach(m -> packages.addAll(m.descriptor().packages()));
        for (ModuleReference m : automatic) {
            String name = m.descriptor().name();
            Path classes = work.resolve("classes").resolve(name);
            Path source = descriptor(work.resolve("src").resolve(name));
            String written = withoutUnknownServices(Files.readString(source), packages);
            Files.writeString(source, UNUSED_JDK.matcher(written).replaceAll("requires static $1;"));
            run("javac", List.of("-Xlint:-requires-automatic,-requires-transitive-automatic", "--module-path", lib.toString(), "--patch-module", name + "=" + jar(m),
                    "-d", classes.toString(), source.toString()));
            run("jar", List.of("--update", "--file", jar(m).toString(), "-C", classes.toString(), "module-info.class"));
        }
    }

    /**
     * JDK modules Micrometer's core needs only in binders this distribution never loads (jdeps:
     * java.desktop for Log4j2Metrics' java.beans listeners, java.sql for the database binders):
     * linking them would add about 15 MB to the image.
     */
    private static final Pattern UNUSED_JDK = Pattern.compile("requires\\s+(?:transitive\\s+)?(java\\.desktop|java\\.sql)\\s*;");

    private static final Pattern PROVIDES = Pattern.compile("provides\\s+([\\w.]+)\\.\\w+\\s+with[^;]*;");

    private static String withoutUnknownServices(String descriptor, Set<String> packages) {
        return PROVIDES.matcher(descriptor).replaceAll(p -> packages.contains(p.group(1)) ? Matcher.quoteReplacement(p.group()) : "");
    }

    private static Path jar(ModuleReference m) {
        return Path.of(m.location().orElseThrow());
    }

    /** jdeps writes NAME/module-info.java, or NAME/versions/N/module-info.java for a multi-release jar. */
    private static Path descriptor(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().equals("module-info.java")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("jdeps wrote no module-info.java under " + dir));
        }
    }

    /** Runs a JDK tool, quietly (jdeps reports every file it writes) unless it fails. */
    private static void run(String tool, List<String> args) {
        var output = new java.io.StringWriter();
        var out = new java.io.PrintWriter(output);
        int status = ToolProvider.findFirst(tool).orElseThrow().run(out, out, args.toArray(String[]::new));
        if (status != 0) throw new IllegalStateException(tool + " " + String.join(" ", args) + " exited with " + status + ":\n" + output);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
