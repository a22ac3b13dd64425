package io.fasterapi.aio.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code aio serve} (issue #16, item 1) in its own process (the jlink image), driven by clients we
 * did not write: curl and wrk. After the load, GET /stats counts what wrk sent; SIGTERM then stops
 * it gracefully, and its last lines count the same requests.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runs the Linux image")
class ServeIT {
    private static final Path IMAGE = Path.of(System.getProperty("aio.image.dir", "target/image"));

    private static void require(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(d, tool).canExecute()) return;
        }
        String why = tool + " is not installed (Debian package " + tool + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(why + "; CI installs it");
        Assumptions.abort(why);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** A server process and its output, read as it comes; the port from its first line. */
    private record Server(Process process, StringBuilder output, int port, Thread reader, AtomicBoolean ended) {
        static Server start(String... args) throws Exception {
            List<String> command = new java.util.ArrayList<>(List.of(IMAGE.resolve("bin/aio").toString(), "serve"));
            command.addAll(List.of(args));
            return start(command);
        }

        static Server start(List<String> command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            AtomicBoolean ended = new AtomicBoolean();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (out) {
                            out.append(line).append('\n');
                            out.notifyAll();
                        }
                        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(line);
                        if (!port.isDone() && m.find()) port.complete(Integer.parseInt(m.group(1)));
                    }
                } catch (java.io.IOException e) {
                    port.completeExceptionally(e);
                }
                synchronized (out) {
                    ended.set(true);
                    out.notifyAll();
                }
                port.completeExceptionally(new IllegalStateException("no address printed: " + out));
            });
            return new Server(p, out, port.get(60, TimeUnit.SECONDS), reader, ended);
        }

        /** Waits until the output has a match of {@code pattern} (at most 60 s), and gives its first group. */
        String await(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (output) {
                for (Matcher m = pattern.matcher(output); !m.find(); m = pattern.matcher(output)) {
                    long left = deadline - System.nanoTime();
                    if (ended.get() || left <= 0) throw new AssertionError("never printed: " + pattern + "\n" + output);
                    output.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                }
                Matcher m = pattern.matcher(output);
                assertTrue(m.find());
                return m.group(1);
            }
        }

        /** The server's JVM (the image's launcher is a shell script that does not exec it). */
        ProcessHandle jvm() {
            return process.descendants().findFirst().orElse(process.toHandle());
        }

        String stop() throws Exception {
            // SIGTERM to the JVM (the image's launcher is a shell script that does not exec it): the graceful stop.
            // (ProcessHandle.destroy, not Process.destroy, which would also close the output still to be read)
            List<ProcessHandle> jvms = process.descendants().toList();
            if (jvms.isEmpty()) jvms = List.of(process.toHandle()); // the JVM itself, when nothing stood between
            for (ProcessHandle jvm : jvms) {
                jvm.destroy();
                jvm.onExit().get(60, TimeUnit.SECONDS);
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped"); // the launcher's shell ends with its JVM
            reader.join(10_000); // every line, to the end of the output
            synchronized (output) {
                return output.toString();
            }
        }
    }

    @Test
    void httpServesCurlAndWrkAndCountsThemInStatsAndAtTheStop() throws Exception {
        require("curl");
        require("wrk");
        Server s = Server.start("http", "--port", "0", "--loops", "2");
        String url = "http://127.0.0.1:" + s.port() + "/";
        try {
            assertEquals("Hello, World!", run("curl", "-s", url));
            String wrk = run("wrk", "-t", "1", "-c", "10", "-d", "1s", url);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(wrk);
            assertTrue(m.find(), wrk);
            long sent = Long.parseLong(m.group(1));
            assertTrue(sent > 0, wrk);
            String stats = run("curl", "-s", url + "stats");
            Matcher r = Pattern.compile("\"requests\":(\\d+)").matcher(stats);
            assertTrue(r.find(), stats);
            long counted = Long.parseLong(r.group(1));
            // curl's two requests, wrk's, and the ones wrk had sent when its time was up (answered, not counted by wrk)
            assertTrue(counted >= sent + 2 && counted <= sent + 2 + 10, "counted " + counted + ", wrk sent " + sent + ": " + stats);
        } finally {
            String out = s.stop();
            Matcher done = Pattern.compile("stopped after ([0-9,]+) requests").matcher(out);
            assertTrue(done.find(), out);
            long total = Long.parseLong(done.group(1).replace(",", ""));
            assertTrue(total >= 3, out);
        }
    }

    /**
     * {@code --metrics-port} (issue #16, item 6): GET /metrics answers the loops' meters in the
     * Prometheus text format, and they count what curl did: one accept per curl and exactly the
     * request bytes curl reports sending. The scrapes themselves go to the JDK's HTTP server, not
     * through the loops, so a second scrape counts the same.
     */
    @Test
    void metricsInPrometheusFormatCountWhatCurlSent() throws Exception {
        require("curl");
        Server s = Server.start("http", "--port", "0", "--loops", "2", "--metrics-port", "0");
        String url = "http://127.0.0.1:" + s.port() + "/";
        try {
            String metricsUrl = "http://127.0.0.1:" + s.await(Pattern.compile("metrics \\(Prometheus\\) on http://127\\.0\\.0\\.1:(\\d+)/metrics")) + "/metrics";
            int requests = 5;
            long requestBytes = 0;
            long answerBytes = 0;
            for (int i = 0; i < requests; i++) { // a connection each
                String[] sizes = run("curl", "-s", "-o", "/dev/null", "-w", "%{size_request} %{size_header} %{size_download}", url).split(" ");
                requestBytes += Long.parseLong(sizes[0]);
                answerBytes += Long.parseLong(sizes[1]) + Long.parseLong(sizes[2]);
            }
            String scrape = run("curl", "-s", "-D", "-", metricsUrl);
            assertTrue(scrape.startsWith("HTTP/1.1 200 OK") && scrape.toLowerCase(java.util.Locale.ROOT)
                    .contains("content-type: text/plain; version=0.0.4; charset=utf-8"), scrape);
            assertTrue(scrape.contains("# TYPE aio_accepts_total counter"), scrape);
            for (String loop : new String[] {"0", "1"}) {
                assertTrue(Pattern.compile("(?m)^aio_reads_total\\{backend=\"[a-z_]+\",loop=\"" + loop + "\",server=\"http\"}").matcher(scrape).find(), scrape);
            }
            assertEquals(requests, sum(scrape, "aio_accepts_total"), scrape);
            assertEquals(requestBytes, sum(scrape, "aio_read_bytes_total"), scrape);
            // A write is counted at its completion, which may come after curl has the answer: at most what curl got.
            long written = sum(scrape, "aio_written_bytes_total");
            assertTrue(written > 0 && written <= answerBytes, written + " written, curl got " + answerBytes);
            String again = run("curl", "-s", metricsUrl);
            assertEquals(requests, sum(again, "aio_accepts_total"), again);
            assertEquals(requestBytes, sum(again, "aio_read_bytes_total"), again);
        } finally {
            s.stop();
        }
    }

    /** The sum of a Prometheus counter over all its series (here: every loop). */
    @Test
    void aMetricsPortInUseIsNamedAndNothingStaysRunning() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = new ProcessBuilder(IMAGE.resolve("bin/aio").toString(), "serve", "http", "--port", "0",
                    "--metrics-port", Integer.toString(busy.getLocalPort())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "it gives up: " + out);
            assertTrue(p.exitValue() != 0, out);
            assertTrue(out.contains("metrics endpoint 127.0.0.1:" + busy.getLocalPort()) && out.contains("Address already in use"), out);
        }
    }

    private static long sum(String scrape, String counter) {
        Matcher m = Pattern.compile("(?m)^" + counter + "\\{[^}]*} (\\S+)$").matcher(scrape);
        double total = 0;
        boolean found = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
            found = true;
        }
        assertTrue(found, counter + " in " + scrape);
        return (long) total;
    }

    @Test
    void theChallengeServerTakesAnEventFromCurl() throws Exception {
        require("curl");
        Server s = Server.start("1mrc", "--port", "0");
        String url = "http://127.0.0.1:" + s.port() + "/";
        try {
            assertEquals("{\"status\":\"ok\"}", run("curl", "-s", "-X", "POST", "-H", "Content-Type: application/json",
                    "-d", "{\"userId\":\"user_1\",\"value\":1.5}", url + "event"));
            String stats = run("curl", "-s", url + "stats");
            assertTrue(stats.startsWith("{\"totalRequests\":1,\"uniqueUsers\":1,"), stats);
        } finally {
            String out = s.stop();
            assertTrue(out.contains("stopped after 2 requests"), out);
        }
    }

    /**
     * The graceful stop: a request whose head has begun when SIGTERM comes is still answered (the
     * server waits for it, up to --drain-seconds), while an idle keep-alive connection is closed at
     * once; then the server exits and counts it.
     */
    @Test
    void aRequestInProgressAtTheStopIsStillAnswered() throws Exception {
        Server s = Server.start("http", "--port", "0", "--drain-seconds", "30");
        try (java.net.Socket busy = new java.net.Socket("127.0.0.1", s.port());
             java.net.Socket idle = new java.net.Socket("127.0.0.1", s.port())) {
            busy.setSoTimeout(20_000);
            idle.setSoTimeout(20_000);
            // Both answer a request first (so the server has accepted them, each with a read pending) ...
            for (java.net.Socket c : new java.net.Socket[] {busy, idle}) {
                c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                StringBuilder answer = new StringBuilder();
                while (!answer.toString().endsWith("Hello, World!")) { // the whole first answer, however it arrives
                    int b = c.getInputStream().read();
                    assertTrue(b >= 0, "a first answer: " + answer);
                    answer.append((char) b);
                }
            }
            // ... then the busy one begins the next request: in the server's socket when write returns (loopback).
            var out = busy.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // the head, not yet ended
            out.flush();
            CompletableFuture<String> stopped = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.stop();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(-1, idle.getInputStream().read(), "the idle connection is closed at the stop");
            assertTrue(!stopped.isDone(), "the server waits for the request in progress");
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII)); // the end of the head
            out.flush();
            String answer = new String(busy.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.endsWith("Hello, World!"), answer);
            String output = stopped.get(60, TimeUnit.SECONDS);
            assertTrue(output.contains("stopped after 3 requests"), output);
        }
    }

    /**
     * Issue 16, items 4 and 5, in the image: {@code aio serve} is seen as jconsole sees it (the
     * attach API starts the local management agent; its JMX connector shows the loop's MXBean,
     * counting an echo) and as JMC sees it (a JFR recording streamed over that connection carries
     * the loop's statistics, the echo counted).
     */
    @Test
    void serveIsSeenThroughJmxAsJconsoleSeesItAndStreamsJfrAsJmcDoes() throws Exception {
        Server s = Server.start("echo", "--port", "0");
        try (java.net.Socket c = new java.net.Socket("127.0.0.1", s.port())) {
            c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(c.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            String jvm = Long.toString(s.jvm().pid());
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(jvm);
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            try (javax.management.remote.JMXConnector jmx = javax.management.remote.JMXConnectorFactory.connect(
                    new javax.management.remote.JMXServiceURL(address))) {
                javax.management.MBeanServerConnection server = jmx.getMBeanServerConnection();
                java.util.Set<javax.management.ObjectName> loops = server.queryNames(
                        new javax.management.ObjectName("io.fasterapi.aio:type=AsyncIo,*"), null);
                assertEquals(1, loops.size(), "one loop: " + loops);
                javax.management.ObjectName loop = loops.iterator().next();
                assertEquals(1L, server.getAttribute(loop, "Accepts"), "the echo's connection, accepted");
                assertEquals(4L, server.getAttribute(loop, "BytesRead"), "the echo's bytes");
                assertEquals(2, server.getAttribute(loop, "OpenHandles"), "the listener and the connection");

                // No recording ran before: the first statistics event carries everything since the loop opened.
                CompletableFuture<jdk.jfr.consumer.RecordedEvent> first = new CompletableFuture<>();
                try (jdk.management.jfr.RemoteRecordingStream jfr = new jdk.management.jfr.RemoteRecordingStream(server)) {
                    jfr.enable("io.fasterapi.aio.LoopStatistics").withPeriod(java.time.Duration.ofMillis(100));
                    jfr.onEvent("io.fasterapi.aio.LoopStatistics", first::complete);
                    jfr.startAsync();
                    jdk.jfr.consumer.RecordedEvent e = first.get(60, TimeUnit.SECONDS);
                    assertEquals(1, e.getLong("accepts"), "accepts: " + e);
                    assertEquals(4, e.getLong("bytesRead"), "bytesRead: " + e);
                    assertEquals(loop.getKeyProperty("loop"), Integer.toString(e.getInt("loop")), "the MXBean's loop: " + e);
                }
            }
        } finally {
            s.stop();
        }
    }

    /**
     * systemd's socket activation: a listening socket made by another program (Python here, as
     * systemd would) is handed over as descriptor 3 with LISTEN_FDS=1 and LISTEN_PID set to the
     * server's process; the server serves it instead of listening itself.
     */
    @Test
    void aSocketHandedOverBySystemdIsServed() throws Exception {
        require("python3");
        require("curl");
        String activate = """
                import os, socket, sys
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('127.0.0.1', 0))
                s.listen(128)
                print('made port', s.getsockname()[1], flush=True)
                os.dup2(s.fileno(), 3)
                os.set_inheritable(3, True)
                env = dict(os.environ, LISTEN_FDS='1', LISTEN_PID=str(os.getpid()))  # exec keeps the pid
                os.execve(sys.argv[1], sys.argv[1:], env)
                """;
        Server s = Server.start(List.of("python3", "-c", activate, IMAGE.resolve("bin/java").toString(),
                "-m", "io.fasterapi.aio.cli/io.fasterapi.aio.cli.Main", "serve", "http", "--port", "1"));
        try {
            String out;
            synchronized (s.output()) {
                out = s.output().toString();
            }
            Matcher made = Pattern.compile("made port (\\d+)").matcher(out);
            assertTrue(made.find(), out);
            assertEquals(Integer.parseInt(made.group(1)), s.port(), "it serves the socket it was handed, not --port 1: " + out);
            assertTrue(out.contains("serving 1 socket(s) from systemd (LISTEN_FDS)"), out);
            assertEquals("Hello, World!", run("curl", "-s", "http://127.0.0.1:" + s.port() + "/"));
        } finally {
            String out = s.stop();
            assertTrue(out.contains("stopped after 1 requests"), out);
        }
    }
}
