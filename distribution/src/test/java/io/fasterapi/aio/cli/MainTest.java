package io.fasterapi.aio.cli;

import io.fasterapi.aio.servers.EchoServer;
import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.BackendInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code aio} commands, run in-process with their output captured. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MainTest {

    /** A command's exit status and its standard output and error. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    static Run aio(String... args) {
        return run(new Main(), args);
    }

    static void assumeSomeBackendAvailable() {
        assumeTrue(AsyncIo.backends().stream().anyMatch(BackendInfo::available),
                "no backend available here: " + AsyncIo.backends());
    }

    static void assertOneLineError(Run r) {
        String err = r.err().strip();
        assertTrue(err.startsWith("aio: "), r::toString);
        assertFalse(err.contains("\n"), () -> "more than one line: " + r);
        assertFalse(err.contains("\tat "), () -> "stack trace: " + r);
    }

    // ---- backends ---------------------------------------------------------------------------

    @Test
    void backendsListsEveryProviderAndTheChoice() {
        Run r = aio("backends");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().startsWith("BACKEND"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("epoll ")), () -> "epoll not listed: " + r);
        for (BackendInfo b : AsyncIo.backends()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(b.name() + " ")
                    && l.contains(b.available() ? "yes" : "no")
                    && (b.available() || l.contains(b.reason()))), () -> b + " not listed right: " + r);
        }
        AsyncIo.backends().stream().filter(BackendInfo::available).findFirst().ifPresent(best ->
                assertTrue(r.out().contains("AsyncIo.create() picks: " + best.name()), r::toString));
        for (BackendInfo b : AsyncIo.backends()) {
            assertTrue(r.out().lines().anyMatch(l -> l.equals("  " + String.format("%-9s %s", b.name(), b.zeroCopy()))),
                    () -> b.name() + "'s zero-copy sends not listed: " + r);
        }
    }

    @Test
    void backendsPickIsTheBackendCreateChooses() {
        assumeSomeBackendAvailable();
        Run r = aio("backends");
        try (AsyncIo io = AsyncIo.create()) {
            assertTrue(r.out().contains("AsyncIo.create() picks: " + io.backend()), r::toString);
        }
    }

    // ---- demo -------------------------------------------------------------------------------

    @Test
    void demoVerifiesEveryByte() {
        assumeSomeBackendAvailable();
        Run r = aio("demo", "--connections", "5", "--messages", "40", "--size", "1001");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("verification   OK: 200,200 bytes echoed and checked"), r::toString);
        assertTrue(r.out().contains("200 in all"), r::toString);
        assertTrue(r.out().contains("loop statistics"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.strip().matches("accepts\\s+5\\s+[0-9.]+")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.strip().matches("connects\\s+5\\s+[0-9.]+")), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void demoOnEveryAvailableBackend() {
        assumeSomeBackendAvailable();
        Run r = aio("demo", "--all-backends", "-c", "3", "-m", "20", "-s", "64");
        assertEquals(0, r.status(), r::toString);
        for (BackendInfo b : AsyncIo.backends()) {
            if (b.available()) {
                assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(b.name() + " ") && l.endsWith("OK")),
                        () -> b.name() + " has no OK row: " + r);
            } else {
                assertTrue(r.out().contains("  " + b.name() + ": " + b.reason()), () -> b.name() + " not skipped: " + r);
            }
        }
    }

    @Test
    void oneMillionRequestChallengeReducedOnEveryBackend() {
        assumeSomeBackendAvailable();
        Run r = aio("1mrc", "--requests", "20000", "--connections", "100", "--no-progress");
        assertEquals(0, r.status(), r::toString);
        for (BackendInfo b : AsyncIo.backends()) {
            if (b.available()) {
                assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(b.name() + " ") && l.endsWith("yes")),
                        () -> b.name() + " has no correct row: " + r);
            }
        }
        assertTrue(r.out().contains("\"totalRequests\":20000,\"uniqueUsers\":20000,\"sum\":10000000,\"avg\":500.0"), r::toString);
        assertEquals("", r.err(), () -> "the servers' handler errors are reported there: " + r);
    }

    /** The 1MRC server in blocking style (a virtual thread per connection on the blocking sockets) is exact on every backend too. */
    @Test
    void oneMillionRequestChallengeInVirtualThreadStyleOnEveryBackend() {
        assumeSomeBackendAvailable();
        Run r = aio("1mrc", "--style", "all", "--requests", "20000", "--connections", "100", "--server-loops", "2",
                "--no-progress");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("callback and virtual-thread servers"), r::toString);
        for (BackendInfo b : AsyncIo.backends()) {
            if (b.available()) {
                assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(b.name() + " (virtual threads) ") && l.endsWith("yes")),
                        () -> b.name() + " has no correct virtual-thread row: " + r);
                assertTrue(r.out().lines().anyMatch(l -> l.strip().matches(java.util.regex.Pattern.quote(b.name()) + " +[0-9].*yes")),
                        () -> b.name() + " has no correct callback row: " + r);
            }
        }
        long exact = r.out().lines().filter(l -> l.contains("\"totalRequests\":20000,\"uniqueUsers\":20000,\"sum\":10000000,\"avg\":500.0")).count();
        assertEquals(2 * AsyncIo.backends().stream().filter(BackendInfo::available).count(), exact, r::toString);
        assertEquals("", r.err(), r::toString);
        assertEquals(2, aio("1mrc", "--style", "threads").status(), "an unknown style is a usage error");
    }

    @Test
    void oneMillionRequestChallengeFailsOnAnExceptionInAServerLoop() {
        assumeSomeBackendAvailable();
        String backend = AsyncIo.backends().stream().filter(BackendInfo::available).findFirst().orElseThrow().name();
        MrcCommand command = new MrcCommand();
        command.serverStarted = server -> server.loops().loop(0).execute(() -> {
            throw new IllegalStateException("planted in the server loop");
        });
        Run r = run(command, "--backend", backend, "--requests", "2000", "--connections", "20", "--no-progress");
        assertEquals(Main.FAILED, r.status(), r::toString);
        assertEquals("aio: exception in a server loop: IllegalStateException: planted in the server loop", r.err().strip(),
                r::toString);
        assertTrue(r.out().contains("NOT correct: 1 error caught in the server (reported on standard error)"), r::toString);
    }

    @Test
    void demoOnAnUnknownBackendFailsInOneLine() {
        Run r = aio("demo", "--backend", "no-such-backend", "-c", "1", "-m", "1");
        assertEquals(Main.ERROR, r.status(), r::toString);
        assertOneLineError(r);
        assertTrue(r.err().contains("no-such-backend"), r::toString);
    }

    @Test
    void demoOnAnUnavailableBackendSaysWhy() {
        BackendInfo unavailable = AsyncIo.backends().stream().filter(b -> !b.available()).findFirst().orElse(null);
        assumeTrue(unavailable != null, "every backend is available here");
        Run r = aio("demo", "--backend", unavailable.name(), "-c", "1", "-m", "1");
        assertEquals(Main.ERROR, r.status(), r::toString);
        assertOneLineError(r);
        assertTrue(r.err().contains(unavailable.reason()), r::toString);
    }

    @Test
    void badCommandLinesExitWithTwo() {
        assertEquals(2, aio().status());
        assertEquals(2, aio("no-such-command").status());
        assertEquals(2, aio("demo", "--connections", "0").status());
        assertEquals(2, aio("demo", "--size", "x").status());
        assertEquals(2, aio("demo", "--all-backends", "--backend", "epoll").status());
        assertEquals(2, aio("echo-server").status()); // --port is required
        assertEquals(2, aio("echo-server", "--port", "70000").status());
    }

    @Test
    void helpAndVersion() {
        Run help = aio("--help");
        assertEquals(0, help.status());
        for (String sub : new String[]{"backends", "1mrc", "echo-server", "demo"}) {
            assertTrue(help.out().contains(sub), help::toString);
        }
        Run demoHelp = aio("demo", "--help");
        assertTrue(demoHelp.out().contains("--connections=N"), demoHelp::toString);
        Run version = aio("--version");
        assertTrue(version.out().startsWith("aio 0.1.0"), version::toString);
    }

    // ---- echo-server ------------------------------------------------------------------------

    @Test
    void echoServerEchoesUntilStopped() throws Exception {
        assumeSomeBackendAvailable();
        EchoServerCommand server = new EchoServerCommand();
        Run[] result = new Run[1];
        AtomicReference<Throwable> thrown = new AtomicReference<>(); // by the server's thread: recorded, asserted below
        Thread loop = new Thread(() -> result[0] = run(server, "--port", "0", "--buffer-size", "7"), "echo-server");
        loop.setUncaughtExceptionHandler((t, e) -> thrown.set(e));
        loop.start();
        InetSocketAddress address = (InetSocketAddress) server.bound.get(30, TimeUnit.SECONDS);
        assertNotEquals(0, address.getPort());

        byte[] message = "hello, echo; a message longer than the server's seven-byte buffer"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2; i++) { // two connections, one after the other
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int round = 0; round < 3; round++) {
                    out.write(message);
                    assertArrayEquals(message, in.readNBytes(message.length));
                }
            }
        }
        try (Socket idle = new Socket(address.getAddress(), address.getPort())) { // open while stopping
            idle.getOutputStream().write(1);
            assertEquals(1, idle.getInputStream().read());
            server.requestStop();
            loop.join(30_000);
        }
        assertFalse(loop.isAlive());
        assertNull(thrown.get(), "the server's thread threw");
        Run r = result[0];
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("listening on 127.0.0.1:" + address.getPort()), r::toString);
        assertTrue(r.out().contains("stopped after 3 connections"), r::toString);
        assertEquals("", r.err(), () -> "the loop's uncaught exceptions are reported there: " + r);
    }

    @Test
    void echoServerOnAUnixDomainSocketEchoesAndRemovesItsFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assumeSomeBackendAvailable();
        java.nio.file.Path path = dir.resolve("echo.sock");
        EchoServerCommand server = new EchoServerCommand();
        Run[] result = new Run[1];
        Thread loop = new Thread(() -> result[0] = run(server, "--unix", path.toString()), "echo-server-unix");
        loop.start();
        assertEquals(java.net.UnixDomainSocketAddress.of(path), server.bound.get(30, TimeUnit.SECONDS));
        byte[] message = "over a Unix domain socket".getBytes(StandardCharsets.US_ASCII);
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            ch.write(java.nio.ByteBuffer.wrap(message));
            java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(message.length);
            while (back.hasRemaining()) assertTrue(ch.read(back) > 0);
            assertArrayEquals(message, back.array());
        }
        server.requestStop();
        loop.join(30_000);
        assertFalse(loop.isAlive());
        assertEquals(0, result[0].status(), result[0]::toString);
        assertTrue(result[0].out().contains("listening on unix:" + path), result[0]::toString);
        assertFalse(java.nio.file.Files.exists(path), "the socket file is removed at exit");
        Run both = aio("echo-server", "--unix", path.toString(), "--port", "0");
        assertEquals(2, both.status(), both::toString); // picocli's usage error
    }

    @Test
    void echoServerEchoesUdpDatagrams() throws Exception {
        assumeSomeBackendAvailable();
        EchoServerCommand server = new EchoServerCommand();
        Run[] result = new Run[1];
        Thread loop = new Thread(() -> result[0] = run(server, "--udp", "--port", "0"), "echo-server-udp");
        loop.start();
        InetSocketAddress address = (InetSocketAddress) server.bound.get(30, TimeUnit.SECONDS);
        try (java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(10_000);
            for (int i = 0; i < 3; i++) {
                byte[] m = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                client.send(new java.net.DatagramPacket(m, m.length, address));
                java.net.DatagramPacket back = new java.net.DatagramPacket(new byte[100], 100);
                client.receive(back);
                assertEquals("datagram " + i, new String(back.getData(), 0, back.getLength(), StandardCharsets.US_ASCII));
                assertEquals(address, back.getSocketAddress());
            }
        }
        server.requestStop();
        loop.join(30_000);
        assertFalse(loop.isAlive());
        assertEquals(0, result[0].status(), result[0]::toString);
        assertTrue(result[0].out().contains("echoing UDP datagrams on udp:127.0.0.1:" + address.getPort()), result[0]::toString);
        assertTrue(result[0].out().contains("stopped after 3 datagrams"), result[0]::toString);
    }

    @Test
    void demoEchoesUdpDatagrams() {
        assumeSomeBackendAvailable();
        Run r = aio("demo", "--udp", "-c", "20", "-m", "50", "-s", "200");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("UDP datagram echo round trips"), r::toString);
        assertTrue(r.out().contains("OK: 200,000 bytes echoed and checked"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("datagrams received") && l.contains("2,000")), r::toString);
        assertEquals(2, aio("demo", "--udp", "--unix").status());
    }

    @Test
    void demoRunsOverAUnixDomainSocket() {
        assumeSomeBackendAvailable();
        Run r = aio("demo", "--unix", "-c", "5", "-m", "50", "-s", "100");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("Unix domain socket echo round trips"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("server") && l.contains("unix:/")), r::toString);
        assertTrue(r.out().contains("OK: 25,000 bytes echoed and checked"), r::toString);
    }

    @Test
    void echoServerOnAPortInUseFailsInOneLine() throws Exception {
        assumeSomeBackendAvailable();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = aio("echo-server", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(Main.ERROR, r.status(), r::toString);
            assertOneLineError(r);
            assertTrue(r.err().contains("EADDRINUSE"), r::toString);
        }
    }

    // ---- pieces -----------------------------------------------------------------------------

    @Test
    void demoMessagesDifferByConnectionAndMessage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(37);
            MemorySegment b = arena.allocate(37);
            Demo.fill(a, 0, 0);
            Demo.fill(b, 0, 0);
            assertEquals(-1, a.mismatch(b));
            Demo.fill(b, 0, 1);
            assertNotEquals(-1, a.mismatch(b));
            Demo.fill(b, 1, 0);
            assertNotEquals(-1, a.mismatch(b));
            assertNotEquals(-1, a.asSlice(32).mismatch(b.asSlice(32)), "the tail bytes vary too");
        }
    }

    @Test
    void errorsBecomeOneLine() {
        AsyncIoException e = new AsyncIoException("no available backend:\n  epoll: kernel too old\n  io_uring: EPERM", 0);
        assertEquals("no available backend: epoll: kernel too old; io_uring: EPERM", Main.message(e));
        assertEquals("IllegalStateException: closed", Main.message(new IllegalStateException("closed")));
        assertEquals("NullPointerException", Main.message(new NullPointerException()));
    }

    @Test
    void tablesAlign() {
        StringWriter w = new StringWriter();
        new Table("NAME", ">N", "NOTE").row("epoll", 100, "").row("io_uring", 7, "why not").print(new PrintWriter(w), "");
        assertEquals("""
                NAME        N  NOTE
                epoll     100
                io_uring    7  why not
                """, w.toString().replace(System.lineSeparator(), "\n"));
        assertEquals("6.10 MiB", Table.bytes(6_400_000));
        assertEquals("64 B", Table.bytes(64));
    }
}
