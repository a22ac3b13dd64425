package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32;

/**
 * Sends {@code count} segments of {@code segmentSize} pseudo-random bytes over one handle, keeping
 * {@code inFlight} writes pending, each from its own buffer (a buffer is refilled only after its
 * write completed). Checks, on the loop thread, the partial-write rule (every WRITE completes with
 * its whole size) and that writes complete in submission order. Keeps a CRC32 of what it sent.
 */
public final class StreamWriter implements CompletionHandler {
    private final AsyncIo io;
    private final long handle;
    private final MemorySegment[] buffers;
    private final int count;
    private final long seed;
    private final CRC32 crc = new CRC32();
    private int submitted;
    private int completed;
    private String failure;

    public StreamWriter(AsyncIo io, long handle, Arena arena, long segmentSize, int count, int inFlight, long seed) {
        this.io = io;
        this.handle = handle;
        this.count = count;
        this.seed = seed;
        this.buffers = new MemorySegment[inFlight];
        for (int i = 0; i < inFlight; i++) {
            buffers[i] = arena.allocate(segmentSize, 4096);
        }
    }

    /** Submits the first writes. */
    public StreamWriter start() {
        while (submitted < count && submitted - completed < buffers.length) {
            submitNext();
        }
        return this;
    }

    private void submitNext() {
        MemorySegment b = buffers[submitted % buffers.length];
        Bytes.fill(b, seed * 1_000_003L + submitted);
        Bytes.update(crc, b);
        io.write(handle, b, this, submitted);
        submitted++;
    }

    @Override
    public void completed(IoEvent e) {
        if (failure != null) {
            return;
        }
        long expectedSize = buffers[0].byteSize();
        if (e.operation() != Operation.WRITE || e.result() != expectedSize) {
            failure = "write #" + e.userData() + " completed with " + e + ", expected result " + expectedSize;
        } else if (e.userData() != completed) {
            failure = "writes on one handle completed out of order: #" + e.userData() + " after #" + (completed - 1);
        }
        completed++;
        if (failure == null && submitted < count) {
            submitNext();
        }
    }

    public boolean done() {
        return failure != null || completed == count;
    }

    /** A description of the first broken rule, or null. */
    public String failure() {
        return failure;
    }

    public long crc() {
        return crc.getValue();
    }

    public long bytes() {
        return (long) completed * buffers[0].byteSize();
    }
}
