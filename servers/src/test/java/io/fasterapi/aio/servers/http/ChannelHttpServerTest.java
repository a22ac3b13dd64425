package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.servers.ThreadPerConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP in blocking style ({@link ChannelHttpServer} on {@link ThreadPerConnection}), here over the
 * JDK's own ServerSocketChannel (the facade's sockets run it in the CLI's 1MRC test): keep-alive,
 * pipelining, a large body, a request that outgrows the first buffer, errors, and a handler that throws.
 */
class ChannelHttpServerTest {
    private ServerSocketChannel listener;
    private ThreadPerConnection server;
    private ChannelHttpServer http;
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private static final byte[] BIG = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);

    @BeforeEach
    void start() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        http = new ChannelHttpServer(() -> (request, response) -> {
            switch (request.path()) {
                case "/echo" -> response.send(200, "text/plain", request.bodyText().getBytes(StandardCharsets.US_ASCII));
                case "/big" -> response.send(200, "text/plain", java.lang.foreign.MemorySegment.ofArray(BIG));
                case "/throw" -> throw new IllegalStateException("planted");
                default -> response.sendText(404, "no");
            }
        }, HttpLimits.defaults(), errors::add);
        server = ThreadPerConnection.start(listener::accept, listener, http::serve, errors::add);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(listener.getLocalAddress());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads one response: its head and a Content-Length body. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) return head.size() == 0 ? null : head.toString(StandardCharsets.US_ASCII);
            head.write(c);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void keepAlivePipeliningAndALargeBody() throws Exception {
        try (Socket s = connect()) {
            var out = s.getOutputStream();
            var in = s.getInputStream();
            out.write(post("/echo", "one").getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(in).endsWith("\r\n\r\none"));
            // Three pipelined requests in one write, answered in order.
            out.write((post("/echo", "a") + post("/echo", "bb") + "GET /big HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(in).endsWith("\r\n\r\na"));
            assertTrue(response(in).endsWith("\r\n\r\nbb"));
            String big = response(in);
            assertTrue(big.startsWith("HTTP/1.1 200 OK\r\n") && big.endsWith("\r\n\r\n" + "x".repeat(100_000)), "the large body whole");
            // A request larger than the connection's first 2 KiB buffer.
            String body = "y".repeat(10_000);
            out.write(post("/echo", body).getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(in).endsWith("\r\n\r\n" + body));
        }
        assertEquals(5, http.requests());
        assertEquals(List.of(), errors);
    }

    @Test
    void aMalformedRequestIsAnswered400AndClosed() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("BLAH\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(s.getInputStream()).startsWith("HTTP/1.1 400 "));
            assertEquals(-1, s.getInputStream().read(), "closed after the error");
        }
    }

    @Test
    void aHandlerThatThrowsIsAnswered500AndReported() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(s.getInputStream()).startsWith("HTTP/1.1 500 "));
        }
        assertEquals(1, errors.size());
        assertEquals("planted", errors.getFirst().getMessage());
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(response(s.getInputStream()).startsWith("HTTP/1.1 404 "));
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(1, server.accepted());
    }
}
