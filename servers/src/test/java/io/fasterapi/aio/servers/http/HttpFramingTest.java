package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.servers.CaughtErrors;
import io.fasterapi.aio.servers.ThreadPerConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What real clients need beside the request forms of {@link HttpRequestFormsTest}, over raw
 * sockets, on the loop server of every available backend and on the blocking
 * {@link ChannelHttpServer} (over the JDK's channels): chunked bodies decoded byte for byte, the
 * interim {@code 100 Continue} before the body is sent, and a {@code Date} on every answer that
 * follows the clock.
 */
class HttpFramingTest {
    static final PreparedResponse HELLO = PreparedResponse.of(200, "text/plain", "Hello, World!");
    /**
     * Content types that make a head of 5 KB (a dynamic answer) and one of 12 KB (a prepared one):
     * the second does not fit the 16 KiB response buffer behind the first.
     */
    static final String MID_TYPE = "text/plain; m=" + "y".repeat(5000), LONG_TYPE = "text/plain; x=" + "y".repeat(12000);
    static final PreparedResponse LONG = PreparedResponse.of(200, LONG_TYPE, "long");
    static final HttpHandler ECHO = (req, res) -> {
        if (req.pathEquals("/echo")) res.send(200, "application/octet-stream", req.body().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        else if (req.pathEquals("/prepared")) res.send(HELLO);
        else if (req.pathEquals("/long")) res.send(LONG);
        else if (req.pathEquals("/mid")) res.send(200, MID_TYPE, ascii("mid"));
        else res.sendText(404, "no " + req.path());
    };
    static final CaughtErrors CAUGHT = new CaughtErrors();
    static final Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
    static final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (BackendInfo b : AsyncIo.backends()) {
            if (!b.available()) continue;
            HttpServerGroup g = HttpServerGroup.start(1, CAUGHT.config(b.name()), any, HttpLimits.defaults(), i -> ECHO,
                    CAUGHT.sink("handler on " + b.name()));
            running.add(g);
            servers.put(b.name(), g.address());
        }
        ServerSocketChannel listener = ServerSocketChannel.open().bind(any);
        ChannelHttpServer blocking = new ChannelHttpServer(() -> ECHO, HttpLimits.defaults(), CAUGHT.sink("channel handler"));
        running.add(ThreadPerConnection.start(listener::accept, listener, blocking::serve, CAUGHT.sink("channel server")));
        servers.put("channels", (InetSocketAddress) listener.getLocalAddress());
        assertTrue(servers.size() > 1, "no backend available");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) c.close();
        CAUGHT.assertNone("HttpFramingTest");
    }

    static Stream<String> servers() {
        return servers.keySet().stream();
    }

    static Socket connect(String server) throws IOException {
        Socket s = new Socket();
        s.connect(servers.get(server));
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    record Answer(int status, String head, byte[] body) { }

    /** One answer: the head up to its empty line, then Content-Length bytes of body. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("end of stream in a head: " + head);
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("\r\nContent-Length: (\\d+)\r\n", Pattern.CASE_INSENSITIVE).matcher(h);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return new Answer(Integer.parseInt(h.substring(9, 12)), h, in.readNBytes(length));
    }

    /** {@code body} in chunks of random sizes, with random hex case, leading zeros, extensions and trailers. */
    static byte[] chunked(byte[] body, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 400));
            String size = "0".repeat(random.nextInt(3)) + Integer.toHexString(n);
            out.writeBytes((random.nextBoolean() ? size.toUpperCase(Locale.ROOT) : size).getBytes(StandardCharsets.US_ASCII));
            if (random.nextInt(4) == 0) out.writeBytes(";ext=\"v\"".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(new byte[]{'\r', '\n'});
            out.write(body, at, n);
            out.writeBytes(new byte[]{'\r', '\n'});
            at += n;
        }
        String end = "0\r\n" + (random.nextBoolean() ? "X-Checksum: " + java.util.Arrays.hashCode(body) + "\r\n" : "") + "\r\n";
        out.writeBytes(end.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void chunkedBodiesArriveWholeAndInOrder(String server) throws IOException {
        Random random = new Random(server.hashCode());
        int checked = 0;
        try (Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 200; i++) {
                byte[] body = new byte[random.nextInt(i % 10 == 0 ? 16 * 1024 : 1200)];
                random.nextBytes(body); // CR, LF and digits in the data too
                byte[] request = concat(ascii("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"),
                        chunked(body, random), ascii("GET /next" + i + " HTTP/1.1\r\nHost: t\r\n\r\n"));
                // in pieces, so that the server sees every split of head, sizes and data sooner or later
                for (int at = 0; at < request.length; ) {
                    int n = Math.min(request.length - at, 1 + random.nextInt(700));
                    out.write(request, at, n);
                    out.flush();
                    at += n;
                }
                Answer echo = read(in);
                assertEquals(200, echo.status(), echo.head());
                assertArrayEquals(body, echo.body(), "body " + i + " of " + body.length + " bytes");
                Answer next = read(in);
                assertEquals(404, next.status(), "the request after the chunked one, in step");
                assertEquals("no /next" + i, new String(next.body(), StandardCharsets.UTF_8));
                checked++;
            }
        }
        assertEquals(200, checked);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void expectContinueIsAnsweredBeforeTheBodyIsSent(String server) throws IOException {
        byte[] continueLine = ascii("HTTP/1.1 100 Continue\r\n\r\n");
        try (Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (String framing : List.of("Content-Length: 11", "Transfer-Encoding: chunked")) {
                out.write(ascii("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n" + framing + "\r\n\r\n"));
                out.flush();
                // the client sends nothing more until it reads this
                assertArrayEquals(continueLine, in.readNBytes(continueLine.length), framing);
                out.write(ascii(framing.startsWith("Content") ? "hello world" : "b\r\nhello world\r\n0\r\n\r\n"));
                Answer a = read(in);
                assertEquals(200, a.status(), a.head());
                assertEquals("hello world", new String(a.body(), StandardCharsets.US_ASCII), framing);
            }
            // too large: the final answer at once, no 100, and the connection closes
            out.write(ascii("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"));
            Answer refused = read(in);
            assertEquals(413, refused.status(), refused.head());
            assertEquals(-1, in.read());
        }
    }

    static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    /** The one Date field of an answer, as an instant; checks its form (IMF-fixdate, RFC 9110 5.6.7). */
    static Instant date(Answer a) {
        Matcher m = Pattern.compile("\r\nDate: ([^\r]*)\r\n").matcher(a.head());
        assertTrue(m.find(), "no Date in " + a.head());
        String value = m.group(1);
        assertFalse(m.find(), "two Date fields in " + a.head());
        assertTrue(value.matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d GMT"),
                value);
        return ZonedDateTime.parse(value, IMF_FIXDATE).toInstant();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void everyAnswerCarriesTheDateOfTheClock(String server) throws Exception {
        List<String> requests = List.of("GET /prepared HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD /prepared HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
        try (Socket s = connect(server)) {
            for (String r : requests) {
                long before = System.currentTimeMillis() / 1000;
                s.getOutputStream().write(ascii(r));
                Answer a = r.startsWith("HEAD") ? headOnly(s.getInputStream()) : read(s.getInputStream());
                long after = System.currentTimeMillis() / 1000;
                long d = date(a).getEpochSecond();
                // refreshed at each turn of the second: it may trail the clock by the timer's lateness
                assertTrue(d >= before - 1 && d <= after, d + " not within " + before + ".." + after + ": " + a.head());
            }
            // an error answer (and then the connection closes)
            s.getOutputStream().write(ascii("GET / HTTP/1.1\r\n\r\n"));
            Answer bad = read(s.getInputStream());
            assertEquals(400, bad.status());
            date(bad);
        }
        // it follows the clock: a later second shows, on a connection that stayed open
        try (Socket s = connect(server)) {
            Instant first = null, now;
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                s.getOutputStream().write(ascii("GET /prepared HTTP/1.1\r\nHost: t\r\n\r\n"));
                now = date(read(s.getInputStream()));
                if (first == null) first = now;
                if (now.equals(first)) Thread.sleep(20); // polling a condition, bounded by the deadline
            } while (now.equals(first) && System.nanoTime() < deadline);
            assertTrue(now.isAfter(first), "the Date stayed " + first + " for 5 s");
        }
    }

    private static Answer headOnly(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) head.write(in.read());
        String h = head.toString(StandardCharsets.ISO_8859_1);
        return new Answer(Integer.parseInt(h.substring(9, 12)), h, new byte[0]);
    }

    @Test
    void handlersCannotAddTheFieldsTheServerWrites() {
        HttpResponse r = new HttpResponse(new HttpDate(0));
        for (String name : List.of("Date", "content-length", "Connection", "TRANSFER-ENCODING")) {
            assertThrows(IllegalArgumentException.class, () -> r.header(name, "x"), name);
        }
        r.header("X-Other", "fine");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void aLongPreparedHeadBehindOtherAnswersStillGoesOut(String server) throws IOException {
        // a head that does not fit the rest of the response buffer behind a first answer: written
        // on its own after the batch, not refused
        try (Socket s = connect(server)) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 10; i++) pipeline.append("GET /mid HTTP/1.1\r\nHost: t\r\n\r\nGET /long HTTP/1.1\r\nHost: t\r\n\r\n");
            s.getOutputStream().write(ascii(pipeline.toString()));
            for (int i = 0; i < 20; i++) {
                Answer a = read(s.getInputStream());
                assertEquals(200, a.status(), "answer " + i + ": " + a.head());
                String type = i % 2 == 0 ? MID_TYPE : LONG_TYPE;
                assertEquals(i % 2 == 0 ? "mid" : "long", new String(a.body(), StandardCharsets.US_ASCII));
                assertTrue(a.head().contains("\r\nContent-Type: " + type + "\r\n"), "answer " + i);
            }
        }
    }

    @Test
    void theDateIsFormattedOncePerSecond() {
        HttpDate d = new HttpDate(784_111_777_000L); // RFC 9110's example instant
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", new String(d.line(), StandardCharsets.US_ASCII));
        byte[] same = d.line();
        d.refresh(784_111_777_999L);
        assertTrue(same == d.line(), "the same second is not formatted again");
        d.refresh(784_111_778_000L);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", new String(d.line(), StandardCharsets.US_ASCII));
        d.refresh(784_111_777_500L); // a refresh that lost a race with a later one: the date does not go back
        assertEquals("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", new String(d.line(), StandardCharsets.US_ASCII));
        assertEquals(1000, HttpDate.millisToNextSecond(784_111_778_000L));
        assertEquals(1, HttpDate.millisToNextSecond(784_111_778_999L));
        assertEquals(HexFormat.of().formatHex(ascii("\r\n")), HexFormat.of().formatHex(d.line(), d.line().length - 2, d.line().length));
    }
}
