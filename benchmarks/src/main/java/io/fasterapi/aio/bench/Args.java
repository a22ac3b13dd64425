package io.fasterapi.aio.bench;

import java.util.HashMap;
import java.util.Map;

/** A tiny {@code --name value} parser: the benchmark mains take a handful of options each. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, String... known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got: " + a);
            }
            String name = a.substring(2);
            if (!java.util.List.of(known).contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + String.join(", ", known) + ")");
            }
            values.put(name, args[++i]);
        }
    }

    String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    int getInt(String name, int def) {
        String v = values.get(name);
        return v == null ? def : Integer.parseInt(v);
    }

    double getDouble(String name, double def) {
        String v = values.get(name);
        return v == null ? def : Double.parseDouble(v);
    }

    /** The workload's mode: "echo", "http" or "mrc" (the 1MRC endpoints, served by the Mrc* servers only). */
    static Mode mode(String s) {
        return switch (s) {
            case "echo" -> Mode.ECHO;
            case "http" -> Mode.HTTP;
            case "mrc" -> Mode.MRC;
            default -> throw new IllegalArgumentException("--mode must be echo, http or mrc, was " + s);
        };
    }

    enum Mode { ECHO, HTTP, MRC }
}
