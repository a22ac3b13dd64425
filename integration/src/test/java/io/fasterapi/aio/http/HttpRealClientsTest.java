package io.fasterapi.aio.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.servers.ThreadPerConnection;
import io.fasterapi.aio.servers.http.ChannelHttpServer;
import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpLimits;
import io.fasterapi.aio.servers.http.HttpServerGroup;
import io.fasterapi.aio.servers.http.PreparedResponse;
import io.fasterapi.aio.tck.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP servers with clients we did not write (issue #16, item 3): curl uploads a chunked body,
 * waits for {@code 100 Continue}, asks {@code HEAD} and reuses its connection; ApacheBench ({@code ab},
 * HTTP/1.0 keep-alive) sends thousands of requests, GETs and POSTs. Each runs against the loop server
 * of every available backend and against the blocking server on the JDK's channels; the server's own
 * request count must equal what the client says it sent.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "curl and ab come from Debian packages here")
class HttpRealClientsTest {
    private static final PreparedResponse HELLO = PreparedResponse.of(200, "text/plain", "Hello, World!");
    /** "/echo" sends the body back, saying how it was framed; anything else is hello. */
    private static final HttpHandler HANDLER = (request, response) -> {
        if (request.pathEquals("/echo")) {
            response.header("X-Body-Framing", request.header("Transfer-Encoding") != null ? "chunked" : "length");
            response.send(200, "application/octet-stream", request.body().toArray(ValueLayout.JAVA_BYTE));
        } else {
            response.send(HELLO);
        }
    };

    /** Requests the server answered so far (the loop server's count is read on its loop, and may be interrupted). */
    interface Count {
        long get() throws InterruptedException;
    }

    record Server(InetSocketAddress address, Count requests) { }

    private static final Map<String, Server> servers = new LinkedHashMap<>();
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (BackendInfo b : AsyncIo.backends()) {
            if (!b.available()) continue;
            AsyncIoConfig config = AsyncIoConfig.builder().backend(b.name()).uncaughtHandler(errors::add).build();
            HttpServerGroup g = HttpServerGroup.start(1, config, any, HttpLimits.defaults(), i -> HANDLER, errors::add);
            running.add(g);
            servers.put(b.name(), new Server(g.address(), g::requests));
        }
        ServerSocketChannel listener = ServerSocketChannel.open().bind(any);
        ChannelHttpServer blocking = new ChannelHttpServer(() -> HANDLER, HttpLimits.defaults(), errors::add);
        running.add(ThreadPerConnection.start(listener::accept, listener, blocking::serve, errors::add));
        servers.put("jdk-channels", new Server((InetSocketAddress) listener.getLocalAddress(), blocking::requests));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) c.close();
        assertTrue(errors.isEmpty(), "caught: " + errors);
    }

    static Stream<String> servers() {
        return servers.keySet().stream();
    }

    private static String url(String server, String path) {
        InetSocketAddress a = servers.get(server).address();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path;
    }

    record Run(String out, String err) { }

    private static Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile("aio-client", ".out"), err = Files.createTempFile("aio-client", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish: " + command);
            Run r = new Run(Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1));
            assertEquals(0, p.exitValue(), () -> command + "\n" + r.out + r.err);
            return r;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path randomFile(Path dir, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve("body-" + size), b);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void curlUploadsChunkedAndWaitsForContinue(String server, @TempDir Path dir) throws Exception {
        Tools.require("curl", "curl");
        Path body = randomFile(dir, 12_000);
        Path back = dir.resolve("back"), head = dir.resolve("head");
        List<List<String>> fields = List.of(
                List.of("-H", "Transfer-Encoding: chunked"),
                List.of("-H", "Expect: 100-continue"),
                List.of("-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue"));
        for (List<String> f : fields) {
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "--fail", "--http1.1", "--expect100-timeout", "30",
                    "--data-binary", "@" + body, "-D", head.toString(), "-o", back.toString()));
            command.addAll(f);
            command.add(url(server, "/echo"));
            Run r = run(command);
            assertArrayEquals(Files.readAllBytes(body), Files.readAllBytes(back), f.toString());
            String h = Files.readString(head, StandardCharsets.ISO_8859_1);
            boolean chunked = f.contains("Transfer-Encoding: chunked");
            assertTrue(h.contains("X-Body-Framing: " + (chunked ? "chunked" : "length")), h);
            if (f.contains("Expect: 100-continue")) {
                // curl would send the body after a second even without it; it must have come
                assertTrue(r.err.contains("< HTTP/1.1 100 Continue"), r.err);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void curlAsksHeadAndReusesItsConnection(String server) throws Exception {
        Tools.require("curl", "curl");
        Run head = run(List.of("curl", "-sS", "--fail", "-I", url(server, "/")));
        assertTrue(head.out.startsWith("HTTP/1.1 200 OK\r\n"), head.out);
        assertTrue(head.out.contains("\r\nContent-Length: 13\r\n"), head.out);
        assertTrue(Pattern.compile("\r\nDate: \\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT\r\n").matcher(head.out).find(), head.out);

        long before = servers.get(server).requests().get();
        String u = url(server, "/");
        Run three = run(List.of("curl", "-sS", "-v", "--fail", "-w", "[%{num_connects}]\n", u, u, u));
        assertEquals("Hello, World![1]\nHello, World![0]\nHello, World![0]\n", three.out, three.err);
        assertTrue(three.err.contains("Re-using existing connection"), three.err);
        assertEquals(3, servers.get(server).requests().get() - before);
    }

    private static long abCount(String report, String what) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(what) + ":\\s+(\\d+)").matcher(report);
        assertTrue(m.find(), () -> what + " not in\n" + report);
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void apacheBenchGetsEveryAnswer(String server, @TempDir Path dir) throws Exception {
        Tools.require("ab", "apache2-utils");
        long before = servers.get(server).requests().get();
        Run get = run(List.of("ab", "-q", "-k", "-n", "4000", "-c", "8", url(server, "/")));
        assertEquals(4000, abCount(get.out, "Complete requests"), get.out);
        assertEquals(0, abCount(get.out, "Failed requests"), get.out);
        assertEquals(4000, abCount(get.out, "Keep-Alive requests"), get.out);
        assertTrue(!get.out.contains("Non-2xx responses"), get.out);

        Path body = randomFile(dir, 3_000);
        Run post = run(List.of("ab", "-q", "-k", "-n", "600", "-c", "3", "-p", body.toString(), "-T", "application/octet-stream",
                url(server, "/echo")));
        assertEquals(600, abCount(post.out, "Complete requests"), post.out);
        assertEquals(0, abCount(post.out, "Failed requests"), post.out);
        assertEquals(3_000, abCount(post.out, "Document Length"), post.out); // each answer: the 3,000 bytes sent
        assertEquals(600L * 3_000, abCount(post.out, "HTML transferred"), post.out);
        assertEquals(4600, servers.get(server).requests().get() - before, "requests the server answered");
    }
}
