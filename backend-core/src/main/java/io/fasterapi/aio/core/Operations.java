package io.fasterapi.aio.core;

import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Preallocated operation slots, as parallel arrays: an operation in flight is an index, never an
 * object. Slots are reused through a free list; the arrays double when every slot is busy, so a
 * loop in steady state allocates nothing per operation.
 *
 * <p>A slot owns its buffer reference until the operation completes: the kernel (or a retry)
 * may still use the memory, so nothing is released before then.
 */
public final class Operations {
    static final int STATE_FREE = 0;
    /** Submitted and not completed: queued on a handle, in the timer heap, or owned by the kernel. */
    static final int STATE_PENDING = 1;
    /** Completed, waiting in the delivery queue. */
    static final int STATE_DONE = 2;

    private static final Operation[] KINDS = Operation.values();

    private final int loop;
    private final int limit;
    int[] generation;
    int[] state;
    int[] kind;
    int[] handle;
    /** The handle's id at submission (the slot may be reused by the time the completion is delivered). */
    long[] handleId;
    long[] userData;
    long[] result;
    /** Bytes already moved by a write continued across several system calls. */
    long[] bytesSent;
    /** A CLOSE's count of cancelled chains (read queue, write queue) still to complete before it. */
    int[] closeWaits;
    /** Timer deadline (System.nanoTime), or the timer's sequence number for ties. */
    long[] deadline;
    long[] sequence;
    int[] heapIndex;
    /**
     * The next operation on the one list this one is on: its handle's queue while pending, the
     * delivery queue once completed, the free list once delivered (one at a time, in that order).
     */
    int[] next;
    /** Operations cancelled behind this one while it is still in the kernel: completed right after it. */
    int[] after;
    /** The engine's state bits of the operation (in the kernel, cancelled, paused...): its engine names them. */
    int[] engineFlags;
    /** The pool buffer a receive request in the kernel holds (a kernel that does not pick buffers), else -1. */
    int[] lentBuffer;
    /** The buffer pool of a receive (-1 for other operations). */
    int[] pool;
    /** For a receive chunk: the buffer holding it; else -1. */
    int[] bufferId;
    /** For a receive chunk: the id of its receive operation (reported as the chunk's id); else 0. */
    long[] originId;
    CompletionHandler[] handler;
    MemorySegment[] segment;
    ByteBuffer[] byteBuffer;
    /** The buffers of a gather write (its {@link #segment} is null); else null. */
    MemorySegment[][] gather;
    /** The direct buffers of a gather write given as ByteBuffers (their positions advance on success); else null. */
    ByteBuffer[][] gatherBuffers;
    /** The bytes a read may fill or a write must send. */
    long[] length;
    /** The target of a sendTo; else null. */
    java.net.InetSocketAddress[] target;
    /** Where a receiveFrom puts its datagram's sender; else null. */
    io.fasterapi.aio.DatagramSender[] sender;
    /**
     * For a datagram chunk of a pool receive: its sender, set into the receive's holder
     * ({@link #sender}) just before delivery. The holder object is the slot's own, kept across
     * reuses, so a steady receive allocates nothing.
     */
    io.fasterapi.aio.DatagramSender[] chunkSender;
    /** Whether the operation moves a datagram (its handle is a UDP socket): counted as one. */
    boolean[] datagram;
    /** {@link io.fasterapi.aio.IoEvent} flags the kernel reported with the result ({@code TRUNCATED}). */
    int[] resultFlags;
    private int freeHead = -1;
    private int used;
    /** Written with opaque stores, so that {@link #pendingFromAnyThread()} sees values the loop wrote (as {@link Counters}). */
    private int pending;
    private static final VarHandle PENDING_COUNT = VarHandles.field(MethodHandles.lookup(), "pending", int.class);

    Operations(int loop, int initial, int limit) {
        this.loop = loop;
        this.limit = limit;
        grow(Math.max(1, Math.min(initial, limit)));
    }

