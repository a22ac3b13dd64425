package io.fasterapi.aio.servers.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header field every response carries (RFC 9110, 6.6.1: an origin server with a
 * clock must send it), as the bytes of a whole field line, formatted once per second: a response
 * copies them and allocates nothing. An {@link HttpServer} refreshes it from a timer of its loop at
 * each turn of the second; a {@link ChannelHttpServer} before each batch of answers. Any thread may
 * read it.
 */
final class HttpDate {
    /** IMF-fixdate (RFC 9110, 5.6.7): {@code Sun, 06 Nov 1994 08:49:37 GMT}; always 29 characters. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The second formatted, and its field line; replaced whole, so a reader never sees them apart. */
    private record Stamp(long second, byte[] line) { }

    private volatile Stamp stamp;

    HttpDate(long nowMillis) {
        stamp = stamp(Math.floorDiv(nowMillis, 1000));
    }

    /** {@code Date: <IMF-fixdate>\r\n}. */
    byte[] line() {
        return stamp.line;
    }

    /**
     * Formats the second of {@code nowMillis} unless it is the one formatted already (or older: two
     * threads refreshing at once never move the date back for long).
     */
    void refresh(long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (second > stamp.second) stamp = stamp(second);
    }

    /** Milliseconds from {@code nowMillis} to the next turn of the second: when to refresh next. */
    static long millisToNextSecond(long nowMillis) {
        return 1000 - Math.floorMod(nowMillis, 1000);
    }

    private static Stamp stamp(long second) {
        String field = "Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n";
        return new Stamp(second, field.getBytes(StandardCharsets.US_ASCII));
    }
}
