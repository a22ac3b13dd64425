package io.fasterapi.aio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory per idle keep-alive connection of a 1MRC server (not a test): opens {@code --connections}
 * connections, sends one {@code POST /event} on each and reads its answer, keeps them all open, and
 * reads the server's resident set size ({@code VmRSS} of {@code /proc/<pid>/status}) before and
 * after. A warm-up comes first, so that start-up and JIT growth are not counted: 50 connections
 * with {@code --warmup-requests} events each (so the measured connections are not served by
 * objects the warm-up left in a server's pools). Prints one {@code IDLE} line.
 */
public final class IdleConnections {
    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, new String[] {"host", "port", "connections", "warmup-requests", "server-pid"});
        InetSocketAddress at = new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000));
        int n = a.getInt("connections", 10_000);
        long pid = Long.parseLong(a.get("server-pid", "0"));
        warmUp(at, a.getInt("warmup-requests", 200));
        Thread.sleep(500);
        long before = rssKb(pid);
        List<Socket> held = open(at, n, 1_000_000);
        Thread.sleep(500); // let the server settle (its loop has answered everything already)
        long after = rssKb(pid);
        System.out.printf("IDLE connections=%d rss_before_kb=%d rss_after_kb=%d per_1000_mib=%.2f%n",
                n, before, after, (after - before) / 1024.0 / n * 1000);
        for (Socket s : held) s.close();
    }

    private static void warmUp(InetSocketAddress at, int requestsEach) throws IOException {
        List<Socket> sockets = open(at, 50, 2_000_000);
        byte[] buf = new byte[4096];
        for (int r = 1; r < requestsEach; r++) {
            for (Socket s : sockets) {
                send(s, 2_000_000 + r);
                readAnswer(s.getInputStream(), buf);
            }
        }
        for (Socket s : sockets) s.close();
    }

    private static void send(Socket s, int user) throws IOException {
        String body = "{\"userId\":\"user_" + user + "\",\"value\":1.5}";
        String req = "POST /event HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
        OutputStream out = s.getOutputStream();
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** {@code n} connections, each after one event and its answer, still open. */
    private static List<Socket> open(InetSocketAddress at, int n, int firstUser) throws IOException {
        List<Socket> sockets = new ArrayList<>(n);
        byte[] buf = new byte[4096];
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(at, 10_000);
            s.setSoTimeout(10_000);
            send(s, firstUser + i);
            readAnswer(s.getInputStream(), buf);
            sockets.add(s);
        }
        return sockets;
    }

    /** Reads one answer: its head, then Content-Length bytes. */
    private static void readAnswer(InputStream in, byte[] buf) throws IOException {
        int len = 0;
        int headEnd = -1;
        while (headEnd < 0) {
            int r = in.read(buf, len, buf.length - len);
            if (r < 0) throw new IOException("the server closed the connection");
            len += r;
            for (int i = 3; i < len; i++) {
                if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
                    headEnd = i + 1;
                    break;
                }
            }
        }
        String head = new String(buf, 0, headEnd, StandardCharsets.US_ASCII).toLowerCase();
        int cl = head.indexOf("content-length:");
        int bodyLength = cl < 0 ? 0 : Integer.parseInt(head.substring(cl + 15, head.indexOf('\r', cl)).strip());
        int have = len - headEnd;
        while (have < bodyLength) {
            int r = in.read(buf, 0, Math.min(buf.length, bodyLength - have));
            if (r < 0) throw new IOException("the server closed the connection in a body");
            have += r;
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no VmRSS for pid " + pid);
    }
}
