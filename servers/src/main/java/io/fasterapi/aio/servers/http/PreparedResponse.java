package io.fasterapi.aio.servers.http;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A response encoded once in native memory, for answers that do not change ("Hello, World!", an
 * acknowledgement): its head fields (without {@code Date}, which changes every second) and its
 * body. Sending it copies the head into the batch, adds the {@code Date} field, and copies a small
 * body after it; a large body goes out as it is in the same gather write, so sending copies nothing
 * of it. Held in the global arena: create these once, as constants; any loop thread may send them.
 */
public final class PreparedResponse {
    final int status;
    /**
     * The head up to the {@code Date} field, in the HTTP/1.1 keep-alive form and the forms with
     * {@code Connection: close} and {@code keep-alive}.
     */
    final MemorySegment keepAlive, close, keepAlive10;
    final MemorySegment body;

    private PreparedResponse(int status, String contentType, byte[] body) {
        this.status = status;
        keepAlive = encode(status, contentType, body.length, null);
        close = encode(status, contentType, body.length, "close");
        keepAlive10 = encode(status, contentType, body.length, "keep-alive");
        this.body = copy(body);
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

    /** The head fields (status line to the {@code Connection} field) for a response of this connection. */
    MemorySegment head(boolean keepAliveWanted, int minorVersion) {
        return !keepAliveWanted ? close : minorVersion == 0 ? keepAlive10 : keepAlive;
    }

    private static MemorySegment encode(int status, String contentType, int bodyLength, String connection) {
        StringBuilder head = new StringBuilder(new String(Status.line(status), StandardCharsets.US_ASCII));
        if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append("Content-Length: ").append(bodyLength).append("\r\n");
        if (connection != null) head.append("Connection: ").append(connection).append("\r\n");
        return copy(head.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static MemorySegment copy(byte[] bytes) {
        MemorySegment m = Arena.global().allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return m.asReadOnly();
    }
}
