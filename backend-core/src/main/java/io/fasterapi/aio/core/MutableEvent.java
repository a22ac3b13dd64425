package io.fasterapi.aio.core;

import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;

/** The loop's one reusable {@link IoEvent}: filled before each handler call, so delivery allocates nothing. */
final class MutableEvent implements IoEvent {
    private Operation operation;
    private long handle;
    private long operationId;
    private long userData;
    private long result;
    private int flags;
    private BufferPool pool;
    private int bufferId = -1;
    private int bufferOffset;

    void set(Operation operation, long handle, long operationId, long userData, long result, int flags) {
        this.operation = operation;
        this.handle = handle;
        this.operationId = operationId;
        this.userData = userData;
        this.result = result;
        this.flags = flags;
        this.pool = null;
        this.bufferId = -1;
        this.bufferOffset = 0;
    }

    void setBuffer(BufferPool pool, int bufferId, int offset) {
        this.pool = pool;
        this.bufferId = bufferId;
        this.bufferOffset = offset;
    }

    @Override
    public int bufferOffset() {
        return bufferOffset;
    }

    @Override
    public int bufferId() {
        return bufferId;
    }

    @Override
    public MemorySegment buffer() {
        return pool == null ? null : pool.memory().asSlice((long) bufferId * pool.bufferSize() + bufferOffset, result);
    }

    @Override
    public Operation operation() {
        return operation;
    }

    @Override
    public long handle() {
        return handle;
    }

    @Override
    public long operationId() {
        return operationId;
    }

    @Override
    public long userData() {
        return userData;
    }

    @Override
    public long result() {
        return result;
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public String toString() {
        return IoEvent.describe(this);
    }
}
