package io.fasterapi.aio.core;

/**
 * Packs handle, operation and buffer-pool ids: {@code [0][kind:2][loop:13][generation:24][index:24]}.
 *
 * <p>The generation makes an id stale once its slot is reused, so an old id can never reach a new
 * socket or operation; the kind keeps a handle from being taken for an operation (or a pool); the
 * loop number makes an id from another loop recognisable. Ids are always positive, so a result
 * {@code >= 0} can carry a handle.
 */
public final class Ids {
    public static final int INDEX_BITS = 24;
    public static final int GEN_BITS = 24;
    public static final int LOOP_BITS = 13;
    public static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    public static final int GEN_MASK = (1 << GEN_BITS) - 1;
    public static final int LOOP_MASK = (1 << LOOP_BITS) - 1;
    private static final int KIND_SHIFT = INDEX_BITS + GEN_BITS + LOOP_BITS;

    /** The kinds of id. */
    public static final int HANDLE = 0;
    public static final int OPERATION = 1;
    public static final int POOL = 2;

    private Ids() {
    }

    public static long make(int kind, int loop, int generation, int index) {
        return ((long) kind << KIND_SHIFT) | ((long) loop << (INDEX_BITS + GEN_BITS))
                | ((long) generation << INDEX_BITS) | index;
    }

    public static int kind(long id) {
        return (int) ((id >>> KIND_SHIFT) & 3);
    }

    public static int index(long id) {
        return (int) (id & INDEX_MASK);
    }

    public static int generation(long id) {
        return (int) ((id >>> INDEX_BITS) & GEN_MASK);
    }

    public static int loop(long id) {
        return (int) ((id >>> (INDEX_BITS + GEN_BITS)) & LOOP_MASK);
    }

    /** "handle", "operation", "buffer pool": for messages. */
    public static String kindName(int kind) {
        return switch (kind) {
            case HANDLE -> "handle";
            case OPERATION -> "operation";
            case POOL -> "buffer pool";
            default -> "unknown id";
        };
    }

    /** The next generation: never 0, so id 0 is never valid. */
    public static int nextGeneration(int g) {
        int n = (g + 1) & GEN_MASK;
        return n == 0 ? 1 : n;
    }

    /** Throws {@link IllegalArgumentException} unless {@code id} is an id of {@code kind} made by loop {@code loop}. */
    static void checkOwn(long id, int kind, int loop) {
        String what = kindName(kind);
        if (id <= 0 || generation(id) == 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(id) + " is not a " + what + " id");
        }
        if (kind(id) != kind) {
            throw new IllegalArgumentException("0x" + Long.toHexString(id) + " is a " + kindName(kind(id)) + " id, not a " + what + " id");
        }
        if (loop(id) != loop) {
            throw new IllegalArgumentException(what + " 0x" + Long.toHexString(id) + " belongs to another loop");
        }
    }
}
