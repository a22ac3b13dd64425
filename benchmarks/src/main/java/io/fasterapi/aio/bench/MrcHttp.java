package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.mrc.EventParser;
import io.fasterapi.aio.servers.mrc.EventStats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The 1MRC endpoints for the peers that do not run on our HTTP server (the JDK NIO Selector and
 * Netty): the same logic as {@link io.fasterapi.aio.servers.mrc.MrcHandler}, the same
 * {@link EventParser} and {@link EventStats} (so the counting is identical), the same answers
 * (status, {@code Content-Type}, body, and {@code Connection: close} when the request asked for it).
 *
 * <p>The request head is parsed here, without allocation, over a {@link MemorySegment} of the
 * connection's read buffer: the request line (method, path without its query, HTTP/1.0 or 1.1),
 * {@code Content-Length}, {@code Connection}; {@code Transfer-Encoding} is refused (400 and close:
 * the 1MRC client never sends it). Several requests in one read (pipelining) are answered in order.
 * Not a general HTTP server: no header timeouts, no limits beyond the buffer's size.
 */
final class MrcHttp {
    /** Answers, by number; {@code + CLOSE} for the form with {@code Connection: close}. */
    static final int ACCEPTED = 0, MALFORMED = 1, NOT_FOUND = 2, NOT_ALLOWED = 3, EVENT_NOT_ALLOWED = 4, BAD_REQUEST = 5;
    static final int KINDS = 6, CLOSE = KINDS;
    /** Every prepared answer: {@code [kind]} keep-alive, {@code [kind + CLOSE]} with Connection: close. */
    static final byte[][] PREPARED = new byte[2 * KINDS][];

    static {
        for (int close = 0; close < 2; close++) {
            boolean c = close == 1;
            PREPARED[ACCEPTED + close * CLOSE] = response(200, "application/json", "{\"status\":\"ok\"}", c, null);
            PREPARED[MALFORMED + close * CLOSE] = response(400, "application/json", "{\"error\":\"malformed event\"}", c, null);
            PREPARED[NOT_FOUND + close * CLOSE] = response(404, "text/plain", "Not Found", c, null);
            PREPARED[NOT_ALLOWED + close * CLOSE] = response(405, "text/plain", "Method Not Allowed", c, null);
            PREPARED[EVENT_NOT_ALLOWED + close * CLOSE] = response(405, "text/plain", "Method Not Allowed", c, "Allow: POST");
            PREPARED[BAD_REQUEST + close * CLOSE] = response(400, "text/plain", "Bad Request", true, null);
        }
    }

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final int CRLFCRLF = 0x0A0D0A0D;
    private static final byte[] POST = ascii("POST"), GET = ascii("GET"), HEAD = ascii("HEAD");
    private static final byte[] EVENT = ascii("/event"), STATS = ascii("/stats");
    private static final byte[] CONTENT_LENGTH = ascii("content-length"), CONNECTION = ascii("connection"),
            TRANSFER_ENCODING = ascii("transfer-encoding"), CLOSE_TOKEN = ascii("close"), KEEP_ALIVE = ascii("keep-alive");
    /** The longest answer {@link #serve} writes for one request (the /stats JSON is far below it). */
    static final int MAX_ANSWER = 1024;

    private MrcHttp() {
    }

    /** Where a connection's answers go. */
    interface Sink {
        /** Appends {@code PREPARED[which]}. */
        void prepared(int which);

        /** Appends {@code bytes} (the /stats answer). */
        void bytes(byte[] bytes);

        /** Bytes that can still be appended before the answers are written (serving pauses below {@link #MAX_ANSWER}). */
        int room();
    }

    /** One loop's state: its event parser (loop-confined), the shared totals, its request counter. */
    static final class Loop {
        final EventParser parser = new EventParser();
        final EventStats stats;
        final ServerStats.Counter counter;

        Loop(EventStats stats, ServerStats.Counter counter) {
            this.stats = stats;
            this.counter = counter;
        }
    }