    private void grow(int capacity) {
        int old = used;
        generation = generation == null ? new int[capacity] : Arrays.copyOf(generation, capacity);
        state = state == null ? new int[capacity] : Arrays.copyOf(state, capacity);
        kind = kind == null ? new int[capacity] : Arrays.copyOf(kind, capacity);
        handle = handle == null ? new int[capacity] : Arrays.copyOf(handle, capacity);
        handleId = handleId == null ? new long[capacity] : Arrays.copyOf(handleId, capacity);
        userData = userData == null ? new long[capacity] : Arrays.copyOf(userData, capacity);
        result = result == null ? new long[capacity] : Arrays.copyOf(result, capacity);
        bytesSent = bytesSent == null ? new long[capacity] : Arrays.copyOf(bytesSent, capacity);
        closeWaits = closeWaits == null ? new int[capacity] : Arrays.copyOf(closeWaits, capacity);
        deadline = deadline == null ? new long[capacity] : Arrays.copyOf(deadline, capacity);
        sequence = sequence == null ? new long[capacity] : Arrays.copyOf(sequence, capacity);
        heapIndex = heapIndex == null ? new int[capacity] : Arrays.copyOf(heapIndex, capacity);
        next = next == null ? new int[capacity] : Arrays.copyOf(next, capacity);
        after = after == null ? new int[capacity] : Arrays.copyOf(after, capacity);
        engineFlags = engineFlags == null ? new int[capacity] : Arrays.copyOf(engineFlags, capacity);
        lentBuffer = lentBuffer == null ? new int[capacity] : Arrays.copyOf(lentBuffer, capacity);
        pool = pool == null ? new int[capacity] : Arrays.copyOf(pool, capacity);
        bufferId = bufferId == null ? new int[capacity] : Arrays.copyOf(bufferId, capacity);
        originId = originId == null ? new long[capacity] : Arrays.copyOf(originId, capacity);
        handler = handler == null ? new CompletionHandler[capacity] : Arrays.copyOf(handler, capacity);
        segment = segment == null ? new MemorySegment[capacity] : Arrays.copyOf(segment, capacity);
        byteBuffer = byteBuffer == null ? new ByteBuffer[capacity] : Arrays.copyOf(byteBuffer, capacity);
        gather = gather == null ? new MemorySegment[capacity][] : Arrays.copyOf(gather, capacity);
        gatherBuffers = gatherBuffers == null ? new ByteBuffer[capacity][] : Arrays.copyOf(gatherBuffers, capacity);
        length = length == null ? new long[capacity] : Arrays.copyOf(length, capacity);
        target = target == null ? new java.net.InetSocketAddress[capacity] : Arrays.copyOf(target, capacity);
        sender = sender == null ? new io.fasterapi.aio.DatagramSender[capacity] : Arrays.copyOf(sender, capacity);
        chunkSender = chunkSender == null ? new io.fasterapi.aio.DatagramSender[capacity] : Arrays.copyOf(chunkSender, capacity);
        datagram = datagram == null ? new boolean[capacity] : Arrays.copyOf(datagram, capacity);
        resultFlags = resultFlags == null ? new int[capacity] : Arrays.copyOf(resultFlags, capacity);
        for (int i = old; i < capacity; i++) {
            generation[i] = 1;
        }
    }

    /** Takes a slot, or returns -1 when {@code limit} operations are pending. */
    int allocate(Operation op, int handleIndex, CompletionHandler h, long data) {
        int i;
        if (freeHead >= 0) {
            i = freeHead;
            freeHead = next[i];
        } else {
            if (used == generation.length) {
                if (used == limit) return -1;
                grow((int) Math.min((long) used * 2, limit));
            }
            i = used++;
        }
        state[i] = STATE_PENDING;
        kind[i] = op.ordinal();
        handle[i] = handleIndex;
        handler[i] = h;
        userData[i] = data;
        result[i] = 0;
        bytesSent[i] = 0;
        closeWaits[i] = 0;
        heapIndex[i] = -1;
        next[i] = -1;
        after[i] = -1;
        engineFlags[i] = 0;
        lentBuffer[i] = -1;
        pool[i] = -1;
        bufferId[i] = -1;
        originId[i] = 0;
        datagram[i] = false;
        resultFlags[i] = 0;
        if (h != null) PENDING_COUNT.setOpaque(this, pending + 1); // one without a handler is the engine's own (never delivered, not the user's)
        return i;
    }

