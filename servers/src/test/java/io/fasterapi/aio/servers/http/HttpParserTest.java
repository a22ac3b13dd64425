package io.fasterapi.aio.servers.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and framing of requests, on native memory, without sockets. */
class HttpParserTest {
    static final HttpLimits LIMITS = HttpLimits.defaults().withSizes(64, 256, 8, 100)
            .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
    static final String GET = "GET /hello?x=1 HTTP/1.1\r\nHost: h\r\nX-Test:  a b \r\n\r\n";
    static final String POST = "POST /event HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";

    final Arena arena = Arena.ofAuto();
    final HttpParser parser = new HttpParser(LIMITS);
    final HttpRequest request = new HttpRequest(LIMITS.maxHeaders());

    MemorySegment segment(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment m = arena.allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
        return m;
    }

    int parse(String s) {
        MemorySegment m = segment(s);
        return parser.parse(m, 0, s.length(), request);
    }

    @Test
    void parsesRequestLineHeadersAndTarget() {
        assertEquals(GET.length(), parse(GET));
        assertEquals("GET", request.method());
        assertTrue(request.isMethod("GET"));
        assertEquals("/hello?x=1", request.target());
        assertEquals("/hello", request.path());
        assertTrue(request.pathEquals("/hello"));
        assertEquals(1, request.minorVersion());
        assertEquals(2, request.headerCount());
        assertEquals("a b", request.header("x-test"));
        assertNull(request.header("missing"));
        assertTrue(request.keepAlive());
        assertEquals(0, request.bodyLength());
    }

    @Test
    void parsesContentLengthBody() {
        assertEquals(POST.length(), parse(POST));
        assertEquals(5, request.bodyLength());
        assertEquals("hello", request.bodyText());
    }

    @Test
    void pipelinedRequestsAreFramedOneAfterAnother() {
        String all = POST + GET + POST;
        MemorySegment m = segment(all);
        int a = parser.parse(m, 0, all.length(), request);
        assertEquals(POST.length(), a);
        int b = parser.parse(m, a, all.length(), request);
        assertEquals(GET.length(), b);
        assertEquals("/hello", request.path());
        int c = parser.parse(m, a + b, all.length(), request);
        assertEquals(POST.length(), c);
        assertEquals("hello", request.bodyText());
    }

    @Test
    void everyPrefixIsIncompleteAndTheWholeIsComplete() {
        for (String s : new String[]{GET, POST}) {
            MemorySegment m = segment(s);
            for (int cut = 0; cut < s.length(); cut++) {
                assertEquals(HttpParser.INCOMPLETE, parser.parse(m, 0, cut, request), "cut at " + cut + " of " + s);
            }
            assertEquals(s.length(), parser.parse(m, 0, s.length(), request));
        }
    }

    @Test
    void keepAliveFollowsVersionAndConnection() {
        parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertFalse(request.keepAlive());
        parse("GET / HTTP/1.0\r\n\r\n");
        assertFalse(request.keepAlive());
        parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        assertTrue(request.keepAlive());
        parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, CLOSE\r\n\r\n");
        assertFalse(request.keepAlive());
    }

    @Test
    void leadingEmptyLinesAreSkipped() {
        String s = "\r\n\r\n" + GET;
        assertEquals(s.length(), parse(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /\r\nHost: h\r\n\r\n",                         // no version
            "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",               // two spaces
            "GET / HTTP/1.1\nHost: h\r\n\r\n",                  // bare LF
            "GET / HTTP/1.1\r\nHost : h\r\n\r\n",               // space before colon
            "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",     // obs-fold
            "GET / HTTP/1.1\r\n\r\n",                           // no Host in 1.1
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",     // two Hosts
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",                // not a token
            "GET / HTTP/1.1\r\nHost: h\u0001\r\n\r\n",          // control character in a value
            "GET /a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n",        // DEL in the target
            "GET / HTTX/1.1\r\nHost: h\r\n\r\n"})
    void malformedRequestsAre400(String s) {
        assertEquals(-400, parse(s));
    }

    @Test
    void aChunkedBodyArrivingInPiecesIsCheckedOnce() {
        String head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        String body = "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
        MemorySegment m = segment(head + body);
        int afterFirstChunk = head.length() + "3\r\nabc\r\n".length();
        assertEquals(HttpParser.INCOMPLETE, parser.parse(m, 0, afterFirstChunk + 2, request));
        // a byte of the chunk already checked changes: a parser that went on from where it
        // stopped does not see it (servers only append), one that starts over does
        m.set(ValueLayout.JAVA_BYTE, head.length(), (byte) 'x');
        assertEquals(head.length() + body.length(), parser.parse(m, 0, head.length() + body.length(), request));
        assertEquals(7, request.bodyLength());
        assertEquals(-400, new HttpParser(LIMITS).parse(m, 0, head.length() + body.length(), request));
        // after a complete request, or a reset, nothing is carried over
        m.set(ValueLayout.JAVA_BYTE, head.length(), (byte) '3');
        assertEquals(HttpParser.INCOMPLETE, parser.parse(m, 0, afterFirstChunk + 2, request));
        parser.reset();
        m.set(ValueLayout.JAVA_BYTE, head.length(), (byte) 'x');
        assertEquals(-400, parser.parse(m, 0, head.length() + body.length(), request));
    }

    @Test
    void limitsAnswerTheirStatus() {
        assertEquals(-414, parse("GET /" + "a".repeat(80) + " HTTP/1.1\r\nHost: h\r\n\r\n"), "request line");
        assertEquals(-414, parse("GET /" + "a".repeat(80)), "request line, still arriving");
        assertEquals(-501, parse("M".repeat(80)), "method, still arriving");
        assertEquals(-431, parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(300) + "\r\n\r\n"), "head");
        assertEquals(-431, parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(300)), "head, still arriving");
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 9; i++) many.append("A").append(i).append(": 1\r\n");
        assertEquals(-431, parse(many + "\r\n"), "header count");
        assertEquals(-413, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n"), "body");
        assertEquals(-413, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n"));
        assertEquals(HttpParser.INCOMPLETE, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(-501, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
        assertEquals(-400, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n"));
        assertEquals(-413, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n"), "chunks, 101 bytes");
        assertEquals(-417, parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n"));
        assertEquals(-400, parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"));
        assertEquals(-400, parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(-505, parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n"));
        String atLimit = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100);
        assertEquals(atLimit.length(), parse(atLimit), "a body of exactly the limit");
    }
}
