package io.fasterapi.aio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the lines benchmarks/run.sh collected into one Markdown table per workload.
 *
 * <p>Input lines (key=value, space separated):
 * <pre>
 * RUN workload=W loops=L round=R server=S rps=.. p50_us=.. p99_us=.. errors=.. srv_requests=.. srv_cpu_ns=.. srv_alloc_bytes=.. srv_rss_kb=..
 *     (the 1MRC adds seconds=.. correct=yes|no, and a "time s" and a "correct" column)
 * STRACE workload=W loops=L server=S requests=N &lt;syscall&gt;=&lt;calls&gt; ...
 * </pre>
 * One table per workload and loop count (a missing {@code loops} is 1). Each number in a table is
 * the median over the rounds; ratios are to io_uring (ours). At the end, every peer's ratios in
 * one table.
 */
public final class Report {
    private static final List<String> ORDER = List.of("io_uring", "io_uring-batch", "io_uring-busy", "epoll", "epoll-busy",
            "vt-io_uring", "vt-epoll", "vt-jdk-socket", "vt-jdk-channel", "netty-io_uring", "netty-epoll", "nio", "c-epoll", "c-io_uring");
    private static final List<String> NOT_CALLS = List.of("workload", "server", "requests", "loops");
    private static final String BASE = "io_uring";
    private static final List<String> C_PEERS = List.of("c-epoll", "c-io_uring");

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Map<String, List<Map<String, String>>>> runs = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, String>>> straces = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2) {
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq > 0) {
                    kv.put(words[i].substring(0, eq), words[i].substring(eq + 1));
                }
            }
            String w = kv.get("workload") + "|" + kv.getOrDefault("loops", "1");
            String s = kv.get("server");
            if (words[0].equals("RUN")) {
                runs.computeIfAbsent(w, k -> new LinkedHashMap<>()).computeIfAbsent(s, k -> new ArrayList<>()).add(kv);
            } else if (words[0].equals("STRACE")) {
                runs.computeIfAbsent(w, k -> new LinkedHashMap<>());
                straces.computeIfAbsent(w, k -> new HashMap<>()).put(s, kv);
            }
        }
        Map<String, Map<String, Row>> all = new LinkedHashMap<>();
        for (var workload : runs.entrySet()) {
            all.put(workload.getKey(),
                    print(workload.getKey(), workload.getValue(), straces.getOrDefault(workload.getKey(), Map.of())));
        }
        printRatios(all, rows -> rows.get(BASE), BASE, "ours on io_uring");
        if (all.values().stream().anyMatch(rows -> bestC(rows) != null)) {
            printRatios(all, Report::bestC, null, "the better minimal C server of the row (the physical limit)");
        }
    }

    /** Of the row's C peers, the one with the most requests per server CPU-second, or null. */
    private static Row bestC(Map<String, Row> rows) {
        Row best = null;
        for (String c : C_PEERS) {
            Row r = rows.get(c);
            if (r != null && (best == null || r.perCpu > best.perCpu)) best = r;
        }
        return best;
    }

    /**
     * One table: a row per workload and loop count, a column per peer (but {@code baseServer}),
     * ratios to the row's {@code base}; a row without a base is left out.
     */
    private static void printRatios(Map<String, Map<String, Row>> all, java.util.function.Function<Map<String, Row>, Row> base,
                                    String baseServer, String baseName) {
        List<String> peers = new ArrayList<>();
        for (Map<String, Row> rows : all.values()) {
            for (String s : rows.keySet()) {
                if (!s.equals(baseServer) && !peers.contains(s)) {
                    peers.add(s);
                }
            }
        }
        peers.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        System.out.println();
        System.out.println("### Ratios to " + baseName + " (req per server CPU-s / req/s; above 1.00 the peer is ahead)");
        System.out.println();
        StringBuilder h = new StringBuilder("| workload | loops |");
        StringBuilder line = new StringBuilder("|---|--:|");
        for (String p : peers) {
            h.append(' ').append(label(p)).append(" |");
            line.append("--:|");
        }
        System.out.println(h);
        System.out.println(line);
        for (var e : all.entrySet()) {
            Row b = base.apply(e.getValue());
            if (b == null && baseServer == null) continue; // no C run for this row (two loops, the 1MRC)
            String[] key = e.getKey().split("\\|");
            StringBuilder r = new StringBuilder("| " + key[0] + " | " + key[1] + " |");
            for (String p : peers) {
                Row row = e.getValue().get(p);
                r.append(' ').append(row == null || b == null ? "–"
                        : ratio(row.perCpu, b.perCpu) + " / " + ratio(row.rps, b.rps)).append(" |");
            }
            System.out.println(r);
        }
    }

    /**
     * @param seconds the client's time for the whole run (the 1MRC: a fixed number of requests), or NaN
     * @param correct the 1MRC check: "yes" when every round was correct, else "no (k of n)"; null when not checked
     */
    private record Row(String server, int rounds, double rps, double perCpu, double p50, double p99, double rssMib,
                       double allocPerReq, long errors, double syscalls, double seconds, String correct) {
    }

    private static Map<String, Row> print(String key, Map<String, List<Map<String, String>>> servers,
                                          Map<String, Map<String, String>> strace) {
        String workload = key.substring(0, key.indexOf('|'));
        String loops = key.substring(key.indexOf('|') + 1);
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(servers.keySet());
        names.addAll(strace.keySet());
        names.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (String s : names) {
            if (rows.containsKey(s)) {
                continue;
            }
            List<Map<String, String>> rs = servers.getOrDefault(s, List.of());
            double sys = Double.NaN;
            Map<String, String> st = strace.get(s);
            if (st != null) {
                double req = num(st, "requests");
                double calls = 0;
                for (var e : st.entrySet()) {
                    if (!NOT_CALLS.contains(e.getKey())) {
                        calls += Double.parseDouble(e.getValue());
                    }
                }
                sys = req > 0 ? calls / req : Double.NaN;
            }
            long errors = 0;
            int checked = 0, wrong = 0;
            for (var r : rs) {
                errors += (long) num(r, "errors");
                if (r.containsKey("correct")) {
                    checked++;
                    if (!r.get("correct").equals("yes")) {
                        wrong++;
                    }
                }
            }
            String correct = checked == 0 ? null : wrong == 0 ? "yes" : "**no** (" + wrong + " of " + checked + ")";
            rows.put(s, new Row(s, rs.size(),
                    median(rs, r -> num(r, "rps")),
                    median(rs, r -> num(r, "srv_requests") / (num(r, "srv_cpu_ns") / 1e9)),
                    median(rs, r -> num(r, "p50_us")),
                    median(rs, r -> num(r, "p99_us")),
                    median(rs, r -> num(r, "srv_rss_kb") / 1024),
                    median(rs, r -> num(r, "srv_alloc_bytes") / num(r, "srv_requests")),
                    errors, sys, median(rs, r -> r.containsKey("correct") ? num(r, "seconds") : Double.NaN), correct));
        }
        Row base = rows.get(BASE);
        System.out.println();
        String what = "";
        List<Map<String, String>> any = servers.values().stream().filter(l -> !l.isEmpty()).findFirst().orElse(List.of());
        if (!any.isEmpty() && any.getFirst().containsKey("correct")) {
            Map<String, String> r0 = any.getFirst();
            what = String.format(Locale.ROOT, " (%,.0f events over %,.0f connections)",
                    num(r0, "requests") + num(r0, "errors"), num(r0, "connections"));
        }
        System.out.println("### " + workload + what + ", " + (loops.equals("1")
                ? "1 loop (server pinned to CPU 0, load to CPU 1)"
                : loops + " loops (nothing pinned: server and load share the 2 CPUs)"));
        System.out.println();
        boolean anySyscalls = rows.values().stream().anyMatch(r -> !Double.isNaN(r.syscalls));
        boolean checked = rows.values().stream().anyMatch(r -> r.correct != null);
        System.out.println("| server |" + (checked ? " time s |" : "") + " req/s | vs io_uring | req per server CPU-s | vs io_uring | p50 µs | p99 µs "
                + "| server RSS MiB | alloc B/req (loop threads) |" + (anySyscalls ? " I/O syscalls/req |" : "")
                + " errors |" + (checked ? " correct |" : "") + " rounds |");
        System.out.println("|---|" + (checked ? "--:|" : "") + "--:|--:|--:|--:|--:|--:|--:|--:|" + (anySyscalls ? "--:|" : "")
                + "--:|" + (checked ? ":-:|" : "") + "--:|");
        for (Row r : rows.values()) {
            System.out.println(String.format(Locale.ROOT, "| %s |%s %s | %s | %s | %s | %s | %s | %s | %s |%s %d |%s %d |",
                    label(r.server), checked ? " " + fmt2(r.seconds) + " |" : "", fmt0(r.rps),
                    ratio(r.rps, base == null ? Double.NaN : base.rps),
                    fmt0(r.perCpu), ratio(r.perCpu, base == null ? Double.NaN : base.perCpu), fmt1(r.p50), fmt1(r.p99),
                    fmt1(r.rssMib), fmt2(r.allocPerReq), anySyscalls ? " " + fmt2(r.syscalls) + " |" : "", r.errors,
                    checked ? " " + (r.correct == null ? "–" : r.correct) + " |" : "", r.rounds));
        }
        List<String> wakes = new ArrayList<>();
        for (String s : rows.keySet()) {
            List<Map<String, String>> rs = servers.getOrDefault(s, List.of());
            if (rs.isEmpty() || !rs.getFirst().containsKey("srv_wakes")) continue;
            wakes.add(String.format(Locale.ROOT, "%s: %.3f wake-ups and %.2f loop turns per request (%.2f operations per turn)",
                    label(s), median(rs, r -> num(r, "srv_wakes") / num(r, "srv_total_requests")),
                    median(rs, r -> num(r, "srv_polls") / num(r, "srv_total_requests")),
                    median(rs, r -> num(r, "srv_ops") / num(r, "srv_polls"))));
        }
        if (!wakes.isEmpty()) System.out.println("\nOur blocking sockets (whole run, warm-up included): " + String.join("; ", wakes) + ".");
        double[] load = servers.values().stream().flatMap(List::stream).mapToDouble(r -> num(r, "load1"))
                .filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (load.length > 0) {
            System.out.println(String.format(Locale.ROOT,
                    "%nMachine load (1-minute load average before each run; 2 CPUs): %.2f to %.2f.", load[0],
                    load[load.length - 1]));
        }
        if (!strace.isEmpty()) {
            StringBuilder sb = new StringBuilder("\nI/O syscalls per request (strace pass, server side, calls between two SIGHUP marks): ");
            boolean first = true;
            for (String s : rows.keySet()) {
                Map<String, String> st = strace.get(s);
                if (st == null) {
                    continue;
                }
                double req = num(st, "requests");
                List<String> parts = new ArrayList<>();
                st.entrySet().stream()
                        .filter(e -> !NOT_CALLS.contains(e.getKey()))
                        .sorted((a, b) -> Double.compare(Double.parseDouble(b.getValue()), Double.parseDouble(a.getValue())))
                        .forEach(e -> parts.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(),
                                Double.parseDouble(e.getValue()) / req)));
                sb.append(first ? "" : "; ").append(label(s)).append(": ")
                        .append(parts.isEmpty() ? "none" : String.join(" + ", parts))
                        .append(String.format(Locale.ROOT, " (%.0f requests)", req));
                first = false;
            }
            System.out.println(sb);
        }
        return rows;
    }

    private static String label(String server) {
        return switch (server) {
            case "io_uring" -> "ours, io_uring";
            case "io_uring-batch" -> "ours, io_uring, batch wait";
            case "io_uring-busy" -> "ours, io_uring, pollBusy";
            case "epoll-busy" -> "ours, epoll, pollBusy";
            case "epoll" -> "ours, epoll";
            case "nio" -> "JDK NIO Selector";
            case "netty-io_uring" -> "Netty io_uring";
            case "netty-epoll" -> "Netty epoll";
            case "c-epoll" -> "C epoll (minimal)";
            case "c-io_uring" -> "C io_uring (minimal)";
            case "vt-io_uring" -> "virtual threads, our blocking sockets, io_uring";
            case "vt-epoll" -> "virtual threads, our blocking sockets, epoll";
            case "vt-jdk-socket" -> "virtual threads, JDK Socket";
            case "vt-jdk-channel" -> "virtual threads, JDK SocketChannel";
            default -> server;
        };
    }

    private static int rank(String s) {
        int i = ORDER.indexOf(s);
        return i < 0 ? ORDER.size() : i;
    }

    private static double num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    private static double median(List<Map<String, String>> rs, java.util.function.ToDoubleFunction<Map<String, String>> f) {
        double[] v = rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String ratio(double v, double base) {
        return Double.isNaN(v) || Double.isNaN(base) || base == 0 ? "–" : String.format(Locale.ROOT, "%.2f", v / base);
    }

    private static String fmt0(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String fmt1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }
}
