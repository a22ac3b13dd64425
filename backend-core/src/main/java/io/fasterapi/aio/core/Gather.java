package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The unsent part of a gather write, as a kernel's array of (address, length) entries: an
 * {@code iovec} array on POSIX, a {@code WSABUF} array on Windows. Written once here; each kernel
 * interface names where the two fields of its entry sit ({@link Entry}), from its own struct layout.
 */
public final class Gather {
    /**
     * The most entries one kernel request takes. Linux allows 1024 (UIO_MAXIOV); 64 keeps the
     * per-request memory at 1 KiB and still covers any head-and-body response. The rest of a longer
     * array goes in the next request, as the rest of a partial write does.
     */
    public static final int MAX_ENTRIES = 64;
    /** The most bytes one request describes: WSASend counts in a DWORD, and Linux moves less than 2 GiB per call anyway. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    /** Where an entry's fields sit: {@code size} bytes per entry, the address (8 bytes) and the length (4 or 8). */
    public record Entry(long size, long addressOffset, long lengthOffset, boolean intLength) {
    }

    private Gather() {
    }

    /** The bytes of all of {@code buffers}. */
    public static long total(MemorySegment[] buffers) {
        long sum = 0;
        for (MemorySegment b : buffers) sum += b.byteSize();
        return sum;
    }

    /**
     * Describes the bytes of {@code buffers} after the first {@code skip} in {@code out}, as at most
     * {@link #MAX_ENTRIES} entries of {@code entry}'s shape (and no more than {@code out} holds),
     * skipping empty buffers. Returns the number of entries: 0 when nothing is left.
     */
    public static int fill(MemorySegment[] buffers, long skip, MemorySegment out, Entry entry) {
        int max = (int) Math.min(MAX_ENTRIES, out.byteSize() / entry.size());
        long budget = MAX_BYTES;
        int n = 0;
        for (MemorySegment b : buffers) {
            long size = b.byteSize();
            if (skip >= size) {
                skip -= size;
                continue;
            }
            long length = Math.min(size - skip, budget);
            long at = n * entry.size();
            out.set(JAVA_LONG, at + entry.addressOffset(), b.address() + skip);
            if (entry.intLength()) {
                out.set(JAVA_INT, at + entry.lengthOffset(), (int) length);
            } else {
                out.set(JAVA_LONG, at + entry.lengthOffset(), length);
            }
            n++;
            budget -= length;
            skip = 0;
            if (n == max || budget == 0) break;
        }
        return n;
    }
}
