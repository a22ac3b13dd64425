package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.servers.CaughtErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.OS;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several loops on one port, per OS as {@link HttpServerGroup} documents: SO_REUSEPORT shares the
 * port (Linux also spreads the connections); Windows, which has no SO_REUSEPORT, refuses more than
 * one loop and serves with one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerGroupTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int CONNECTIONS = 64;

    @Test
    void twoLoopsShareOnePortOrAreRefusedOnWindows() throws Exception {
        AtomicIntegerArray served = new AtomicIntegerArray(2);
        CaughtErrors caught = new CaughtErrors();
        AsyncIoConfig config = caught.config(null);
        if (OS.current() == OS.WINDOWS) {
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> HttpServerGroup.start(2, config, ANY_PORT,
                    HttpLimits.defaults(), i -> answering(served, i), caught.sink("handler")));
            assertSame(Errno.EOPNOTSUPP, e.error(), () -> "error of " + e);
            try (HttpServerGroup one = HttpServerGroup.start(1, config, ANY_PORT, HttpLimits.defaults(),
                    i -> answering(served, i), caught.sink("handler"))) {
                get(one.address());
            }
            assertEquals(1, served.get(0), "one loop serves on Windows");
        } else {
            try (HttpServerGroup group = HttpServerGroup.start(2, config, ANY_PORT, HttpLimits.defaults(),
                    i -> answering(served, i), caught.sink("handler"))) {
                for (int c = 0; c < CONNECTIONS; c++) {
                    get(group.address()); // a new connection, with a new source port, each time
                }
            }
            assertEquals(CONNECTIONS, served.get(0) + served.get(1), "every request answered by one of the loops");
            if (OS.current() == OS.LINUX) {
                // Linux picks the listener by a hash of the connection's addresses and ports: all
                // 64 connections on one loop would happen once in 2^63.
                assertTrue(served.get(0) > 0 && served.get(1) > 0, "Linux spreads connections: " + served);
            }
        }
        caught.assertNone("server loops");
    }

    private static HttpHandler answering(AtomicIntegerArray served, int loop) {
        return (req, res) -> {
            served.incrementAndGet(loop);
            res.sendText(200, "loop " + loop);
        };
    }

    private static void get(InetSocketAddress at) throws Exception {
        try (Socket s = HttpServerTest.connect(at)) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            HttpServerTest.Response r = HttpServerTest.read(s.getInputStream());
            assertEquals(200, r.status(), r::toString);
            assertTrue(r.body().startsWith("loop "), r::toString);
        }
    }
}
