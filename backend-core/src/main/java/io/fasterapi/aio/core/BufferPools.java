package io.fasterapi.aio.core;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A loop's buffer pools ({@code AsyncIo.createBufferPool}) and the bookkeeping of multishot
 * receives: a chunk or a pause notice is delivered through a slot of its own that carries the
 * receive's id, while the receive itself stays pending. The pools' memory lives in one arena,
 * freed when the loop closes.
 */
final class BufferPools {
    private final int loopNumber;
    private final Operations ops;
    private final Completions completions;
    private final List<BufferPool> list;
    private Arena arena;

    /** {@code list} is shared with {@link Completions}, which reads chunks' buffers from it. */
    BufferPools(int loopNumber, Operations ops, Completions completions, List<BufferPool> list) {
        this.loopNumber = loopNumber;
        this.list = list;
        this.ops = ops;
        this.completions = completions;
    }

    /** A new pool, not yet registered (the backend may refuse it); {@link #add} keeps it. */
    BufferPool create(int count, int size) {
        if (count < 1 || count > 32768 || Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("buffer count must be a power of two in 1..32768, was " + count);
        }
        if (size < 1) throw new IllegalArgumentException("buffer size must be positive, was " + size);
        if (arena == null) arena = Arena.ofShared();
        MemorySegment memory = arena.allocate((long) count * size, 64);
        return new BufferPool(Ids.make(Ids.POOL, loopNumber, 1, list.size()), list.size(), count, size, memory);
    }

    void add(BufferPool pool) {
        list.add(pool);
    }

    BufferPool get(int index) {
        return list.get(index);
    }

    /** The pool of an id already checked to be a pool id of this loop. */
    BufferPool of(long id) {
        int i = Ids.index(id);
        if (i >= list.size() || list.get(i).id != id) {
            throw new IllegalArgumentException("0x" + Long.toHexString(id) + " is not a buffer pool of this loop");
        }
        return list.get(i);
    }

    /** Checks that the caller holds {@code bufferId}, and marks it free of the caller. */
    void release(BufferPool pool, int bufferId) {
        if (!pool.isHeld(bufferId)) {
            throw new IllegalArgumentException("buffer " + bufferId + " of pool 0x" + Long.toHexString(pool.id)
                    + " is not held by the caller (never received, or released already)");
        }
        pool.release(bufferId);
    }

    /**
     * Queues a chunk of receive {@code op}: {@code length} bytes in {@code bufferId}, now the
     * user's; for a datagram, its {@code flags} (TRUNCATED) and sender ({@code from}, or null).
     */
    boolean chunk(int op, int bufferId, long length, int flags, io.fasterapi.aio.DatagramSender from) {
        int c = partial(op);
        if (c < 0) return false;
        ops.pool[c] = ops.pool[op];
        ops.bufferId[c] = bufferId;
        ops.datagram[c] = ops.datagram[op];
        ops.resultFlags[c] = flags;
        if (from != null && ops.sender[op] != null) {
            ops.sender[c] = ops.sender[op];
            if (ops.chunkSender[c] == null) ops.chunkSender[c] = new io.fasterapi.aio.DatagramSender();
            ops.chunkSender[c].set(from);
        }
        list.get(ops.pool[op]).lend(bufferId);
        completions.add(c, length);
        return true;
    }

    /** Queues the ENOBUFS notice of a receive that pauses until a buffer is released. */
    void paused(int op) {
        list.get(ops.pool[op]).addWaiting(ops.id(op));
        int c = partial(op);
        if (c >= 0) completions.add(c, -Errno.ENOBUFS.code()); // without a slot, no notice: it still resumes
    }

    /** A slot that reports on behalf of receive {@code op} (same handler, data and handle; its id). */
    private int partial(int op) {
        int c = ops.allocate(Operation.READ, ops.handle[op], ops.handler[op], ops.userData[op]);
        if (c < 0) return -1;
        ops.handleId[c] = ops.handleId[op];
        ops.originId[c] = ops.id(op);
        return c;
    }

    void close() {
        if (arena != null) arena.close();
    }
}