    /** Returns a slot to the free list, dropping its references so buffers can be collected. */
    void free(int i) {
        if (handler[i] != null) PENDING_COUNT.setOpaque(this, pending - 1);
        state[i] = STATE_FREE;
        handler[i] = null;
        segment[i] = null;
        byteBuffer[i] = null;
        gather[i] = null;
        gatherBuffers[i] = null;
        target[i] = null;
        sender[i] = null;
        generation[i] = Ids.nextGeneration(generation[i]);
        next[i] = freeHead;
        freeHead = i;
    }

    public long id(int i) {
        return Ids.make(Ids.OPERATION, loop, generation[i], i);
    }

    /** The slot of a pending or undelivered operation, or -1 when the id is stale. */
    int lookup(long id) {
        int i = Ids.index(id);
        if (Ids.kind(id) != Ids.OPERATION || i >= used || state[i] == STATE_FREE || generation[i] != Ids.generation(id)) return -1;
        return i;
    }

    public Operation kind(int i) {
        return KINDS[kind[i]];
    }

    public int handle(int i) {
        return handle[i];
    }

    public MemorySegment segment(int i) {
        return segment[i];
    }

    /** The buffers of a gather write, or null for any other operation. */
    public MemorySegment[] gather(int i) {
        return gather[i];
    }

    /** The target of sendTo {@code i}, or null. */
    public java.net.InetSocketAddress target(int i) {
        return target[i];
    }

    /** The operation after pending operation {@code i} on its handle's queue, or -1. */
    public int nextInQueue(int i) {
        return next[i];
    }

    /** Whether operation {@code i} moves a datagram (its handle is a UDP socket). */
    public boolean isDatagram(int i) {
        return datagram[i];
    }

    /** The sender holder of receiveFrom {@code i}, or null. */
    public io.fasterapi.aio.DatagramSender sender(int i) {
        return sender[i];
    }

    /** Adds {@link io.fasterapi.aio.IoEvent} flags to deliver with operation {@code i}'s result. */
    public void addResultFlags(int i, int f) {
        resultFlags[i] |= f;
    }

    /** The bytes read {@code i} may fill, or write {@code i} must send. */
    public long length(int i) {
        return length[i];
    }

    public long bytesSent(int i) {
        return bytesSent[i];
    }

    public void setBytesSent(int i, long p) {
        bytesSent[i] = p;
    }

    /** The engine's state bits of operation {@code i}. */
    public int engineFlags(int i) {
        return engineFlags[i];
    }

    public void setEngineFlags(int i, int f) {
        engineFlags[i] = f;
    }

    /** The buffer pool index of a receive, or -1 for any other operation. */
    public int pool(int i) {
        return pool[i];
    }

    /** The id of the handle the operation was submitted on (it may have been closed since). */
    public long handleIdOf(int i) {
        return handleId[i];
    }

    /** The slot of a pending operation id taken back from the kernel, or -1 when stale. */
    public int slotOf(long id) {
        return lookup(id);
    }

    public boolean isPending(int i) {
        return state[i] == STATE_PENDING;
    }

    /** The user's operations submitted and not yet delivered (an engine's own requests are not counted). */
    public int inFlight() {
        return pending;
    }

    /** {@link #inFlight()} from any thread: a recent value (for monitoring). */
    public int pendingFromAnyThread() {
        return (int) PENDING_COUNT.getOpaque(this);
    }
}
