package io.fasterapi.aio.servers.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * One parsed request: a view of the connection's buffer (no copy), valid only while the handler
 * runs. The {@code is...}/{@code ...Equals} methods and the offsets allocate nothing; the methods
 * returning a {@link String} or a slice allocate it.
 */
public final class HttpRequest {
    MemorySegment buffer = MemorySegment.NULL;
    long methodStart, methodEnd, targetStart, pathEnd, targetEnd;
    int minorVersion;
    int headerCount;
    final long[] nameStart, nameEnd, valueStart, valueEnd;
    long contentLength;
    long bodyStart;
    boolean keepAlive;
    boolean headComplete;
    /** The client waits for {@code 100 Continue} before it sends the body. */
    boolean expectContinue;
    /** The body is still in its chunked form; {@link #decoded()} moves it into place on first use. */
    boolean chunked;

    HttpRequest(int maxHeaders) {
        nameStart = new long[maxHeaders];
        nameEnd = new long[maxHeaders];
        valueStart = new long[maxHeaders];
        valueEnd = new long[maxHeaders];
    }

    /** The method, e.g. {@code GET}. */
    public String method() {
        return isMethod("GET") ? "GET" : isMethod("POST") ? "POST" : text(methodStart, methodEnd);
    }

    /** Whether the method is {@code m} (case-sensitive, as methods are). */
    public boolean isMethod(String m) {
        return equalsAscii(methodStart, methodEnd, m, false);
    }

    /** The request target as sent: path and query. */
    public String target() {
        return text(targetStart, targetEnd);
    }

    /** The target's path (before any {@code ?}). */
    public String path() {
        return text(targetStart, pathEnd);
    }

    /** Whether the path (without query) is exactly {@code p}. */
    public boolean pathEquals(String p) {
        return equalsAscii(targetStart, pathEnd, p, false);
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    /** Whether the connection stays open after this request's response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Number of header fields. */
    public int headerCount() {
        return headerCount;
    }

    /** The name of header field {@code i}, as sent. */
    public String headerName(int i) {
        return text(nameStart[check(i)], nameEnd[i]);
    }

    /** The value of header field {@code i}, without surrounding whitespace. */
    public String headerValue(int i) {
        return text(valueStart[check(i)], valueEnd[i]);
    }

    /** The value of the first field named {@code name} (any case), or {@code null}. */
    public String header(String name) {
        for (int i = 0; i < headerCount; i++) {
            if (equalsAscii(nameStart[i], nameEnd[i], name, true)) {
                return headerValue(i);
            }
        }
        return null;
    }

    /** The buffer holding the request; the body is at {@link #bodyOffset()}. */
    public MemorySegment buffer() {
        return buffer;
    }

    /** The head is complete and asks for {@code 100 Continue} (the client may wait for it to send the body). */
    boolean waitsForContinue() {
        return headComplete && expectContinue;
    }

    /** Where the body starts in {@link #buffer()}; a chunked body is decoded there first. */
    public long bodyOffset() {
        return decoded().bodyStart;
    }

    /** The body's length: its {@code Content-Length}, or the sum of its chunks; 0 without a body. */
    public int bodyLength() {
        return (int) contentLength;
    }

    /** The body as a slice of the buffer (allocates the slice); a chunked body is decoded first. */
    public MemorySegment body() {
        return buffer.asSlice(decoded().bodyStart, contentLength);
    }

    /**
     * Decodes a chunked body in place, once: its chunks' data move together to the body's start.
     * Lazily, so that parsing never writes into the bytes it reads (a handler that ignores the body
     * costs nothing).
     */
    private HttpRequest decoded() {
        if (chunked) {
            HttpParser.joinChunks(buffer, bodyStart);
            chunked = false;
        }
        return this;
    }

    /** The body decoded as UTF-8 (allocates). */
    public String bodyText() {
        byte[] b = body().toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return method() + " " + target() + " HTTP/1." + minorVersion;
    }

    private int check(int i) {
        if (i < 0 || i >= headerCount) throw new IndexOutOfBoundsException(i);
        return i;
    }

    private String text(long from, long to) {
        byte[] b = buffer.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    boolean equalsAscii(long from, long to, String s, boolean ignoreCase) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            int a = buffer.get(ValueLayout.JAVA_BYTE, from + i) & 0xFF;
            int b = s.charAt(i);
            if (a != b && (!ignoreCase || HttpParser.lower(a) != HttpParser.lower(b))) {
                return false;
            }
        }
        return true;
    }
}
