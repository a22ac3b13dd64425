package io.fasterapi.aio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The loop's open sockets, as parallel arrays indexed by a handle's index (no object per socket).
 * Each slot holds the native descriptor, the socket's kind, a backend-defined flags word, and two
 * FIFO queues of pending operations (reads and accepts; writes and connects) linked through
 * {@link Operations#next}.
 */
public final class Handles {
    public static final int KIND_FREE = 0;
    public static final int KIND_LISTENER = 1;
    public static final int KIND_STREAM = 2;
    /** A UDP socket: sendTo and receiveFrom; read and write once connected. */
    public static final int KIND_DATAGRAM = 3;

    private final int loop;
    private final int limit;
    int[] generation;
    int[] kind;
    long[] fd;
    int[] flags;
    int[] readHead;
    int[] readTail;
    int[] writeHead;
    int[] writeTail;
    /** A UDP socket of the IPv6 family (dual-stack when bound to ::; IPV6_V6ONLY is off): its IPv4 targets are sent v4-mapped. */
    boolean[] ipv6Datagram;
    private int[] nextFree;
    private int freeHead = -1;
    private int used;
    /** Written with opaque stores, so that {@link #openCountFromAnyThread()} sees values the loop wrote (as {@link Counters}). */
    private int open;
    private static final VarHandle OPEN = VarHandles.field(MethodHandles.lookup(), "open", int.class);

    Handles(int loop, int initial, int limit) {
        this.loop = loop;
        this.limit = limit;
        grow(Math.min(initial, limit));
    }

    private void grow(int capacity) {
        int old = generation == null ? 0 : generation.length;
        generation = generation == null ? new int[capacity] : Arrays.copyOf(generation, capacity);
        kind = kind == null ? new int[capacity] : Arrays.copyOf(kind, capacity);
        fd = fd == null ? new long[capacity] : Arrays.copyOf(fd, capacity);
        flags = flags == null ? new int[capacity] : Arrays.copyOf(flags, capacity);
        readHead = readHead == null ? new int[capacity] : Arrays.copyOf(readHead, capacity);
        readTail = readTail == null ? new int[capacity] : Arrays.copyOf(readTail, capacity);
        writeHead = writeHead == null ? new int[capacity] : Arrays.copyOf(writeHead, capacity);
        writeTail = writeTail == null ? new int[capacity] : Arrays.copyOf(writeTail, capacity);
        ipv6Datagram = ipv6Datagram == null ? new boolean[capacity] : Arrays.copyOf(ipv6Datagram, capacity);
        nextFree = nextFree == null ? new int[capacity] : Arrays.copyOf(nextFree, capacity);
        for (int i = old; i < capacity; i++) {
            generation[i] = 1;
        }
    }

    /** Takes a free slot for {@code nativeFd}; returns its index, or -1 when {@code limit} are open. */
    int allocate(int kind, long nativeFd) {
        int i;
        if (freeHead >= 0) {
            i = freeHead;
            freeHead = nextFree[i];
        } else {
            if (used == generation.length) {
                if (used == limit) return -1;
                grow((int) Math.min((long) used * 2, limit));
            }
            i = used++;
        }
        this.kind[i] = kind;
        fd[i] = nativeFd;
        flags[i] = 0;
        ipv6Datagram[i] = false;
        readHead[i] = readTail[i] = writeHead[i] = writeTail[i] = -1;
        OPEN.setOpaque(this, open + 1);
        return i;
    }

    /** Frees a slot and bumps its generation, so its old id goes stale. */
    void free(int i) {
        kind[i] = KIND_FREE;
        fd[i] = -1;
        generation[i] = Ids.nextGeneration(generation[i]);
        nextFree[i] = freeHead;
        freeHead = i;
        OPEN.setOpaque(this, open - 1);
    }

    public long id(int i) {
        return Ids.make(Ids.HANDLE, loop, generation[i], i);
    }

    /** The index of an open handle, or -1 when the id is stale or closed (wrong loop is checked by the caller). */
    public int lookup(long id) {
        int i = Ids.index(id);
        if (Ids.kind(id) != Ids.HANDLE || i >= used || kind[i] == KIND_FREE || generation[i] != Ids.generation(id)) return -1;
        return i;
    }

    public int kind(int i) {
        return kind[i];
    }

    public long fd(int i) {
        return fd[i];
    }

    public int flags(int i) {
        return flags[i];
    }

    public void setFlags(int i, int f) {
        flags[i] = f;
    }

    public int readHead(int i) {
        return readHead[i];
    }

    public int writeHead(int i) {
        return writeHead[i];
    }

    /** Slots ever used: indexes below this may be open. */
    public int capacityUsed() {
        return used;
    }

    public int openCount() {
        return open;
    }

    /** {@link #openCount()} from any thread: a recent value (for monitoring). */
    public int openCountFromAnyThread() {
        return (int) OPEN.getOpaque(this);
    }

    /** The open handle slot holding descriptor {@code descriptor}, or -1 (a scan: for adopt, which is rare). */
    public int findFd(long descriptor) {
        for (int i = 0; i < used; i++) {
            if (kind[i] != KIND_FREE && fd[i] == descriptor) return i;
        }
        return -1;
    }
}
