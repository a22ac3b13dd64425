package io.fasterapi.aio.core;

import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

/** The loop's one reusable {@link IoEvent}: filled before each handler call, so delivery allocates nothing. */
final class MutableEvent implements IoEvent {
    private Operation operation;
    private long handle;
    private long operationId;
    private long userData;
    private long result;
    private int flags;

    void set(Operation operation, long handle, long operationId, long userData, long result, int flags) {
        this.operation = operation;
        this.handle = handle;
        this.operationId = operationId;
        this.userData = userData;
        this.result = result;
        this.flags = flags;
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
