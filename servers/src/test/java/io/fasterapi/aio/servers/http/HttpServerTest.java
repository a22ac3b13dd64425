package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.servers.CaughtErrors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server over real sockets (the best backend here), with a blocking client. What the loop's
 * uncaught handler and the server's handler-error sink catch is recorded; after each test nothing
 * may be left but what the test provoked and took.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class HttpServerTest {
    /** An IMF-fixdate's length: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    static final int HTTP_DATE_LENGTH = 29;
    static final HttpLimits LIMITS = HttpLimits.defaults().withSizes(128, 512, 16, 1000)
            .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(600));
    /** Answers with the request's method, target and body. */
    static final HttpHandler ECHO = (req, res) -> {
        if (req.pathEquals("/boom")) throw new IllegalStateException("boom");
        res.sendText(200, req.method() + " " + req.target() + (req.bodyLength() > 0 ? " " + req.bodyText() : ""));
    };

    HttpServerGroup server;
    final CaughtErrors caught = new CaughtErrors();

    InetSocketAddress start(HttpLimits limits, HttpHandler handler) {
        server = HttpServerGroup.start(1, caught.config(null),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits, i -> handler, caught.sink("handler"));
        return server.address();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        caught.assertNone("HttpServerTest");
    }

    public record Response(int status, String head, String body) {
        boolean closes() {
            return head.toLowerCase().contains("\r\nconnection: close");
        }
    }

    static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    public static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) throw new IOException("end of stream in a response head: " + head);
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Response(Integer.parseInt(h.substring(9, 12)), h, body);
    }

    static void assertClosed(InputStream in) throws IOException {
        assertEquals(-1, in.read(), "the server should have closed the connection");
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
    }

    static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            for (int i = 0; i < 100; i++) {
                send(s, i % 2 == 0 ? get("/k" + i) : post("/p", "body" + i));
                Response r = read(s.getInputStream());
                assertEquals(200, r.status());
                assertEquals(i % 2 == 0 ? "GET /k" + i : "POST /p body" + i, r.body());
                assertTrue(!r.closes(), r.head());
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 50; i++) batch.append(i % 3 == 0 ? post("/n" + i, "b" + i) : get("/n" + i));
            send(s, batch.toString());
            for (int i = 0; i < 50; i++) {
                Response r = read(s.getInputStream());
                assertEquals(i % 3 == 0 ? "POST /n" + i + " b" + i : "GET /n" + i, r.body());
            }
        }
    }

    @Test
    void requestsSplitAtEveryBytePositionAreAnswered() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        String two = post("/first", "hello") + get("/second");
        for (int cut = 1; cut < two.length(); cut++) {
            try (Socket s = connect(a)) {
                send(s, two.substring(0, cut));
                Thread.sleep(2); // let the server read the first part on its own
                send(s, two.substring(cut));
                assertEquals("POST /first hello", read(s.getInputStream()).body(), "cut at " + cut);
                assertEquals("GET /second", read(s.getInputStream()).body(), "cut at " + cut);
            }
        }
    }

    @Test
    void connectionCloseAndHttp10CloseAfterTheResponse() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            send(s, "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + get("/ignored"));
            Response r = read(s.getInputStream());
            assertEquals("GET /c", r.body());
            assertTrue(r.closes(), r.head());
            assertClosed(s.getInputStream());
        }
        try (Socket s = connect(a)) {
            send(s, "GET /old HTTP/1.0\r\n\r\n");
            assertEquals("GET /old", read(s.getInputStream()).body());
            assertClosed(s.getInputStream());
        }
        try (Socket s = connect(a)) {
            send(s, "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Response r = read(s.getInputStream());
            assertTrue(r.head().contains("Connection: keep-alive"), r.head());
            send(s, get("/again"));
            assertEquals("GET /again", read(s.getInputStream()).body());
        }
    }

    Response assertAnsweredAndClosed(InetSocketAddress a, String request, int status) throws Exception {
        try (Socket s = connect(a)) {
            send(s, get("/before") + request);
            assertEquals(200, read(s.getInputStream()).status(), "the request before is answered");
            Response r = read(s.getInputStream());
            assertEquals(status, r.status(), request);
            assertTrue(r.closes(), r.head());
            assertClosed(s.getInputStream());
            return r;
        }
    }

    @Test
    void eachLimitAnswersItsStatusAndCloses() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        Response uriTooLong = assertAnsweredAndClosed(a, "GET /" + "x".repeat(200) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
        assertTrue(uriTooLong.head().startsWith("HTTP/1.1 414 URI Too Long\r\n"), uriTooLong.head());
        assertAnsweredAndClosed(a, "M".repeat(200) + " / HTTP/1.1\r\nHost: t\r\n\r\n", 501);
        assertAnsweredAndClosed(a, "GET / HTTP/1.1\r\nHost: t\r\nBig: " + "v".repeat(600) + "\r\n\r\n", 431);
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 20; i++) many.append("H").append(i).append(": v\r\n");
        assertAnsweredAndClosed(a, many + "\r\n", 431);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3E9\r\n", 413);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n", 400);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue, x\r\nContent-Length: 1\r\n\r\n", 417);
        assertAnsweredAndClosed(a, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
        assertAnsweredAndClosed(a, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        assertAnsweredAndClosed(a, "GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505);
        // the largest request that fits is still answered
        try (Socket s = connect(a)) {
            send(s, post("/max", "b".repeat(1000)));
            assertEquals(200, read(s.getInputStream()).status());
        }
    }

    @Test
    void malformedRequestsAre400AndClose() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        assertAnsweredAndClosed(a, "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400);
        assertAnsweredAndClosed(a, "GET / HTTP/1.1\r\n\r\n", 400);
        assertAnsweredAndClosed(a, "GARBAGE\r\n\r\n", 400);
    }

    @Test
    void aHandlerThatThrowsIsAnswered500AndCloses() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        assertAnsweredAndClosed(a, get("/boom"), 500);
        List<CaughtErrors.Caught> thrown = caught.take(); // recorded before the 500 was written
        assertEquals(1, thrown.size(), thrown::toString);
        assertEquals("handler", thrown.getFirst().where());
        assertEquals("boom", thrown.getFirst().error().getMessage());
    }

    @Test
    void aSlowHeadIsAnswered408AndClosed() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            long t0 = System.nanoTime();
            send(s, "GET /slow HTTP/1.1\r\nHost: t\r\n"); // the head never ends
            Response r = read(s.getInputStream());
            assertEquals(408, r.status());
            assertClosed(s.getInputStream());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 250 && ms < 5_000, "closed after " + ms + " ms, header timeout 300 ms");
        }
    }

    @Test
    void aSlowClientDrippingBytesIsStillCutOff() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            byte[] head = "GET /drip HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII);
            try {
                for (byte b : head) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(50);
                }
                for (int i = 0; i < 100; i++) {
                    out.write('v');
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (IOException closedByServer) {
                // expected once the server gave up
            }
            assertEquals(408, read(s.getInputStream()).status());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "a client sending a byte every 50 ms held the connection " + ms + " ms");
        }
    }

    @Test
    void anIdleConnectionIsClosedWithoutAnswer() throws Exception {
        InetSocketAddress a = start(LIMITS, ECHO);
        try (Socket s = connect(a)) {
            send(s, get("/once"));
            assertEquals(200, read(s.getInputStream()).status());
            long t0 = System.nanoTime();
            assertClosed(s.getInputStream());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 500 && ms < 5_000, "closed after " + ms + " ms, idle timeout 600 ms");
        }
        try (Socket s = connect(a)) { // never sends anything
            assertClosed(s.getInputStream());
        }
    }

    @Test
    void headRequestsGetHeadersOnly() throws Exception {
        PreparedResponse hello = PreparedResponse.of(200, "text/plain", "Hello, World!");
        InetSocketAddress a = start(LIMITS, (req, res) -> res.send(hello));
        try (Socket s = connect(a)) {
            send(s, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + get("/"));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            // the HEAD answer has Content-Length 13 but no body: the GET answer follows at once
            String expectedHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: ";
            first.write(in.readNBytes(expectedHead.length() + HTTP_DATE_LENGTH + 4));
            String h = first.toString(StandardCharsets.US_ASCII);
            assertTrue(h.startsWith(expectedHead) && h.endsWith(" GMT\r\n\r\n"), h);
            assertEquals("Hello, World!", read(in).body());
        }
    }

    @Test
    void largeBodiesGoOutWithTheirHeadsInOneGatherWriteEach() throws Exception {
        // 40 KiB bodies, too large to copy into the response buffer: each answer is one write of
        // two buffers (the heads, the body), so the loop counts one write per request.
        int size = 40 * 1024;
        java.lang.foreign.MemorySegment body = java.lang.foreign.Arena.global().allocate(size);
        for (int i = 0; i < size; i++) body.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) ('a' + i % 26));
        String expected = new String(body.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        InetSocketAddress a = start(LIMITS, (req, res) -> res.send(200, "text/plain", body));
        long before = server.loops().loop(0).stats().writes();
        try (Socket s = connect(a)) {
            for (int i = 0; i < 5; i++) {
                send(s, get("/big" + i));
                Response r = read(s.getInputStream());
                assertEquals(200, r.status());
                assertEquals(expected, r.body(), "body " + i);
            }
        }
        // The client can have the last body before the loop has delivered its completion: wait for it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.loops().loop(0).stats().writes() - before < 5 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(5, server.loops().loop(0).stats().writes() - before, "one write per answer");
    }
}
