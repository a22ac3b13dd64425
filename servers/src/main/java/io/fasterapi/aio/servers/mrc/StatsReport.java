package io.fasterapi.aio.servers.mrc;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code GET /stats} answered, and how it compares with {@link Expected}.
 *
 * @param json the body as received
 */
public record StatsReport(String json, long totalRequests, long uniqueUsers, BigDecimal sum, double avg) {
    private static final Pattern SHAPE = Pattern.compile(
            "\\s*\\{\\s*\"totalRequests\"\\s*:\\s*(\\d+)\\s*,\\s*\"uniqueUsers\"\\s*:\\s*(\\d+)\\s*,"
                    + "\\s*\"sum\"\\s*:\\s*(-?[0-9.eE+-]+)\\s*,\\s*\"avg\"\\s*:\\s*(-?[0-9.eE+-]+|NaN)\\s*}\\s*");

    /** Parses a stats body; {@code null} when it has not the expected shape. */
    public static StatsReport parse(String json) {
        Matcher m = SHAPE.matcher(json);
        if (!m.matches()) return null;
        try {
            return new StatsReport(json, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    new BigDecimal(m.group(3)), Double.parseDouble(m.group(4)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Each difference from {@code e}, in words; empty when every total matches. */
    public List<String> differences(Expected e) {
        List<String> d = new ArrayList<>();
        if (totalRequests != e.totalRequests()) d.add("totalRequests " + totalRequests + ", expected " + e.totalRequests());
        if (uniqueUsers != e.uniqueUsers()) d.add("uniqueUsers " + uniqueUsers + ", expected " + e.uniqueUsers());
        if (sum.compareTo(e.sum()) != 0) d.add("sum " + sum.toPlainString() + ", expected " + e.sum().toPlainString());
        if (Math.abs(avg - e.avg()) > 1e-9 * Math.max(1, Math.abs(e.avg()))) d.add("avg " + avg + ", expected " + e.avg());
        return d;
    }
}
