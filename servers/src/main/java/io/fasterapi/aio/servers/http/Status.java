package io.fasterapi.aio.servers.http;

import java.nio.charset.StandardCharsets;

/** Status lines, encoded once: {@code HTTP/1.1 404 Not Found\r\n}. */
final class Status {
    private static final byte[][] LINES = new byte[600][];

    private Status() {
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            default -> code < 300 ? "OK" : code < 400 ? "Redirect" : code < 500 ? "Client Error" : "Server Error";
        };
    }

    /** The status line with its CRLF. */
    static byte[] line(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + code);
        }
        byte[] l = LINES[code];
        if (l == null) {
            l = ("HTTP/1.1 " + code + " " + reason(code) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            LINES[code] = l; // racy but idempotent: every thread computes the same bytes
        }
        return l;
    }
}
