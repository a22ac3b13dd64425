package io.fasterapi.aio.servers.http;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The response to one request, written into the connection's response buffer, where the responses
 * of one read batch (pipelined requests) gather to leave in one write. A large {@link MemorySegment}
 * body (a {@link PreparedResponse} too) is not copied: it goes out with the heads in one gather
 * write, and must stay valid until sent (use memory that outlives the connection, such as the
 * global arena).
 * {@code Content-Length}, {@code Connection} and {@code Date} are written by the server.
 */
public final class HttpResponse {
    /** Segments at most this large are copied into the batch rather than written on their own. */
    static final int COPY_LIMIT = 2048;
    private static final String[] SERVER_FIELDS = {"Content-Length", "Connection", "Date", "Transfer-Encoding"};
    /** The interim answer to {@code Expect: 100-continue} (RFC 9110, 10.1.1). */
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The response buffer, lent by the server while the connection has answers to write; else null. */
    private MemorySegment out;
    private int length;
    private MemorySegment direct;
    private boolean sent;
    private boolean keepAlive;
    private boolean head;
    private int minorVersion;
    private int extraStart = -1, extraEnd;
    private final byte[] extra;
    private int status;
    private final HttpDate date;

    HttpResponse(HttpDate date) {
        this.extra = new byte[1024];
        this.date = date;
    }

    /** Writes the following answers into {@code buffer} (lent by the server; empty batch). */
    void use(MemorySegment buffer) {
        this.out = buffer;
        length = 0;
        direct = null;
    }

    /** The buffer answers are written into, or null when none is lent. */
    MemorySegment buffer() {
        return out;
    }

    // ---- used by the connection

    /**
     * Answers {@code request} through {@code handler} after the answers already in the buffer: a
     * handler that sends nothing, or throws ({@code failed} hears of it), is answered {@code 500},
     * and its partial answer dropped.
     */
    void answer(HttpHandler handler, HttpRequest request, java.util.function.Consumer<Throwable> failed) {
        int mark = length; // the answers before this one stay
        begin(request);
        try {
            handler.handle(request, this);
            if (!sent) {
                rollback(mark);
                error(500);
            }
        } catch (RuntimeException ex) {
            failed.accept(ex);
            rollback(mark); // drop this request's partial answer; the connection closes after the 500
            error(500);
        }
    }

    void begin(HttpRequest request) {
        sent = false;
        keepAlive = request.keepAlive;
        minorVersion = request.minorVersion;
        head = request.isMethod("HEAD");
        extraStart = -1;
        extraEnd = 0;
        status = 0;
    }

