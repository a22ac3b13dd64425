package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.servers.CaughtErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory follows the data in flight, not the connections: a connection borrows the server's
 * full request buffer for a request larger than its own small buffer, and a response buffer
 * while its answers are written, and gives both back when it is idle again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerMemoryTest {
    private static final int CONNECTIONS = 20;

    @Test
    void idleKeepAliveConnectionsHoldNoBorrowedBuffer() throws Exception {
        CaughtErrors caught = new CaughtErrors();
        AsyncIo io = AsyncIo.create(caught.config(null));
        HttpServer server = new HttpServer(io, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenOptions.defaults(),
                HttpLimits.defaults(), HttpServerTest.ECHO, caught.sink("handler"));
        String big = "x".repeat(5000); // past the connection's own 1 KiB: a full request buffer is borrowed
        List<Socket> clients = new ArrayList<>();
        try {
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        Socket s = HttpServerTest.connect(server.address());
                        clients.add(s);
                        HttpServerTest.send(s, HttpServerTest.post("/big" + i, big));
                        HttpServerTest.Response r = HttpServerTest.read(s.getInputStream());
                        assertEquals("POST /big" + i + " " + big, r.body());
                        HttpServerTest.send(s, HttpServerTest.get("/small" + i));
                        assertEquals("GET /small" + i, HttpServerTest.read(s.getInputStream()).body());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (!load.isDone()) io.poll(10);
            load.join();
            io.poll(0);
            assertEquals(CONNECTIONS, server.openConnections(), "every connection is open and idle");
            assertEquals(0, server.lentBuffers(), "idle keep-alive connections hold only their own small buffer");
            assertTrue(server.requests() >= 2 * CONNECTIONS);
        } finally {
            for (Socket s : clients) s.close();
            server.close();
            io.close();
            server.free();
        }
        caught.assertNone("HttpServerMemoryTest");
    }
}
