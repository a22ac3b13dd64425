package io.fasterapi.aio.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP-like protocol every server speaks, with one parser used by all of them (so the
 * servers differ only in how they move bytes): a request is everything up to and including
 * {@code "\r\n\r\n"}; each complete request is answered with the same fixed response. Several
 * requests in one read (pipelining) get their responses in one write, in order.
 */
final class Http {
    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!"
            .getBytes(StandardCharsets.US_ASCII);

    /** "\r\n\r\n" read as a little-endian int. */
    private static final int CRLFCRLF = 0x0A0D0A0D;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private Http() {
    }

    /** The most requests one read of {@code bufferSize} bytes can hold (the shortest is "\r\n\r\n"). */
    static int maxRequestsPerRead(int bufferSize) {
        return bufferSize / 4 + 1;
    }

    /** {@code copies} responses back to back, in native memory of {@code arena}. */
    static MemorySegment responses(Arena arena, int copies) {
        MemorySegment all = arena.allocate((long) RESPONSE.length * copies, 64);
        for (int i = 0; i < copies; i++) {
            MemorySegment.copy(RESPONSE, 0, all, ValueLayout.JAVA_BYTE, (long) i * RESPONSE.length, RESPONSE.length);
        }
        return all;
    }

    /**
     * One connection's request parser over its read buffer. After a read of {@code n} bytes at
     * offset {@link #filled()}, {@link #onRead} counts the complete requests, moves an incomplete
     * last one to the buffer's start, and says where the next read goes.
     */
    static final class Parser {
        private int filled;
        private int scanFrom;

        /** Where the next read must put its bytes (the length of a partial request kept). */
        int filled() {
            return filled;
        }

        /**
         * @return the complete requests now in the buffer (their bytes are consumed), or -1 when
         *         the buffer is full without one (a request too large: close the connection)
         */
        int onRead(MemorySegment buf, int n) {
            int end = filled + n;
            int start = 0;
            int count = 0;
            int i = scanFrom;
            while (i + 3 < end) {
                byte b = buf.get(ValueLayout.JAVA_BYTE, i + 3);
                if (b == '\n') {
                    if (buf.get(INT, i) == CRLFCRLF) {
                        count++;
                        start = i + 4;
                        i = start;
                        continue;
                    }
                    i++;
                } else if (b == '\r') {
                    i++;
                } else {
                    i += 4; // no "\r\n\r\n" can end at i+3, i+4, i+5 or i+6 ... starting before i+4
                }
            }
            int left = end - start;
            if (left > 0 && start > 0) {
                MemorySegment.copy(buf, start, buf, 0, left);
            }
            if (count == 0 && left == buf.byteSize()) {
                return -1;
            }
            filled = left;
            scanFrom = Math.max(0, left - 3);
            return count;
        }
    }
}