    /** An error answer that closes the connection (no request could be parsed). */
    void error(int code) {
        sent = false;
        keepAlive = false;
        minorVersion = 1;
        head = false;
        extraEnd = 0;
        send(code, "text/plain", Status.reason(code).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Tells a client waiting with {@code Expect: 100-continue} to send the body: an interim answer,
     * after the answers already in the buffer.
     */
    void continue100() {
        if (CONTINUE.length > free()) throw new IllegalStateException("no room for 100 Continue");
        put(CONTINUE);
    }

    boolean sent() {
        return sent;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    int status() {
        return status;
    }

    int length() {
        return length;
    }

    int free() {
        return (int) out.byteSize() - length;
    }

    MemorySegment direct() {
        return direct;
    }

    /** Drops what was written after {@code mark} (an answer a handler left unfinished). */
    void rollback(int mark) {
        length = mark;
        direct = null;
    }

    /** After the batch's writes were submitted: start an empty batch. */
    void reset() {
        length = 0;
        direct = null;
    }

    // ---- for handlers

    /** Closes the connection after this response. */
    public HttpResponse close() {
        keepAlive = false;
        return this;
    }

    /**
     * Adds a header field (ASCII) to the response; call before {@code send}. The fields the server
     * writes itself ({@code Content-Length}, {@code Connection}, {@code Date},
     * {@code Transfer-Encoding}) are refused: a second copy would make the answer ambiguous.
     */
    public HttpResponse header(String name, String value) {
        for (String own : SERVER_FIELDS) {
            if (own.equalsIgnoreCase(name)) throw new IllegalArgumentException(name + " is written by the server");
        }
        int need = name.length() + value.length() + 4;
        if (extraEnd + need > extra.length) throw new IllegalStateException("extra header fields exceed " + extra.length + " bytes");
        extraEnd = ascii(name, extra, extraEnd);
        extra[extraEnd++] = ':';
        extra[extraEnd++] = ' ';
        extraEnd = ascii(value, extra, extraEnd);
        extra[extraEnd++] = '\r';
        extra[extraEnd++] = '\n';
        return this;
    }

    /** Sends a prepared response, with the extra header fields added. */
    public void send(PreparedResponse r) {
        checkNotSent();
        status = r.status;
        MemorySegment h = r.head(keepAlive, minorVersion);
        if (h.byteSize() + date.line().length + extraEnd + 2 > free()) { // rare: a long head behind other answers
            direct = alone(h, head ? null : r.body);
            sent = true;
            return;
        }
        MemorySegment.copy(h, 0, out, length, h.byteSize());
        length += (int) h.byteSize();
        endHead();
        if (!head) body(r.body);
        sent = true;
    }

    /** Sends {@code body} with {@code contentType} (null: none). */
    public void send(int code, String contentType, byte[] body) {
        checkNotSent();
        writeHead(code, contentType, body.length);
        if (!head) {
            if (body.length <= free()) {
                MemorySegment.copy(body, 0, out, ValueLayout.JAVA_BYTE, length, body.length);
                length += body.length;
            } else { // rare: larger than the buffer; one native copy of its own
                MemorySegment big = Arena.ofAuto().allocate(body.length);
                MemorySegment.copy(body, 0, big, ValueLayout.JAVA_BYTE, 0, body.length);
                direct = big;
            }
        }
        sent = true;
    }

    /** Sends {@code body}; it is copied when small, else written as it is (keep it valid until sent). */
    public void send(int code, String contentType, MemorySegment body) {
        checkNotSent();
        writeHead(code, contentType, body.byteSize());
        if (!head) body(body);
        sent = true;
    }

    /** The whole answer in native memory of its own, written after the batch: for a head that does not fit the batch. */
    private MemorySegment alone(MemorySegment h, MemorySegment body) {
        byte[] d = date.line();
        long bodyBytes = body == null ? 0 : body.byteSize();
        MemorySegment m = Arena.ofAuto().allocate(h.byteSize() + d.length + extraEnd + 2 + bodyBytes);
        long at = h.byteSize();
        MemorySegment.copy(h, 0, m, 0, at);
        MemorySegment.copy(d, 0, m, ValueLayout.JAVA_BYTE, at, d.length);
        MemorySegment.copy(extra, 0, m, ValueLayout.JAVA_BYTE, at += d.length, extraEnd);
        at += extraEnd;
        m.set(ValueLayout.JAVA_BYTE, at++, (byte) '\r');
        m.set(ValueLayout.JAVA_BYTE, at++, (byte) '\n');
        if (body != null) MemorySegment.copy(body, 0, m, at, bodyBytes);
        return m;
    }

    /** A body after its head: copied into the batch when small, else written from where it is. */
    private void body(MemorySegment body) {
        if (body.byteSize() <= COPY_LIMIT && body.byteSize() <= free()) {
            MemorySegment.copy(body, 0, out, length, body.byteSize());
            length += (int) body.byteSize();
        } else {
            direct = body;
        }
    }

    /** Sends {@code text} as {@code text/plain; charset=utf-8} (allocates). */
    public void sendText(int code, String text) {
        send(code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private void checkNotSent() {
        if (sent) throw new IllegalStateException("the response was already sent");
    }

    private void writeHead(int code, String contentType, long bodyLength) {
        status = code;
        checkHeadFits(64 + (contentType == null ? 0 : contentType.length() + 16) + 40);
        put(Status.line(code));
        if (contentType != null) {
            putAscii("Content-Type: ");
            putAscii(contentType);
            putAscii("\r\n");
        }
        putAscii("Content-Length: ");
        putLong(bodyLength);
        putAscii("\r\n");
        if (!keepAlive) {
            putAscii("Connection: close\r\n");
        } else if (minorVersion == 0) {
            putAscii("Connection: keep-alive\r\n");
        }
        endHead();
    }

    /** Whether {@code fields} bytes of head, the Date, the extra fields and the empty line fit. */
    private void checkHeadFits(long fields) {
        if (fields + date.line().length + extraEnd + 2 > free()) {
            throw new IllegalStateException("response head does not fit the response buffer");
        }
    }

    /** The head's last fields (Date, the handler's extra ones) and the empty line. */
    private void endHead() {
        put(date.line());
        if (extraEnd > 0) {
            MemorySegment.copy(extra, 0, out, ValueLayout.JAVA_BYTE, length, extraEnd);
            length += extraEnd;
        }
        putAscii("\r\n");
    }

    private void put(byte[] b) {
        MemorySegment.copy(b, 0, out, ValueLayout.JAVA_BYTE, length, b.length);
        length += b.length;
    }

    private void putAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            out.set(ValueLayout.JAVA_BYTE, length++, (byte) s.charAt(i));
        }
    }

    private void putLong(long v) {
        if (v == 0) {
            out.set(ValueLayout.JAVA_BYTE, length++, (byte) '0');
            return;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) digits++;
        for (int i = digits - 1; i >= 0; i--) {
            out.set(ValueLayout.JAVA_BYTE, length + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        length += digits;
    }

    private static int ascii(String s, byte[] to, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7E || (c < 0x20 && c != '\t')) throw new IllegalArgumentException("not a header character: " + (int) c);
            to[at++] = (byte) c;
        }
        return at;
    }
}
