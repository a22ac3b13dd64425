package io.fasterapi.aio.servers.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Parses one HTTP/1.1 request (RFC 9112) from native memory into an {@link HttpRequest}, allocating
 * nothing. Strict: lines end with CRLF, no whitespace before a field's colon, no line folding,
 * exactly one {@code Host} in HTTP/1.1 and at most one in HTTP/1.0, its value a host and optional
 * port. Empty lines before a request line are skipped, as RFC 9112 allows.
 *
 * <p>Bodies are framed by {@code Content-Length}, or by {@code Transfer-Encoding: chunked} (RFC
 * 9112, 7.1). Framing that could be read two ways is refused, since a proxy in front might read
 * it the other way (request smuggling, RFC 9112, 6.3 and 11.2): both {@code Transfer-Encoding} and
 * {@code Content-Length}, {@code Content-Length}s that differ, a {@code Transfer-Encoding} whose
 * final coding is not {@code chunked} (or that applies {@code chunked} twice), and any
 * {@code Transfer-Encoding} in HTTP/1.0 are {@code 400}, and the connection closes after the
 * answer. A coding before {@code chunked} ({@code gzip, chunked}) is {@code 501}: none is
 * implemented.
 *
 * <p>A chunked body is checked whole before the request is complete: chunk sizes in hex, chunk
 * extensions well formed (and ignored), each chunk's data followed by CRLF, trailer fields well
 * formed (and dropped). The decoded body is at most {@link HttpLimits#maxBodyBytes()} ({@code 413}
 * beyond), and the head with the encoded body at most {@code maxHeaderBytes + maxBodyBytes}: the
 * request buffer's size ({@code 413} beyond). Parsing never writes: the chunks' data are joined in
 * place when the handler first asks for the body ({@link HttpRequest#body()}).
 *
 * <p>{@code Expect: 100-continue} in HTTP/1.1 marks the request ({@link HttpRequest#expectContinue});
 * any other expectation is {@code 417} (RFC 9110, 10.1.1). HTTP/1.0 expectations are ignored.
 *
 * <p>Only complete lines are judged, so the outcome does not depend on how the bytes were split
 * across reads. The size limits apply as soon as enough bytes have arrived to exceed them, and
 * then too the outcome depends only on bytes every split has: a line whose end would lie past the
 * head limit is {@code 431}; a request line longer than {@link HttpLimits#maxRequestLineBytes()} is
 * judged, complete or not, from its first {@code maxRequestLineBytes + 2} bytes (RFC 9112, 3): a
 * method that fills the first {@code maxRequestLineBytes} bytes is {@code 501}, a target that fills
 * them, or that ends so late that a well-formed version takes the line past the limit, is
 * {@code 414}, and a byte among them that makes the line malformed is {@code 400}. A request line
 * whose end would lie past the head limit before the line limit (empty lines before it filled the
 * head) is {@code 431}.
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
    /** The {@code Transfer-Encoding} codings of the request being parsed: all, the chunked ones, the last. */
    private int codings, chunkedCodings;
    private boolean lastChunked;
    /**
     * Where the check of a chunked body stopped for want of bytes: in which buffer, the request's
     * start and the body's, the next line to check (0: none), and the chunks' total so far. The
     * next parse of the same request goes on from there, so a body arriving in many reads is
     * checked once, not once per read. Servers only append to a buffer or move a request to its
     * front (which changes its start, and so starts the check again, once).
     */
    private MemorySegment resumeIn;
    private long resumeStart, resumeBody, resumeLine, resumeTotal;
    private boolean resumeTrailers;

    HttpParser(HttpLimits limits) {
        this.limits = limits;
    }

    /** Forgets a chunked body's check in progress: the buffer will hold another connection's bytes. */
    void reset() {
        resumeIn = null;
        resumeLine = 0;
    }

    /**
     * Parses the request starting at {@code start}.
     *
     * @return the request's length (head and body) when it is complete, {@link #INCOMPLETE}, or the
     *         negated status to answer with before closing (-400, -413, -414, -417, -431, -501, -505)
     */
    int parse(MemorySegment b, long start, long end, HttpRequest r) {
        r.buffer = b;
        r.headComplete = false;
        r.expectContinue = false;
        r.chunked = false;
        codings = chunkedCodings = 0;
        lastChunked = false;
        long headLimit = start + limits.maxHeaderBytes();
        long p = start;
        while (p < end && b(b, p) == CR) { // empty lines before the request line
            if (p + 2 > headLimit) return -431; // its LF would lie past the head limit
            if (p + 1 >= end) return INCOMPLETE;
            if (b(b, p + 1) != LF) return -400;
            p += 2;
        }
        // ---- request line: its LF at most maxRequestLineBytes + 1 bytes in, and within the head
        long lineBound = p + limits.maxRequestLineBytes() + 2;
        long bound = Math.min(lineBound, headLimit);
        long eol = findLf(b, p, Math.min(end, bound));
        if (eol < 0) {
            if (end < bound) return INCOMPLETE;
            return lineBound <= headLimit ? tooLongRequestLine(b, p, lineBound - 2, lineBound) : -431;
        }
        if (eol == p || b(b, eol - 1) != CR) return -400;
        int s = requestLine(b, p, eol - 1, r);
        if (s != 0) return s;
        // ---- header fields
        p = eol + 1;
        r.headerCount = 0;
        r.contentLength = -1;
        int hosts = 0;
        boolean close = false, keepAliveToken = false, transferEncoding = false;
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
            long colon = fieldColon(b, p, lineEnd);
            if (colon < 0) return -400;
            r.nameStart[i] = p;
            r.nameEnd[i] = colon;
            long v = skipOws(b, colon + 1, lineEnd);
            long ve = valueEnd(b, v, lineEnd);
            if (ve < 0) return -400;
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
                if (r.minorVersion == 0) return -400; // RFC 9112, 6.1: faulty framing in HTTP/1.0
                transferEncoding = true;
                countCodings(b, v, ve, r); // a later field line continues the list
            } else if (r.equalsAscii(p, r.nameEnd[i], "expect", true)) {
                if (r.minorVersion >= 1) { // RFC 9110, 10.1.1: HTTP/1.0 expectations are ignored
                    int e = elements(b, v, ve, "100-continue", r); // RFC 9110, 10.1.1: nothing else is expected of us
                    if ((e & HAS_OTHER) != 0) return -417;
                    r.expectContinue |= e == HAS_TOKEN;
                }
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
        if (transferEncoding) {
            if (r.contentLength >= 0) return -400; // RFC 9112, 6.3 (3): both framings, a smuggling attempt
            if (!lastChunked || chunkedCodings > 1) return -400; // 6.3 (4); chunked at most once (6.1)
            if (codings > 1) return -501; // a coding under chunked, which we cannot undo (6.1)
        }
        if (r.contentLength < 0) r.contentLength = 0;
        if (r.contentLength > limits.maxBodyBytes()) return -413;
        r.keepAlive = !close && (r.minorVersion >= 1 || keepAliveToken);
        r.headComplete = true;
        r.bodyStart = p;
        if (transferEncoding) {
            long messageEnd = chunks(b, start, p, end, r);
            if (messageEnd <= 0) return (int) messageEnd;
            r.chunked = true;
            return (int) (messageEnd - start);
        }
        if (end - p < r.contentLength) return INCOMPLETE;
        return (int) (p + r.contentLength - start);
    }

    /**
     * Checks a chunked body from {@code p} to the end of its trailer section (RFC 9112, 7.1) and sets
     * the request's body length to the sum of its chunks. Lines are judged only when complete,
     * and a byte needed at or past the request buffer's end ({@code start + maxHeaderBytes +
     * maxBodyBytes}) is {@code 413}, so the outcome does not depend on how the bytes were split.
     * Goes on from where the last parse of this request stopped, if it stopped in this body.
     *
     * @return where the message ends, {@link #INCOMPLETE}, or the negated status
     */
    private long chunks(MemorySegment b, long start, long p, long end, HttpRequest r) {
        long bound = start + limits.requestBufferBytes();
        long q = p, total = 0;
        boolean trailers = false;
        if (resumeLine > 0 && resumeIn == b && resumeStart == start && resumeBody == p && resumeLine <= end) {
            q = resumeLine;
            total = resumeTotal;
            trailers = resumeTrailers;
        }
        resumeLine = 0;
        while (!trailers) { // chunk-size [ chunk-ext ] CRLF, then the data and CRLF
            long line = q;
            long eol = findLf(b, q, Math.min(end, bound));
            if (eol < 0) return end >= bound ? -413 : stopAt(b, start, p, line, total, false);
            if (eol == q || b(b, eol - 1) != CR) return -400;
            long lineEnd = eol - 1, size = 0, digits = q;
            for (int h; q < lineEnd && (h = hex(b(b, q))) >= 0; q++) {
                size = size * 16 + h;
                if (size > limits.maxBodyBytes() - total) return -413;
            }
            if (q == digits || !chunkExtensions(b, q, lineEnd)) return -400;
            q = eol + 1;
            if (size == 0) { // the last chunk
                trailers = true;
                break;
            }
            long dataEnd = q + size;
            if (dataEnd + 2 > bound) return -413;
            if (dataEnd + 2 > end) return stopAt(b, start, p, line, total, false);
            if (b(b, dataEnd) != CR || b(b, dataEnd + 1) != LF) return -400;
            total += size;
            q = dataEnd + 2;
        }
        while (true) { // the trailer section: field lines, read and dropped, then an empty line
            long eol = findLf(b, q, Math.min(end, bound));
            if (eol < 0) return end >= bound ? -413 : stopAt(b, start, p, q, total, true);
            if (eol == q || b(b, eol - 1) != CR) return -400;
            long lineEnd = eol - 1;
            if (lineEnd == q) break;
            long colon = fieldColon(b, q, lineEnd);
            if (colon < 0 || valueEnd(b, skipOws(b, colon + 1, lineEnd), lineEnd) < 0) return -400;
            q = eol + 1;
        }
        r.contentLength = total;
        return q + 2;
    }

    /** Keeps where the check of a chunked body stopped (line {@code line} is not all there yet). */
    private int stopAt(MemorySegment b, long start, long body, long line, long total, boolean trailers) {
        resumeIn = b;
        resumeStart = start;
        resumeBody = body;
        resumeLine = line;
        resumeTotal = total;
        resumeTrailers = trailers;
        return INCOMPLETE;
    }

    /**
     * Moves the data of the chunked body at {@code from} (checked by {@link #parse}) together, to
     * {@code from}. Each chunk's data moves towards the start, never past bytes still to be read.
     */
    static void joinChunks(MemorySegment b, long from) {
        long q = from, to = from;
        while (true) {
            long size = 0;
            for (int h; (h = hex(b(b, q))) >= 0; q++) size = size * 16 + h;
            q = findLf(b, q, b.byteSize()) + 1;
            if (size == 0) return;
            MemorySegment.copy(b, q, b, to, size);
            to += size;
            q += size + 2;
        }
    }

    /**
     * Whether {@code [q, end)} is a well-formed run of chunk extensions (RFC 9112, 7.1.1):
     * {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}.
     */
    private static boolean chunkExtensions(MemorySegment b, long q, long end) {
        while (q < end) {
            q = skipOws(b, q, end);
            if (q == end || b(b, q) != ';') return false;
            q = skipOws(b, q + 1, end);
            long name = q;
            while (q < end && TCHAR[b(b, q) & 0xFF]) q++;
            if (q == name) return false;
            long equals = skipOws(b, q, end);
            if (equals == end || b(b, equals) != '=') continue;
            q = skipOws(b, equals + 1, end);
            if (q < end && b(b, q) == '"') {
                q = quotedStringEnd(b, q, end);
                if (q < 0) return false;
            } else {
                long value = q;
                while (q < end && TCHAR[b(b, q) & 0xFF]) q++;
                if (q == value) return false;
            }
        }
        return true;
    }

    /** The end of the quoted-string (RFC 9110, 5.6.4) opening at {@code q}, or -1 when malformed. */
    private static long quotedStringEnd(MemorySegment b, long q, long end) {
        for (q++; q < end; q++) {
            int c = b(b, q) & 0xFF;
            if (c == '"') return q + 1;
            if (c == '\\') {
                if (++q == end) return -1;
                c = b(b, q) & 0xFF;
                if (c != HT && (c < 0x20 || c == 0x7F)) return -1;
            } else if (c != HT && (c < 0x20 || c == 0x7F)) {
                return -1;
            }
        }
        return -1;
    }

    /** The colon of the field line {@code [p, lineEnd)}: after a non-empty token name; -1 when there is none. */
    private static long fieldColon(MemorySegment b, long p, long lineEnd) {
        long q = p;
        while (q < lineEnd && TCHAR[b(b, q) & 0xFF]) q++;
        return q == p || q == lineEnd || b(b, q) != ':' ? -1 : q; // empty name, space before colon, fold
    }

    /** The end of a field value starting at {@code v}, trailing whitespace excluded; -1 when it holds a control. */
    private static long valueEnd(MemorySegment b, long v, long lineEnd) {
        long ve = v;
        for (long q = v; q < lineEnd; q++) {
            int c = b(b, q) & 0xFF;
            if (c == SP || c == HT) continue;
            if (c < 0x21 || c == 0x7F) return -1;
            ve = q + 1;
        }
        return ve;
    }

    /**
     * A request line known to be longer than the limit, judged from its first bytes {@code [p, to)}
     * (none of them LF): 501 when the method runs to {@code limitEnd}, 414 when the target does or
     * when what follows it can still be a well-formed version, 400 when these bytes are malformed.
     */
    private static int tooLongRequestLine(MemorySegment b, long p, long limitEnd, long to) {
        long q = p;
        while (q < limitEnd && TCHAR[b(b, q) & 0xFF]) q++;
        if (q == limitEnd) return -501; // RFC 9112, 3: a method longer than any implemented
        if (q == p || b(b, q) != SP) return -400;
        long target = ++q;
        while (q < limitEnd && b(b, q) != SP) {
            int c = b(b, q) & 0xFF;
            if (c < 0x21 || c > 0x7E) return -400;
            q++;
        }
        if (q == limitEnd) return -414; // RFC 9112, 3: a request-target longer than we parse
        if (q == target) return -400;
        // the target ended; the line is too long by its version unless what arrived of it is malformed
        int i = 0;
        for (q++; q < to; q++, i++) {
            byte c = b(b, q);
            boolean fits = switch (i) {
                case 0 -> c == 'H';
                case 1, 2 -> c == 'T';
                case 3 -> c == 'P';
                case 4 -> c == '/';
                case 5, 7 -> isDigit(c);
                case 6 -> c == '.';
                case 8 -> c == CR;
                default -> false;
            };
            if (!fits) return -400;
        }
        return -414;
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

    /**
     * Counts the codings of a {@code Transfer-Encoding} list (RFC 9112, 6.1: {@code #transfer-coding},
     * each a token and parameters) into {@link #codings}, {@link #chunkedCodings} and
     * {@link #lastChunked}. Only a bare {@code chunked} counts as chunked ({@code chunked} takes no
     * parameters). A comma within a parameter's quoted string does not separate.
     */
    private void countCodings(MemorySegment b, long from, long to, HttpRequest r) {
        long q = from;
        while (q < to) {
            while (q < to && (b(b, q) == ',' || isOws(b(b, q)))) q++;
            if (q == to) break;
            long s = q;
            while (q < to && TCHAR[b(b, q) & 0xFF]) q++;
            long e = skipOws(b, q, to);
            // chunked, alone: a token and then the list's next element or its end
            lastChunked = r.equalsAscii(s, q, "chunked", true) && (e == to || b(b, e) == ',');
            codings++;
            if (lastChunked) chunkedCodings++;
            boolean quoted = false;
            for (; q < to && (quoted || b(b, q) != ','); q++) {
                byte c = b(b, q);
                if (quoted && c == '\\') q++;
                else if (c == '"') quoted = !quoted;
            }
        }
    }

    /** {@link #elements}: the list holds {@code token}. */
    private static final int HAS_TOKEN = 1;
    /** {@link #elements}: the list holds an element other than {@code token}. */
    private static final int HAS_OTHER = 2;

    /**
     * What a comma-separated list holds (RFC 9110, 5.6.1: elements trimmed of whitespace, empty ones
     * not counted): {@link #HAS_TOKEN} if {@code token} (any case), {@link #HAS_OTHER} if another.
     */
    private static int elements(MemorySegment b, long from, long to, String token, HttpRequest r) {
        int found = 0;
        long q = from;
        while (q < to) {
            while (q < to && (b(b, q) == ',' || isOws(b(b, q)))) q++;
            long s = q;
            while (q < to && b(b, q) != ',') q++;
            long e = q;
            while (e > s && isOws(b(b, e - 1))) e--;
            if (e > s) found |= r.equalsAscii(s, e, token, true) ? HAS_TOKEN : HAS_OTHER;
        }
        return found;
    }

    /** Whether a comma-separated list holds {@code token} (any case). */
    private static boolean hasToken(MemorySegment b, long from, long to, String token, HttpRequest r) {
        return (elements(b, from, to, token, r) & HAS_TOKEN) != 0;
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

    private static long skipOws(MemorySegment b, long q, long end) {
        while (q < end && isOws(b(b, q))) q++;
        return q;
    }

    /** The value of a hex digit, or -1. */
    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
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
