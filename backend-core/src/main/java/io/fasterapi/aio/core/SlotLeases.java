package io.fasterapi.aio.core;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Per-request memory (a msghdr, a WSABUF array) lent to an operation slot while the kernel holds
 * its request, and reused once it ends: a kernel interface keeps as many as requests of that kind
 * were ever out at once, not one per slot (slots number every pending operation, the reads of idle
 * connections included). Confined to the loop's thread.
 */
public final class SlotLeases<T> {
    private final Supplier<T> make;
    /** What each slot holds, or null. */
    private Object[] lent = new Object[0];
    private Object[] free = new Object[4];
    private int freeCount;

    /** Leases made by {@code make} when none is free. */
    public SlotLeases(Supplier<T> make) {
        this.make = make;
    }

    /** Lends one to {@code slot} (which must hold none), made if none is free. */
    @SuppressWarnings("unchecked")
    public T lend(int slot) {
        if (slot >= lent.length) lent = Arrays.copyOf(lent, Math.max(slot + 1, lent.length * 2));
        T t = freeCount > 0 ? (T) free[--freeCount] : make.get();
        free[freeCount] = null;
        lent[slot] = t;
        return t;
    }

    /** The request of {@code slot} ended: what it held, if anything, is free again. */
    public void giveBack(int slot) {
        if (slot >= lent.length || lent[slot] == null) return;
        if (freeCount == free.length) free = Arrays.copyOf(free, freeCount * 2);
        free[freeCount++] = lent[slot];
        lent[slot] = null;
    }

    /** What {@code slot} holds now, or null. */
    @SuppressWarnings("unchecked")
    public T lent(int slot) {
        return slot < lent.length ? (T) lent[slot] : null;
    }

    /** How many exist, lent or free (for tests). */
    public int made() {
        int n = freeCount;
        for (Object o : lent) if (o != null) n++;
        return n;
    }
}
