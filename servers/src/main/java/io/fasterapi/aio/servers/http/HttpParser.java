package io.fasterapi.aio.servers.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Parses one HTTP/1.1 request (RFC 9112) from native memory into an {@link HttpRequest}, allocating
 * nothing. Strict: lines end with CRLF, no whitespace before a field's colon, no line folding,
 * {@code Content-Length} only (a {@code Transfer-Encoding} is answered {@code 501}), exactly one
 * {@code Host} in HTTP/1.1 and at most one in HTTP/1.0, its value a host and optional port. Empty
 * lines before a request line are skipped, as RFC 9112 allows.
 *
 * <p>Only complete lines are judged, so the outcome does not depend on how the bytes were split
 * across reads; the size limits apply as soon as enough bytes have arrived to exceed them.
 */
final class HttpParser {
    /** {@link #parse} result: more bytes are needed. */
    static final int INCOMPLETE = 0;

    private static final byte CR = '\r', LF = '\n', SP = ' ', HT = '\t';
    private static final boolean[] TCHAR = new boolean[256];
    /** What a Host's name may hold (RFC 3986 reg-name and IPv4address: unreserved, pct-encoded, sub-delims). */
    private static final boolean[] HOST_NAME = new boolean[256];
    /** What may stand between an IP literal's brackets (RFC 3986 IPv6address and IPvFuture). */
    private static final boolean[] IP_LITERAL = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (int c = '0'; c <= '9'; c++) HOST_NAME[c] = true;
        for (int c = 'a'; c <= 'z'; c++) HOST_NAME[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) HOST_NAME[c] = true;
        for (char c : "-._~%!$&'()*+,;=".toCharArray()) HOST_NAME[c] = true;
        System.arraycopy(HOST_NAME, 0, IP_LITERAL, 0, 256);
        IP_LITERAL[':'] = true;
    }

    private final HttpLimits limits;

    HttpParser(HttpLimits limits) {
        this.limits = limits;
    }

    /**
     * Parses the request starting at {@code start}.
     *
     * @return the request's length (head and body) when it is complete, {@link #INCOMPLETE}, or the
     *         negated status to answer with before closing (-400, -413, -431, -501, -505)
     */
    int parse(MemorySegment b, long start, long end, HttpRequest r) {
        r.buffer = b;
        r.headComplete = false;
        long p = start;
        while (p < end && b(b, p) == CR) { // empty lines before the request line
            if (p + 1 >= end) return tooLong(start, end, start) ? -431 : INCOMPLETE;
            if (b(b, p + 1) != LF) return -400;
            p += 2;
        }
        long headLimit = start + limits.maxHeaderBytes();
        // ---- request line
        long eol = findLf(b, p, end);
        if (eol < 0) {
            return end - p > limits.maxRequestLineBytes() + 1 || end > headLimit ? -431 : INCOMPLETE;
        }
        if (eol == p || b(b, eol - 1) != CR) return -400;
        if (eol - 1 - p > limits.maxRequestLineBytes() || eol + 1 > headLimit) return -431;
        int s = requestLine(b, p, eol - 1, r);
        if (s != 0) return s;
        // ---- header fields
        p = eol + 1;
        r.headerCount = 0;
        r.contentLength = -1;
        int hosts = 0;
        boolean close = false, keepAliveToken = false;
        while (true) {
            eol = findLf(b, p, end);
            if (eol < 0) {
                return end > headLimit ? -431 : INCOMPLETE;
            }
            if (eol + 1 > headLimit) return -431;
            if (eol == p || b(b, eol - 1) != CR) return -400;
            long lineEnd = eol - 1;
            if (lineEnd == p) { // the empty line: end of the head
                p = eol + 1;
                break;
            }
            if (r.headerCount == r.nameStart.length) return -431;
            int i = r.headerCount;
            long q = p;
            while (q < lineEnd && TCHAR[b(b, q) & 0xFF]) q++;
            if (q == p || q == lineEnd || b(b, q) != ':') return -400; // empty name, space before colon, fold
            r.nameStart[i] = p;
            r.nameEnd[i] = q;
            q++;
            while (q < lineEnd && isOws(b(b, q))) q++;
            long v = q, ve = q;
            for (; q < lineEnd; q++) {
                int c = b(b, q) & 0xFF;
                if (c == SP || c == HT) continue;
                if (c < 0x21 || c == 0x7F) return -400;
                ve = q + 1;
            }
            r.valueStart[i] = v;
            r.valueEnd[i] = ve;
            r.headerCount++;
            if (r.equalsAscii(p, r.nameEnd[i], "content-length", true)) {
                long n = digits(b, v, ve);
                if (n == -1) return -400;
                if (n == -2) return -413;
                if (r.contentLength >= 0 && r.contentLength != n) return -400;
                r.contentLength = n;
            } else if (r.equalsAscii(p, r.nameEnd[i], "transfer-encoding", true)) {
                return -501;
            } else if (r.equalsAscii(p, r.nameEnd[i], "host", true)) {
                if (!isHost(b, v, ve)) return -400;
                hosts++;
            } else if (r.equalsAscii(p, r.nameEnd[i], "connection", true)) {
                close |= hasToken(b, v, ve, "close", r);
                keepAliveToken |= hasToken(b, v, ve, "keep-alive", r);
            }
            p = eol + 1;
        }
        if (hosts > 1 || (r.minorVersion >= 1 && hosts == 0)) return -400; // RFC 9112, 3.2
        if (r.contentLength < 0) r.contentLength = 0;
        if (r.contentLength > limits.maxBodyBytes()) return -413;
        r.keepAlive = !close && (r.minorVersion >= 1 || keepAliveToken);
        r.headComplete = true;
        r.bodyStart = p;
        if (end - p < r.contentLength) return INCOMPLETE;
        return (int) (p + r.contentLength - start);
    }

    private boolean tooLong(long start, long end, long p) {
        return end - start > limits.maxHeaderBytes();
    }

    /** method SP request-target SP HTTP/1.x; 0 when well formed, else the negated status. */
    private static int requestLine(MemorySegment b, long p, long end, HttpRequest r) {
        long q = p;
        while (q < end && TCHAR[b(b, q) & 0xFF]) q++;
        if (q == p || q == end || b(b, q) != SP) return -400;
        r.methodStart = p;
        r.methodEnd = q;
        p = ++q;
        long path = -1;
        while (q < end) {
            int c = b(b, q) & 0xFF;
            if (c == SP) break;
            if (c < 0x21 || c > 0x7E) return -400;
            if (c == '?' && path < 0) path = q;
            q++;
        }
        if (q == p || q == end) return -400;
        r.targetStart = p;
        r.targetEnd = q;
        r.pathEnd = path < 0 ? q : path;
        p = q + 1;
        if (end - p != 8 || b(b, p) != 'H' || b(b, p + 1) != 'T' || b(b, p + 2) != 'T' || b(b, p + 3) != 'P'
                || b(b, p + 4) != '/' || !isDigit(b(b, p + 5)) || b(b, p + 6) != '.' || !isDigit(b(b, p + 7))) {
            return -400;
        }
        if (b(b, p + 5) != '1') return -505;
        r.minorVersion = b(b, p + 7) - '0';
        return 0;
    }

    /**
     * Whether a Host value is {@code uri-host [ ":" port ]} (RFC 9110, 7.2): a name or an IP literal in
     * brackets, then optionally a colon and digits. Empty is valid (RFC 9112, 3.2); spaces, a
     * userinfo ({@code @}), a path ({@code /}) are not.
     */
    private static boolean isHost(MemorySegment b, long from, long to) {
        long q = from;
        if (q < to && b(b, q) == '[') {
            for (q++; q < to && b(b, q) != ']'; q++) {
                if (!IP_LITERAL[b(b, q) & 0xFF]) return false;
            }
            if (q == to) return false;
            q++;
        } else {
            while (q < to && HOST_NAME[b(b, q) & 0xFF]) q++;
        }
        if (q == to) return true;
        if (b(b, q) != ':') return false;
        for (q++; q < to; q++) {
            if (!isDigit(b(b, q))) return false;
        }
        return true;
    }

    /** A Content-Length value: the number, -1 when malformed, -2 when too large to represent. */
    private static long digits(MemorySegment b, long from, long to) {
        if (from == to) return -1;
        long n = 0;
        for (long q = from; q < to; q++) {
            byte c = b(b, q);
            if (!isDigit(c)) return -1;
            if (n > (Long.MAX_VALUE - 9) / 10) return -2;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Whether a comma-separated list holds {@code token} (any case). */
    private static boolean hasToken(MemorySegment b, long from, long to, String token, HttpRequest r) {
        long q = from;
        while (q < to) {
            while (q < to && (b(b, q) == ',' || isOws(b(b, q)))) q++;
            long s = q;
            while (q < to && b(b, q) != ',') q++;
            long e = q;
            while (e > s && isOws(b(b, e - 1))) e--;
            if (r.equalsAscii(s, e, token, true)) return true;
        }
        return false;
    }

    private static long findLf(MemorySegment b, long from, long end) {
        for (long q = from; q < end; q++) {
            if (b(b, q) == LF) return q;
        }
        return -1;
    }

    private static byte b(MemorySegment b, long at) {
        return b.get(ValueLayout.JAVA_BYTE, at);
    }

    private static boolean isOws(byte c) {
        return c == SP || c == HT;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
