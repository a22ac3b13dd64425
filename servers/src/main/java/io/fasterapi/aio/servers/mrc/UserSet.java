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

    private static final class Stripe {
        int[] slots = new int[64]; // entry index + 1; 0 is empty
        int[] hashes = new int[32];
        int[] offsets = new int[32];
        int[] lengths = new int[32];
        byte[] bytes = new byte[1024];
        int used;
        int size;

        boolean add(byte[] key, int length, int h) {
            int mask = slots.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                int e = slots[i] - 1;
                if (e < 0) {
                    insert(i, key, length, h);
                    return true;
                }
                if (hashes[e] == h && lengths[e] == length
                        && Arrays.equals(bytes, offsets[e], offsets[e] + length, key, 0, length)) {
                    return false;
                }
            }
        }

        private void insert(int slot, byte[] key, int length, int h) {
            if (size == hashes.length) {
                hashes = Arrays.copyOf(hashes, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            if (used + length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + length));
            System.arraycopy(key, 0, bytes, used, length);
            hashes[size] = h;
            offsets[size] = used;
            lengths[size] = length;
            used += length;
            slots[slot] = ++size;
            if (size * 2 > slots.length) rehash();
        }

        private void rehash() {
            int[] bigger = new int[slots.length * 2];
            int mask = bigger.length - 1;
            for (int e = 0; e < size; e++) {
                int i = hashes[e] & mask;
                while (bigger[i] != 0) i = (i + 1) & mask;
                bigger[i] = e + 1;
            }
            slots = bigger;
        }
    }
}
