package io.fasterapi.aio.unix.testsupport;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Compares our values with a source's and counts the comparisons: every mismatch is collected
 * and reported together by {@link #verify()}, which also prints how many values were checked.
 */
public final class SourceTally {
    private final String subject;
    private final List<String> mismatches = new ArrayList<>();
    private int checked;

    /** {@code subject}: what is compared with what, e.g. "SocketConstants.DARWIN vs golang.org/x/sys/unix darwin/arm64". */
    public SourceTally(String subject) {
        this.subject = subject;
    }

    /** Our value {@code ours} of {@code what} must be the source's {@code source}. */
    public void equal(String what, long ours, long source) {
        checked++;
        if (ours != source) mismatches.add(what + ": ours " + ours + " (0x" + Long.toHexString(ours) + "), source "
                + source + " (0x" + Long.toHexString(source) + ")");
    }

    /** A fact about our value that the source decides ({@code detail} says what each side has). */
    public void check(String what, boolean holds, String detail) {
        checked++;
        if (!holds) mismatches.add(what + ": " + detail);
    }

    /**
     * Our struct layout against Go's: the size, the alignment, and every named member's offset and
     * size. A member {@code prefix + x} matches Go's field {@code X} (case-insensitive:
     * {@code sin6_scope_id} is {@code Scope_id}); every Go field but {@code _} padding must have
     * its member.
     */
    public void layout(String what, StructLayout ours, String prefix, GoUnix.Struct source) {
        equal(what + " size", ours.byteSize(), source.size());
        equal(what + " alignment", ours.byteAlignment(), source.alignment());
        Set<String> matched = new HashSet<>();
        for (MemoryLayout member : ours.memberLayouts()) {
            if (member instanceof PaddingLayout) continue;
            String name = member.name().orElseThrow(() -> new AssertionError(what + ": unnamed member " + member));
            String key = (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
            GoUnix.Field f = source.fields().stream().filter(g -> g.name().toLowerCase(Locale.ROOT).equals(key))
                    .findFirst().orElse(null);
            if (f == null) {
                check(what + "." + name, false, "no field '" + key + "' in Go's " + source.name() + " " + source.fields());
                continue;
            }
            matched.add(f.name());
            equal(what + "." + name + " offset", ours.byteOffset(groupElement(name)), f.offset());
            equal(what + "." + name + " size", member.byteSize(), f.size());
        }
        for (GoUnix.Field f : source.fields()) {
            if (!f.name().equals("_")) {
                check(what + " has Go's " + f.name(), matched.contains(f.name()), "Go's " + source.name() + "."
                        + f.name() + " (" + f.type() + ", offset " + f.offset() + ") has no member in our layout");
            }
        }
    }

    /** How many values were compared so far. */
    public int count() {
        return checked;
    }

    /** Prints the count; fails listing every mismatch. Returns the count. */
    public int verify() {
        System.out.println("[header sources] " + subject + ": " + checked + " values checked, "
                + mismatches.size() + " wrong");
        if (!mismatches.isEmpty()) {
            throw new AssertionError(subject + ": " + mismatches.size() + " of " + checked
                    + " values differ from the source:\n  " + String.join("\n  ", mismatches));
        }
        return checked;
    }
}
