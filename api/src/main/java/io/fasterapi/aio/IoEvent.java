package io.fasterapi.aio;

/**
 * One completed operation: the seed's {@code {operation, fd, user_data, result, flags}}.
 *
 * <p>{@link #result()} follows the kernel: a value {@code >= 0} is a byte count, a new handle
 * (accept) or 0 (connect, close, timer); a value {@code < 0} is a negated portable error number,
 * see {@link Errno}. Errors that the operating system reports are values here, never exceptions.
 *
 * <p>Instances handed to a {@link CompletionHandler} are reused by the loop: they are valid only
 * during the handler call. {@link #snapshot()} returns an immutable copy.
 */
@org.osgi.annotation.versioning.ProviderType
public interface IoEvent {

    /**
     * In {@link #flags()}: a multishot {@link AsyncIo#receive receive} goes on after this chunk
     * (more completions of the same operation will follow).
     */
    int MORE = 1;

    /**
     * In {@link #flags()} of a datagram receive: the datagram was longer than the buffer, and only
     * the buffer's size of it was kept (the result); the rest is lost, as with {@code MSG_TRUNC}.
     *
     * @since 1.1
     */
    int TRUNCATED = 2;

    /** The kind of operation that completed. */
    Operation operation();

    /** The handle the operation ran on (for CONNECT, the new socket; 0 for TIMER). */
    long handle();

    /** The operation's id, as returned when it was submitted. */
    long operationId();

    /** The value passed as {@code userData} when the operation was submitted, 0 by default. */
    long userData();

    /** Bytes, a handle or 0 when {@code >= 0}; a negated {@link Errno} code when {@code < 0}. */
    long result();

    /** Backend-specific flags; 0 unless a backend documents otherwise. */
    int flags();

    /**
     * For a chunk of {@link AsyncIo#receive receive}: the pool buffer holding the bytes, which the
     * caller owns until {@link AsyncIo#releaseBuffer}; -1 otherwise.
     */
    default int bufferId() {
        return -1;
    }

    /**
     * For a chunk of {@link AsyncIo#receive receive}: where its bytes start in pool buffer
     * {@link #bufferId()}: 0 for a stream's chunk, {@link AsyncIo#POOL_DATAGRAM_OFFSET} for a
     * datagram's; 0 otherwise.
     *
     * @since 1.1
     */
    default int bufferOffset() {
        return 0;
    }

    /**
     * For a chunk of {@link AsyncIo#receive receive}: the received bytes ({@link #result()} of
     * them, in the pool buffer {@link #bufferId()} from {@link #bufferOffset()}), valid until that
     * buffer is released; {@code null} otherwise. Allocates a slice: {@link AsyncIo#bufferPoolMemory}
     * at {@code bufferId * bufferSize + bufferOffset} reads the same bytes without allocating.
     */
    default java.lang.foreign.MemorySegment buffer() {
        return null;
    }

    /** Whether {@link #result()} is an error. */
    default boolean failed() {
        return result() < 0;
    }

    /** The error, or {@code null} when the operation succeeded. */
    default Errno error() {
        return result() < 0 ? Errno.of((int) -result()) : null;
    }

    /** An immutable copy that stays valid after the handler returns. */
    default Snapshot snapshot() {
        return new Snapshot(operation(), handle(), operationId(), userData(), result(), flags());
    }

    /**
     * An immutable completion.
     *
     * @param operation   the kind of operation
     * @param handle      the handle it ran on
     * @param operationId the operation's id
     * @param userData    the caller's value
     * @param result      bytes, a handle or 0; a negated error number when negative
     * @param flags       backend flags
     */
    record Snapshot(Operation operation, long handle, long operationId, long userData, long result, int flags)
            implements IoEvent {
        @Override
        public Snapshot snapshot() {
            return this;
        }

        @Override
        public String toString() {
            return IoEvent.describe(this);
        }
    }

    /** A readable form: {@code READ handle=0x... result=-104 (ECONNRESET)}. */
    static String describe(IoEvent e) {
        String r = e.result() < 0 ? e.result() + " (" + Errno.nameOf((int) -e.result()) + ")" : Long.toString(e.result());
        return e.operation() + " handle=0x" + Long.toHexString(e.handle()) + " op=0x" + Long.toHexString(e.operationId())
                + " userData=" + e.userData() + " result=" + r + (e.flags() != 0 ? " flags=0x" + Integer.toHexString(e.flags()) : "");
    }
}
