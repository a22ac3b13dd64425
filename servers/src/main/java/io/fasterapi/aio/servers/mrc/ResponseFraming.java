package io.fasterapi.aio.servers.mrc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Finds where one HTTP/1.1 response ends: status line, head, {@code Content-Length} body. */
final class ResponseFraming {
    private int status;
    private long headEnd, length;
    private boolean complete, closes;

    void reset() {
        status = 0;
        headEnd = -1;
        length = -1;
        complete = false;
        closes = false;
    }

    /** 1 when the response in {@code [0, got)} is complete, 0 when more is needed, -1 when malformed. */
    int frame(MemorySegment in, long got) {
        if (headEnd < 0) {
            long e = find(in, got);
            if (e < 0) return 0;
            headEnd = e;
            if (e < 12 || !startsWith(in, 0, "http/1.")) return -1;
            status = 0;
            for (int i = 9; i < 12; i++) {
                int c = in.get(ValueLayout.JAVA_BYTE, i) - '0';
                if (c < 0 || c > 9) return -1;
                status = status * 10 + c;
            }
            length = 0;
            for (long p = 0; p < e; p++) {
                if (in.get(ValueLayout.JAVA_BYTE, p) != '\n') continue;
                if (startsWith(in, p + 1, "content-length:")) {
                    long q = p + 16, n = 0;
                    while (in.get(ValueLayout.JAVA_BYTE, q) == ' ') q++;
                    for (byte c; (c = in.get(ValueLayout.JAVA_BYTE, q)) >= '0' && c <= '9'; q++) n = n * 10 + (c - '0');
                    length = n;
                } else if (startsWith(in, p + 1, "connection: close")) {
                    closes = true;
                }
            }
        }
        if (got > headEnd + length) return -1; // one request in flight: nothing may follow
        complete = got == headEnd + length;
        return complete ? 1 : 0;
    }

    boolean complete() {
        return complete;
    }

    int status() {
        return status;
    }

    boolean closes() {
        return closes;
    }

    String body(MemorySegment in) {
        return new String(in.asSlice(headEnd, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** The offset just after the first CRLFCRLF, or -1. */
    private static long find(MemorySegment in, long got) {
        for (long p = 3; p < got; p++) {
            if (in.get(ValueLayout.JAVA_BYTE, p) == '\n' && in.get(ValueLayout.JAVA_BYTE, p - 1) == '\r'
                    && in.get(ValueLayout.JAVA_BYTE, p - 2) == '\n' && in.get(ValueLayout.JAVA_BYTE, p - 3) == '\r') {
                return p + 1;
            }
        }
        return -1;
    }

    /** Case-insensitive prefix test (the pattern is lower case). */
    private static boolean startsWith(MemorySegment in, long at, String lower) {
        if (at + lower.length() > in.byteSize()) return false;
        for (int i = 0; i < lower.length(); i++) {
            int c = in.get(ValueLayout.JAVA_BYTE, at + i);
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }
}
