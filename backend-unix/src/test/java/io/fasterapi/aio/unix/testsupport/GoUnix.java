package io.fasterapi.aio.unix.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One system's constants and structs as Go's golang.org/x/sys/unix has them: files generated on
 * that system from its own C headers ({@code mkerrors.sh} and {@code cgo -godefs}), read here
 * from the sources the Debian package {@value #DEBIAN_PACKAGE} installs. They are a reading of
 * the headers independent of ours, so a number we misread fails against them.
 *
 * <ul>
 *   <li>{@code zerrors_GOOS[_GOARCH].go}: {@code NAME = 0x...} constants and
 *       {@code ENAME = syscall.Errno(0x...)} errno numbers;</li>
 *   <li>{@code ztypes_GOOS[_GOARCH].go}: {@code type X struct {...}} with Go field types (the
 *       padding cgo saw is written out as {@code _ [n]byte}), and {@code SizeofX} constants. Field
 *       offsets are computed with natural alignment, as Go lays the struct out, and a struct's
 *       size is checked against its {@code Sizeof} constant where Go emits one.</li>
 * </ul>
 */
public final class GoUnix {
    public static final String DEBIAN_PACKAGE = "golang-golang-x-sys-dev";
    public static final Path DIR = Path.of("/usr/share/gocode/src/golang.org/x/sys/unix");
    /** The 64-bit architectures Go generates for both macOS and FreeBSD. */
    public static final List<String> ARCHES = List.of("amd64", "arm64");

    private static final Pattern CONST = Pattern.compile(
            "^\\s*([A-Z][A-Za-z0-9_]*)\\s*=\\s*(syscall\\.(?:Errno|Signal)\\()?(-?(?:0x[0-9a-fA-F]+|[0-9]+))\\)?\\s*(?://.*)?$",
            Pattern.MULTILINE);
    private static final Pattern STRUCT = Pattern.compile("^type (\\w+) struct \\{\\n(.*?)^}", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern ALIAS = Pattern.compile("^type (\\w+) (\\w+)$", Pattern.MULTILINE);
    private static final Pattern FIELD = Pattern.compile("^(\\w+)\\s+(\\S+)\\s*(?:/\\*.*\\*/|//.*)?$");
    private static final Pattern ARRAY = Pattern.compile("^\\[(\\d+)](.+)$");
    private static final Map<String, GoUnix> LOADED = new ConcurrentHashMap<>();

    /** A struct field: its Go name and type, offset and size in bytes. */
    public record Field(String name, String type, long offset, long size) {
    }

    /** A struct as Go lays it out. */
    public record Struct(String name, List<Field> fields, long size, long alignment) {
        public Field field(String fieldName) {
            for (Field f : fields) if (f.name.equals(fieldName)) return f;
            throw new IllegalArgumentException(name + " has no field " + fieldName + ": " + fields);
        }
    }

    private final String goos;
    private final String goarch;
    private final Map<String, Long> constants = new HashMap<>();
    private final Map<String, Long> errnos = new TreeMap<>();
    private final Map<String, String> structBodies = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, Struct> structs = new ConcurrentHashMap<>();

    private GoUnix(String goos, String goarch) {
        this.goos = goos;
        this.goarch = goarch;
        for (String kind : new String[] {"zerrors", "ztypes"}) {
            read(DIR.resolve(kind + "_" + goos + ".go"), false);
            read(DIR.resolve(kind + "_" + goos + "_" + goarch + ".go"), true);
        }
    }

    /**
     * The sources for {@code goos} ("darwin", "freebsd", "linux") on {@code goarch}; skips the
     * calling test (fails it with {@code CI=true}) when the package is not installed.
     */
    public static GoUnix load(String goos, String goarch) {
        HeaderSources.require(DIR, DEBIAN_PACKAGE);
        return LOADED.computeIfAbsent(goos + "/" + goarch, k -> new GoUnix(goos, goarch));
    }

    private void read(Path file, boolean mustExist) {
        if (!Files.exists(file)) {
            if (mustExist) HeaderSources.missing(file + " not found (" + DEBIAN_PACKAGE + " without " + goos + "/" + goarch + "?)");
            return;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = CONST.matcher(text);
        while (m.find()) {
            String digits = m.group(3).startsWith("-") ? m.group(3).substring(1) : m.group(3);
            long magnitude = digits.startsWith("0x") ? Long.parseUnsignedLong(digits.substring(2), 16)
                    : Long.parseUnsignedLong(digits); // unsigned: some masks are 0xffffffffffffffff
            long value = m.group(3).startsWith("-") ? -magnitude : magnitude;
            Map<String, Long> into = m.group(2) == null ? constants : m.group(2).contains("Errno") ? errnos : null;
            if (into == null) continue; // a signal
            Long before = into.put(m.group(1), value);
            if (before != null && before != value) {
                throw new IllegalStateException(file + ": " + m.group(1) + " is both " + before + " and " + value);
            }
        }
        Matcher s = STRUCT.matcher(text);
        while (s.find()) structBodies.put(s.group(1), s.group(2));
        Matcher a = ALIAS.matcher(text);
        while (a.find()) aliases.put(a.group(1), a.group(2));
    }

    /** "darwin/arm64", for messages. */
    public String name() {
        return goos + "/" + goarch;
    }

    public String goos() {
        return goos;
    }

    /** The constant {@code name} ({@code NAME = 0x...}), if the system has it. */
    public OptionalLong find(String name) {
        return optional(constants.get(name));
    }

    /** The constant {@code name}; fails when the source has none. */
    public long constant(String name) {
        return required(constants.get(name), "constant", name);
    }

    /** The errno number {@code name} ({@code ENAME = syscall.Errno(0x...)}), if the system has it. */
    public OptionalLong findErrno(String name) {
        return optional(errnos.get(name));
    }

    /** The errno number {@code name}; fails when the source has none. */
    public int errno(String name) {
        return (int) required(errnos.get(name), "errno", name);
    }

    private static OptionalLong optional(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private long required(Long v, String kind, String name) {
        if (v == null) throw new AssertionError("golang.org/x/sys/unix " + name() + " has no " + kind + " " + name);
        return v;
    }

    /**
     * Every errno name and its number, without {@code ELAST} (the highest number in use, not an
     * error of its own).
     */
    public Map<String, Long> errnos() {
        Map<String, Long> all = new TreeMap<>(errnos);
        all.remove("ELAST");
        return all;
    }

    /** Every {@code Sizeof...} constant of the ztypes files. */
    public Map<String, Long> sizeofConstants() {
        Map<String, Long> all = new TreeMap<>();
        constants.forEach((k, v) -> {
            if (k.startsWith("Sizeof")) all.put(k, v);
        });
        return all;
    }

    /** Whether the ztypes files define struct {@code name}. */
    public boolean hasStruct(String name) {
        return structBodies.containsKey(name);
    }

    /** Struct {@code name} laid out with natural alignment. */
    public Struct struct(String name) {
        Struct done = structs.get(name);
        if (done != null) return done;
        String body = structBodies.get(name);
        if (body == null) throw new AssertionError("golang.org/x/sys/unix " + name() + " has no struct " + name);
        List<Field> fields = new ArrayList<>();
        long offset = 0;
        long alignment = 1;
        for (String line : body.split("\n")) {
            String l = line.trim();
            if (l.isEmpty()) continue;
            Matcher f = FIELD.matcher(l);
            if (!f.matches()) throw new IllegalStateException(name() + " struct " + name + ": cannot read field '" + l + "'");
            long[] sa = sizeAndAlignment(f.group(2));
            offset = align(offset, sa[1]);
            fields.add(new Field(f.group(1), f.group(2), offset, sa[0]));
            offset += sa[0];
            alignment = Math.max(alignment, sa[1]);
        }
        Struct s = new Struct(name, List.copyOf(fields), align(offset, alignment), alignment);
        structs.put(name, s);
        return s;
    }

    /**
     * Struct {@code name}, after checking the size computed from its fields against Go's own
     * {@code sizeofConstant} (e.g. {@code SizeofSockaddrInet4}).
     */
    public Struct struct(String name, String sizeofConstant) {
        Struct s = struct(name);
        long declared = constant(sizeofConstant);
        if (s.size != declared) {
            throw new AssertionError(name() + ": " + name + " adds up to " + s.size + " bytes but " + sizeofConstant
                    + " = " + declared + ": the field reading is wrong");
        }
        return s;
    }

    private long[] sizeAndAlignment(String type) {
        if (type.startsWith("*")) {
            long p = constant("SizeofPtr");
            return new long[] {p, p};
        }
        Matcher a = ARRAY.matcher(type);
        if (a.matches()) {
            long[] e = sizeAndAlignment(a.group(2));
            return new long[] {Long.parseLong(a.group(1)) * e[0], e[1]};
        }
        switch (type) {
            case "int8", "uint8", "byte", "bool" -> {
                return new long[] {1, 1};
            }
            case "int16", "uint16" -> {
                return new long[] {2, 2};
            }
            case "int32", "uint32", "float32", "rune" -> {
                return new long[] {4, 4};
            }
            case "int64", "uint64", "float64" -> {
                return new long[] {8, 8};
            }
            case "int", "uint", "uintptr" -> {
                long p = constant("SizeofPtr");
                return new long[] {p, p};
            }
            default -> {
                if (aliases.containsKey(type)) return sizeAndAlignment(aliases.get(type));
                Struct s = struct(type);
                return new long[] {s.size, s.alignment};
            }
        }
    }

    private static long align(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    @Override
    public String toString() {
        return "golang.org/x/sys/unix " + name() + " (" + DEBIAN_PACKAGE + ")";
    }
}