    /**
     * Answers every complete request in {@code buf[0, end)} into {@code out}, while it has room.
     *
     * @return the bytes consumed ({@code >= 0}; the caller keeps the rest for the next read), or
     *         {@code -1 - consumed} when the connection must close once the answers are written
     */
    static int serve(MemorySegment buf, int end, Loop loop, Sink out) {
        int start = 0;
        while (start < end && out.room() >= MAX_ANSWER) {
            int headEnd = headEnd(buf, start, end); // index just past "\r\n\r\n", or -1
            if (headEnd < 0) {
                if (end - start >= buf.byteSize() || start == 0 && end == buf.byteSize()) {
                    out.prepared(BAD_REQUEST + CLOSE); // a head larger than the buffer
                    return -1 - end;
                }
                return start;
            }
            // request line: METHOD SP target SP HTTP/1.x CRLF
            int sp1 = indexOf(buf, start, headEnd, (byte) ' ');
            int sp2 = sp1 < 0 ? -1 : indexOf(buf, sp1 + 1, headEnd, (byte) ' ');
            int eol = sp2 < 0 ? -1 : indexOf(buf, sp2 + 1, headEnd, (byte) '\r');
            if (eol != sp2 + 9 || !startsWith(buf, sp2 + 1, "HTTP/1.")) {
                out.prepared(BAD_REQUEST + CLOSE);
                return -1 - end;
            }
            int minor = buf.get(ValueLayout.JAVA_BYTE, sp2 + 8) - '0';
            if (minor != 0 && minor != 1) {
                out.prepared(BAD_REQUEST + CLOSE);
                return -1 - end;
            }
            int pathEnd = indexOf(buf, sp1 + 1, sp2, (byte) '?');
            if (pathEnd < 0) {
                pathEnd = sp2;
            }
            // header fields
            long contentLength = 0;
            boolean close = minor == 0, bad = false;
            int line = eol + 2;
            while (line < headEnd - 2) {
                int lineEnd = indexOf(buf, line, headEnd, (byte) '\r');
                int colon = indexOf(buf, line, lineEnd, (byte) ':');
                if (colon <= line) {
                    bad = true;
                    break;
                }
                int v = colon + 1, ve = lineEnd;
                while (v < ve && isSpace(buf.get(ValueLayout.JAVA_BYTE, v))) v++;
                while (ve > v && isSpace(buf.get(ValueLayout.JAVA_BYTE, ve - 1))) ve--;
                if (equalsIgnoreCase(buf, line, colon, CONTENT_LENGTH)) {
                    if (v == ve || ve - v > 9) {
                        bad = true;
                        break;
                    }
                    contentLength = 0;
                    for (int i = v; i < ve; i++) {
                        int d = buf.get(ValueLayout.JAVA_BYTE, i) - '0';
                        if (d < 0 || d > 9) {
                            bad = true;
                            break;
                        }
                        contentLength = contentLength * 10 + d;
                    }
                } else if (equalsIgnoreCase(buf, line, colon, CONNECTION)) {
                    if (equalsIgnoreCase(buf, v, ve, CLOSE_TOKEN)) {
                        close = true;
                    } else if (equalsIgnoreCase(buf, v, ve, KEEP_ALIVE)) {
                        close = false;
                    }
                } else if (equalsIgnoreCase(buf, line, colon, TRANSFER_ENCODING)) {
                    bad = true;
                }
                line = lineEnd + 2;
            }
            if (bad) {
                out.prepared(BAD_REQUEST + CLOSE);
                return -1 - end;
            }
            long requestEnd = headEnd + contentLength;
            if (requestEnd > end) {
                if (requestEnd - start > buf.byteSize()) {
                    out.prepared(BAD_REQUEST + CLOSE); // larger than the buffer: 400, as for a head too large
                    return -1 - end;
                }
                return start; // the body is not all here yet
            }
            int c = close ? CLOSE : 0;
            // the logic of MrcHandler
            if (equals(buf, sp1 + 1, pathEnd, EVENT)) {
                if (!equals(buf, start, sp1, POST)) {
                    out.prepared(EVENT_NOT_ALLOWED + c);
                } else if (loop.parser.parse(buf, headEnd, contentLength)) {
                    loop.stats.record(loop.parser);
                    out.prepared(ACCEPTED + c);
                } else {
                    out.prepared(MALFORMED + c);
                }
            } else if (equals(buf, sp1 + 1, pathEnd, STATS)) {
                boolean head = equals(buf, start, sp1, HEAD);
                if (head || equals(buf, start, sp1, GET)) {
                    out.bytes(response(200, "application/json", loop.stats.json(), close, null, head));
                } else {
                    out.prepared(NOT_ALLOWED + c);
                }
            } else {
                out.prepared(NOT_FOUND + c);
            }
            loop.counter.requests++;
            start = (int) requestEnd;
            if (close) {
                return -1 - start;
            }
        }
        return start;
    }

    private static int headEnd(MemorySegment buf, int from, int end) {
        for (int i = from; i + 3 < end; i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, i + 3) == '\n' && buf.get(INT, i) == CRLFCRLF) {
                return i + 4;
            }
        }
        return -1;
    }

    private static int indexOf(MemorySegment buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean startsWith(MemorySegment buf, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equals(MemorySegment buf, int from, int to, byte[] b) {
        if (to - from != b.length) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, from + i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code lower} is lower case ASCII. */
    private static boolean equalsIgnoreCase(MemorySegment buf, int from, int to, byte[] lower) {
        if (to - from != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte b = buf.get(ValueLayout.JAVA_BYTE, from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] response(int code, String type, String body, boolean close, String extra) {
        return response(code, type, body, close, extra, false);
    }

    /** The same head as our HttpResponse writes: status line, Content-Type, Content-Length, Connection, extra. */
    static byte[] response(int code, String type, String body, boolean close, String extra, boolean headOnly) {
        String reason = switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> throw new IllegalArgumentException("status " + code);
        };
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                + "\r\n" + (close ? "Connection: close\r\n" : "") + (extra == null ? "" : extra + "\r\n") + "\r\n";
        byte[] h = ascii(head);
        if (headOnly) {
            return h;
        }
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }
}
