package io.fasterapi.aio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the output of {@code wrk --latency} into the line {@link LoadClient} prints, so that
 * run.sh and {@link Report} treat both load generators alike:
 * <pre>CLIENT backend=wrk requests=... seconds=... rps=... p50_us=... p75_us=... p90_us=... p99_us=... errors=...</pre>
 * errors = every socket error wrk counted (connect, read, write, timeout) plus non-2xx/3xx
 * responses. A percentile wrk prints as 0 (wrk 4.1 does so for p99 under pipelining now and
 * then) is written as NaN: the report shows "–". Exit status 1, and no line, when the output has no "Requests/sec".
 */
public final class WrkResult {
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|75|90|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s|m)\\s*$");
    private static final Pattern TOTAL = Pattern.compile("^\\s*(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern RPS = Pattern.compile("^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private WrkResult() {
    }

    public static void main(String[] args) throws IOException {
        double[] pct = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        long requests = -1;
        double seconds = Double.NaN;
        double rps = Double.NaN;
        long errors = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            Matcher m;
            if ((m = PERCENTILE.matcher(line)).find()) {
                int i = switch (m.group(1)) {
                    case "50" -> 0;
                    case "75" -> 1;
                    case "90" -> 2;
                    default -> 3;
                };
                double v = micros(Double.parseDouble(m.group(2)), m.group(3));
                pct[i] = v > 0 ? v : Double.NaN; // wrk 4.1 prints "0.00us" for a percentile it lost (seen with pipelining)
            } else if ((m = TOTAL.matcher(line)).find()) {
                requests = Long.parseLong(m.group(1));
                seconds = micros(Double.parseDouble(m.group(2)), m.group(3)) / 1e6;
            } else if ((m = RPS.matcher(line)).find()) {
                rps = Double.parseDouble(m.group(1));
            } else if ((m = SOCKET_ERRORS.matcher(line)).find()) {
                for (int g = 1; g <= 4; g++) {
                    errors += Long.parseLong(m.group(g));
                }
            } else if ((m = NON_2XX.matcher(line)).find()) {
                errors += Long.parseLong(m.group(1));
            }
        }
        if (Double.isNaN(rps)) {
            System.err.println("no Requests/sec in " + args[0]);
            System.exit(1);
        }
        System.out.println(String.format(Locale.ROOT,
                "CLIENT backend=wrk requests=%d seconds=%.3f rps=%.1f p50_us=%.1f p75_us=%.1f p90_us=%.1f p99_us=%.1f errors=%d",
                requests, seconds, rps, pct[0], pct[1], pct[2], pct[3], errors));
    }

    private static double micros(double v, String unit) {
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            default -> v * 60e6; // "m": minutes
        };
    }
}
