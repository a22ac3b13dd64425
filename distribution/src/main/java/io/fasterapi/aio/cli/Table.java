package io.fasterapi.aio.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A plain-text table: a header, aligned columns two spaces apart, no trailing blanks. */
final class Table {
    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param columns column headers; a header starting with {@code '>'} makes a right-aligned column
     *                (the {@code '>'} is not printed)
     */
    Table(String... columns) {
        headers = new String[columns.length];
        rightAligned = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            rightAligned[i] = columns[i].startsWith(">");
            headers[i] = rightAligned[i] ? columns[i].substring(1) : columns[i];
        }
    }

    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("expected " + headers.length + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toArray(String[]::new));
        return this;
    }

    void print(PrintWriter out, String indent) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        line(out, indent, headers, width);
        for (String[] r : rows) {
            line(out, indent, r, width);
        }
        out.flush();
    }

    private void line(PrintWriter out, String indent, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(rightAligned[i] ? pad + cells[i] : cells[i] + pad);
        }
        out.println(sb.toString().stripTrailing());
    }

    /** {@code 1,234,567}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 12.34}: two decimals with grouping. */
    static String decimal(double d) {
        return String.format(Locale.ROOT, "%,.2f", d);
    }

    /** A byte count for people: {@code 512 B}, {@code 6.10 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** Seconds with millisecond precision: {@code 1.234 s}. */
    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** An address as {@code host:port}, without the resolver's {@code name/} prefix. */
    static String address(java.net.SocketAddress address) {
        if (!(address instanceof java.net.InetSocketAddress a)) {
            return address instanceof java.net.UnixDomainSocketAddress u ? "unix:" + u.getPath() : String.valueOf(address);
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
