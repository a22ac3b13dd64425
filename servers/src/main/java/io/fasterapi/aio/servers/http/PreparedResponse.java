package io.fasterapi.aio.servers.http;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A whole response encoded once in native memory, for answers that do not change ("Hello, World!",
 * an acknowledgement). Sending it copies nothing per request when it goes out on its own write, and
 * only a memory copy into the batch when it joins pipelined responses. Held in the global arena:
 * create these once, as constants; any loop thread may send them.
 */
public final class PreparedResponse {
    final int status;
    /** HTTP/1.1 keep-alive form, and the forms with {@code Connection: close} and {@code keep-alive}. */
    final MemorySegment keepAlive, close, keepAlive10;
    /** Length of the head (without the body) in each form: for HEAD requests. */
    final int bodyLength;

    private PreparedResponse(int status, String contentType, byte[] body) {
        this.status = status;
        this.bodyLength = body.length;
        keepAlive = encode(status, contentType, body, null);
        close = encode(status, contentType, body, "close");
        keepAlive10 = encode(status, contentType, body, "keep-alive");
    }

    /** A response with a body of {@code contentType} (null for none) and {@code body}. */
    public static PreparedResponse of(int status, String contentType, byte[] body) {
        return new PreparedResponse(status, contentType, body.clone());
    }

    /** A response whose body is {@code text} in UTF-8. */
    public static PreparedResponse of(int status, String contentType, String text) {
        return new PreparedResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The status code. */
    public int status() {
        return status;
    }

    MemorySegment form(boolean keepAliveWanted, int minorVersion) {
        return !keepAliveWanted ? close : minorVersion == 0 ? keepAlive10 : keepAlive;
    }

    private static MemorySegment encode(int status, String contentType, byte[] body, String connection) {
        StringBuilder head = new StringBuilder(new String(Status.line(status), StandardCharsets.US_ASCII));
        if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (connection != null) head.append("Connection: ").append(connection).append("\r\n");
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        MemorySegment m = Arena.global().allocate(h.length + body.length, 8);
        MemorySegment.copy(h, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, h.length);
        MemorySegment.copy(body, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, h.length, body.length);
        return m.asReadOnly();
    }
}
