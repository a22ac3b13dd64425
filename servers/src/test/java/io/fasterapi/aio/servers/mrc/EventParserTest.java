package io.fasterapi.aio.servers.mrc;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict event parser, the exact sum, and malformed events over HTTP. */
class EventParserTest {
    final EventParser parser = new EventParser();

    boolean parse(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        MemorySegment m = Arena.ofAuto().allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
        return parser.parse(m, 0, b.length);
    }

    @Test
    void acceptsTheShapeWithWhitespaceEscapesAndEitherOrder() {
        assertTrue(parse("{\"userId\":\"user_1\",\"value\":500.5}"));
        assertEquals("user_1", parser.userId());
        assertEquals(500_500_000, parser.micros());
        assertTrue(parse(" \n{ \"value\" : -1.25e2 ,\t\"userId\" : \"a\\\"b\\\\c\\/\\u00e9\\ud83d\\ude00\\n\" }\r\n"));
        assertEquals("a\"b\\c/é\uD83D\uDE00\n", parser.userId());
        assertTrue(parser.exact());
        assertEquals(-125_000_000, parser.micros());
        assertTrue(parse("{\"userId\":\"\",\"value\":0}"));
        assertEquals(0, parser.micros());
        assertTrue(parse("{\"userId\":\"u\",\"value\":1E-6}"));
        assertEquals(1, parser.micros());
        assertTrue(parse("{\"userId\":\"u\",\"value\":1.0000001}"));
        assertFalse(parser.exact(), "seven decimals are not exact in millionths");
        assertEquals(1.0000001, parser.value());
        assertTrue(parse("{\"userId\":\"u\",\"value\":1e300}"));
        assertFalse(parser.exact());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "[]", "null", "{\"userId\":\"u\"}", "{\"value\":1}",
            "{\"userId\":\"u\",\"value\":1,}", "{\"userId\":\"u\",\"value\":1,\"x\":2}",
            "{\"userId\":\"u\",\"userId\":\"v\"}", "{\"userId\":1,\"value\":1}", "{\"userId\":\"u\",\"value\":\"1\"}",
            "{\"userId\":\"u\",\"value\":01}", "{\"userId\":\"u\",\"value\":1.}", "{\"userId\":\"u\",\"value\":.5}",
            "{\"userId\":\"u\",\"value\":+1}", "{\"userId\":\"u\",\"value\":1e}", "{\"userId\":\"u\",\"value\":NaN}",
            "{\"userId\":\"u\",\"value\":1e400}", "{\"userId\":\"u\",\"value\":1} x", "{'userId':\"u\",\"value\":1}",
            "{\"userId\":\"a\\x\",\"value\":1}", "{\"userId\":\"\\ud800\",\"value\":1}", "{\"userId\":\"a\tb\",\"value\":1}",
            "{\"userId\":\"u\" \"value\":1}", "{\"userId\":\"u\",\"value\":1", "{\"userId\":\"unterminated,\"value\":1}"})
    void rejectsEverythingElse(String json) {
        assertFalse(parse(json), json);
    }

    @Test
    void theMillionEventSumIsExact() {
        assertEquals(0, Expected.after(1_000_000).sum().compareTo(BigDecimal.valueOf(500_000_000)));
        assertEquals(500.0, Expected.after(1_000_000).avg());
        assertEquals(75_000, Expected.after(1_000_000).uniqueUsers());
        // the double sum of the same values is exact too: every partial sum is a multiple of 0.5 below 2^53
        double d = 0;
        for (int i = 0; i < 1_000_000; i++) d += (i % 1000) + 0.5;
        assertEquals(500_000_000.0, d);
        EventStats stats = new EventStats();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(512);
            for (int i = 0; i < 3000; i++) {
                int n = MrcClient.encodeEvent(m, i);
                String request = new String(m.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
                int body = request.indexOf("\r\n\r\n") + 4;
                assertTrue(request.contains("Content-Length: " + (n - body) + "\r\n"), request);
                assertTrue(parser.parse(m, body, n - body), request);
                stats.record(parser);
            }
        }
        Expected e = Expected.after(3000);
        assertEquals(0, stats.sum().compareTo(e.sum()), stats.json());
        assertEquals(3000, stats.uniqueUsers());
        assertTrue(StatsReport.parse(stats.json()).differences(e).isEmpty(), stats.json());
    }

    @Test
    void malformedEventsAre400AndNotCounted() throws Exception {
        EventStats stats = new EventStats();
        try (HttpServerGroup g = HttpServerGroup.start(1, AsyncIoConfig.defaults(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpLimits.defaults(), i -> new MrcHandler(stats), null);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), g.address().getPort())) {
            s.setSoTimeout(10_000);
            String[] bodies = {"{\"userId\":\"a\",\"value\":1.5}", "{\"userId\":\"b\",\"value\":}", "not json",
                    "{\"userId\":\"b\",\"value\":2}"};
            int[] expected = {200, 400, 400, 200};
            InputStream in = s.getInputStream();
            for (int i = 0; i < bodies.length; i++) {
                String req = "POST /event HTTP/1.1\r\nHost: t\r\nContent-Length: " + bodies[i].length() + "\r\n\r\n" + bodies[i];
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                assertEquals(expected[i], io.fasterapi.aio.servers.http.HttpServerTest.read(in).status(), bodies[i]);
            }
            s.getOutputStream().write("GET /stats HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String json = io.fasterapi.aio.servers.http.HttpServerTest.read(in).body();
            assertEquals("{\"totalRequests\":2,\"uniqueUsers\":2,\"sum\":3.5,\"avg\":1.75}", json);
            s.getOutputStream().write("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(404, io.fasterapi.aio.servers.http.HttpServerTest.read(in).status());
            s.getOutputStream().write("GET /event HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(405, io.fasterapi.aio.servers.http.HttpServerTest.read(in).status());
        }
        assertEquals(2, stats.totalRequests());
    }
}
