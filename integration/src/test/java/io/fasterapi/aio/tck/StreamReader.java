package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32;

/**
 * Reads exactly {@code expected} bytes from one handle, one read pending at a time, through a fixed
 * buffer; keeps a CRC32 of them and, when given, copies them to {@code copyTo}.
 */
public final class StreamReader implements CompletionHandler {
    private final AsyncIo io;
    private final long handle;
    private final long expected;
    private final MemorySegment buffer;
    private final MemorySegment copyTo;
    private final CRC32 crc = new CRC32();
    private long received;
    private int reads;
    private String failure;

    public StreamReader(AsyncIo io, long handle, long expected, MemorySegment buffer, MemorySegment copyTo) {
        this.io = io;
        this.handle = handle;
        this.expected = expected;
        this.buffer = buffer;
        this.copyTo = copyTo;
    }

    public StreamReader start() {
        submit();
        return this;
    }

    private void submit() {
        long want = Math.min(buffer.byteSize(), expected - received);
        io.read(handle, buffer.asSlice(0, want), this, reads);
    }

    @Override
    public void completed(IoEvent e) {
        if (failure != null) {
            return;
        }
        reads++;
        long n = e.result();
        if (e.operation() != Operation.READ || n < 0) {
            failure = "read failed after " + received + " of " + expected + " bytes: " + e;
            return;
        }
        if (n == 0) {
            failure = "end of stream after " + received + " of " + expected + " bytes";
            return;
        }
        long want = Math.min(buffer.byteSize(), expected - received);
        if (n > want) {
            failure = "a read of at most " + want + " bytes returned " + n;
            return;
        }
        MemorySegment got = buffer.asSlice(0, n);
        Bytes.update(crc, got);
        if (copyTo != null) {
            MemorySegment.copy(got, 0, copyTo, received, n);
        }
        received += n;
        if (received < expected) {
            submit();
        }
    }

    public boolean done() {
        return failure != null || received == expected;
    }

    public String failure() {
        return failure;
    }

    public long crc() {
        return crc.getValue();
    }

    public long received() {
        return received;
    }

    public int reads() {
        return reads;
    }
}
