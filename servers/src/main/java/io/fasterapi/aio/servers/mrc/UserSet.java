package io.fasterapi.aio.servers.mrc;

import java.util.Arrays;

/**
 * A thread-safe set of user ids kept as UTF-8 bytes: open addressing in 64 stripes, each under its
 * own lock, the bytes of its keys in one growing array. Adding a known id allocates nothing; only a
 * new id can (when a stripe grows).
 */
final class UserSet {
    private static final int STRIPES = 64;
    private final Stripe[] stripes = new Stripe[STRIPES];

    UserSet() {
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Stripe();
    }

    /** Adds the first {@code length} bytes of {@code key}; true when it was new. */
    boolean add(byte[] key, int length) {
        int h = hash(key, length);
        Stripe s = stripes[h >>> 26]; // the top 6 bits choose the stripe, the low bits the slot
        synchronized (s) {
            return s.add(key, length, h);
        }
    }

    /** How many distinct ids were added. */
    long size() {
        long n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    static int hash(byte[] key, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h = (h ^ (key[i] & 0xFF)) * 0x01000193;
        }
        h ^= h >>> 16; // spread, so that both the top and the bottom bits vary
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    /**
     * One stripe: open addressing over {@code slots}, each slot the key's hash in its high half
     * and its entry number + 1 in its low half (0: empty), so that a probe compares hashes without
     * touching the entries; an entry is its key's offset and length in {@code bytes}, in one long.
     * A lookup of a known id reads a slot, an entry and the bytes.
     */
    private static final class Stripe {
        long[] slots = new long[64];
        long[] entries = new long[32]; // offset << 32 | length
        byte[] bytes = new byte[1024];
        int used;
        int size;

        boolean add(byte[] key, int length, int h) {
            int mask = slots.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                long s = slots[i];
                if (s == 0) {
                    insert(i, key, length, h);
                    return true;
                }
                if ((int) (s >>> 32) == h) {
                    long e = entries[(int) s - 1];
                    int offset = (int) (e >>> 32);
                    if ((int) e == length && Arrays.equals(bytes, offset, offset + length, key, 0, length)) return false;
                }
            }
        }

        private void insert(int slot, byte[] key, int length, int h) {
            if (size == entries.length) entries = Arrays.copyOf(entries, size * 2);
            if (used + length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + length));
            System.arraycopy(key, 0, bytes, used, length);
            entries[size] = (long) used << 32 | length;
            used += length;
            slots[slot] = (long) h << 32 | ++size;
            if (size * 2 > slots.length) rehash();
        }

        private void rehash() {
            long[] bigger = new long[slots.length * 2];
            int mask = bigger.length - 1;
            for (long s : slots) {
                if (s == 0) continue;
                int i = (int) (s >>> 32) & mask;
                while (bigger[i] != 0) i = (i + 1) & mask;
                bigger[i] = s;
            }
            slots = bigger;
        }
    }
}
