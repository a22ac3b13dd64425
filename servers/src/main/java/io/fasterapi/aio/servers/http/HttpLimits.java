package io.fasterapi.aio.servers.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What an {@link HttpServer} accepts and how long it waits. A request that exceeds a size limit is
 * answered with its status and the connection closed; a connection that exceeds a time limit is
 * closed (with {@code 408} when a request had begun).
 *
 * @param maxRequestLineBytes the longest request line (without CRLF); beyond it {@code 414} (URI
 *                            Too Long), {@code 501} when the method alone fills it, {@code 400}
 *                            when its first {@code maxRequestLineBytes + 2} bytes (all it is
 *                            judged by) are malformed; {@code 431} when empty lines before it
 *                            leave the head limit nearer than the line limit
 * @param maxHeaderBytes      the longest head (request line, header fields, the empty line); beyond
 *                            it {@code 431}
 * @param maxHeaders          the most header fields; beyond it {@code 431}
 * @param maxBodyBytes        the largest body: a {@code Content-Length}, or a chunked body's decoded
 *                            length; beyond it {@code 413} (a chunked body's head and encoded form
 *                            together may take {@code maxHeaderBytes + maxBodyBytes}, the request
 *                            buffer; beyond it {@code 413} too)
 * @param responseBufferBytes each connection's response buffer; responses of a read batch
 *                            (pipelining) are gathered in it and sent with one write
 * @param headerTimeout       from the first byte of a request to the end of its head
 * @param idleTimeout         the longest wait for the next request on a kept-alive connection,
 *                            for body bytes, and for a client to take a response
 */
public record HttpLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaders, int maxBodyBytes,
                         int responseBufferBytes, Duration headerTimeout, Duration idleTimeout) {

    /** Validates every field. */
    public HttpLimits {
        if (maxRequestLineBytes < 16) throw new IllegalArgumentException("maxRequestLineBytes must be >= 16");
        if (maxHeaderBytes < maxRequestLineBytes) throw new IllegalArgumentException("maxHeaderBytes must be >= maxRequestLineBytes");
        if (maxHeaders < 1) throw new IllegalArgumentException("maxHeaders must be >= 1");
        if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must be >= 0");
        if (responseBufferBytes < 1024) throw new IllegalArgumentException("responseBufferBytes must be >= 1024");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (headerTimeout.isNegative() || headerTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** Request line 4 KiB, head 8 KiB, 64 fields, body 16 KiB, responses 16 KiB, head 10 s, idle 60 s. */
    public static HttpLimits defaults() {
        return new HttpLimits(4096, 8192, 64, 16 * 1024, 16 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** A copy with other size limits. */
    public HttpLimits withSizes(int requestLine, int header, int headers, int body) {
        return new HttpLimits(requestLine, header, headers, body, responseBufferBytes, headerTimeout, idleTimeout);
    }

    /** A copy with other timeouts. */
    public HttpLimits withTimeouts(Duration header, Duration idle) {
        return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaders, maxBodyBytes, responseBufferBytes, header, idle);
    }

    /** Bytes of a connection's request buffer: a whole request at its largest. */
    int requestBufferBytes() {
        return maxHeaderBytes + maxBodyBytes;
    }
}
