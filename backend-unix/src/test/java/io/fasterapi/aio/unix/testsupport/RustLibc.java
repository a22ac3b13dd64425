package io.fasterapi.aio.unix.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Struct sizes from Rust's libc crate, for what Go's golang.org/x/sys/unix does not define
 * ({@code struct sockaddr_storage}): read from the sources the Debian package
 * {@value #DEBIAN_PACKAGE} installs under {@code /usr/share/cargo/registry/libc-0.2.*}. Only
 * {@code #[repr(C)]} structs of fixed-size fields are read (u8..i64, arrays of them, and
 * {@code pub type} aliases of those), laid out with natural alignment.
 */
public final class RustLibc {
    public static final String DEBIAN_PACKAGE = "librust-libc-dev";
    static final Path REGISTRY = Path.of("/usr/share/cargo/registry");
    private static final Pattern ARRAY = Pattern.compile("^\\[(.+);\\s*(\\d+)]$");
    private static final Pattern FIELD = Pattern.compile("^(?:pub\\s+)?(\\w+)\\s*:\\s*(.+?),$");

    private final Path bsd;

    private RustLibc(Path crate) {
        this.bsd = crate.resolve("src/unix/bsd");
    }

    /** The newest libc crate installed; skips the calling test (fails it with {@code CI=true}) when there is none. */
    public static RustLibc load() {
        HeaderSources.require(REGISTRY, DEBIAN_PACKAGE);
        try (Stream<Path> dirs = Files.list(REGISTRY)) {
            Path crate = dirs.filter(d -> d.getFileName().toString().matches("libc-0\\.2\\.\\d+"))
                    .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(9))))
                    .orElse(null);
            if (crate == null) HeaderSources.missing("no libc-0.2.* crate in " + REGISTRY + ": install " + DEBIAN_PACKAGE);
            return new RustLibc(crate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The crate's directory, for messages. */
    public Path crate() {
        return bsd.getParent().getParent().getParent();
    }

    /**
     * {@code sizeof} the first {@code pub struct name} in {@code file} (relative to
     * {@code src/unix/bsd}, e.g. "apple/mod.rs", "freebsdlike/mod.rs").
     */
    public long structSize(String file, String name) {
        String text = read(bsd.resolve(file));
        Matcher start = Pattern.compile("pub struct " + name + " \\{\\n").matcher(text);
        if (!start.find()) throw new AssertionError(crate() + ": no struct " + name + " in " + file);
        String body = text.substring(start.end(), text.indexOf("\n    }", start.end()));
        long offset = 0;
        long alignment = 1;
        for (String line : body.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("//") || l.startsWith("#[")) continue;
            Matcher f = FIELD.matcher(l);
            if (!f.matches()) throw new IllegalStateException(crate() + " " + file + " " + name + ": cannot read '" + l + "'");
            long[] sa = sizeAndAlignment(f.group(2), file);
            offset = (offset + sa[1] - 1) / sa[1] * sa[1];
            offset += sa[0];
            alignment = Math.max(alignment, sa[1]);
        }
        return (offset + alignment - 1) / alignment * alignment;
    }

    private long[] sizeAndAlignment(String type, String file) {
        Matcher a = ARRAY.matcher(type);
        if (a.matches()) {
            long[] e = sizeAndAlignment(a.group(1).trim(), file);
            return new long[] {Long.parseLong(a.group(2)) * e[0], e[1]};
        }
        String t = type.startsWith("::") ? type.substring(2) : type;
        return switch (t) {
            case "u8", "i8" -> new long[] {1, 1};
            case "u16", "i16" -> new long[] {2, 2};
            case "u32", "i32" -> new long[] {4, 4};
            case "u64", "i64" -> new long[] {8, 8};
            default -> sizeAndAlignment(alias(t, file), file);
        };
    }

    /** {@code pub type name = T;} from {@code file}, the BSD module or the unix module. */
    private String alias(String name, String file) {
        Pattern p = Pattern.compile("^pub type " + name + " = ([\\w:]+);", Pattern.MULTILINE);
        for (Path f : new Path[] {bsd.resolve(file), bsd.resolve("mod.rs"), bsd.getParent().resolve("mod.rs")}) {
            Matcher m = p.matcher(read(f));
            if (m.find()) return m.group(1);
        }
        throw new IllegalStateException(crate() + ": type " + name + " (used in " + file + ") not found");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
