package io.fasterapi.aio.cli;

import io.fasterapi.aio.servers.mrc.MrcClient;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a long run: on a terminal a bar redrawn in place ({@code \r}) ten times a second;
 * elsewhere (a pipe, CI) a line at each tenth of the work.
 */
final class ProgressBar implements MrcClient.Progress {
    private static final int WIDTH = 40;
    private final PrintWriter out;
    private final boolean terminal;
    private int lastTenth = -1;
    private boolean drawn;

    private ProgressBar(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar when standard output is a terminal and not CI; progress lines otherwise. */
    static ProgressBar forTerminal(PrintWriter out) {
        boolean ci = System.getenv("CI") != null;
        return new ProgressBar(out, !ci && System.console() != null && System.console().isTerminal());
    }

    Duration interval() {
        return terminal ? Duration.ofMillis(100) : Duration.ofMillis(250);
    }

    @Override
    public void update(long done, long total, long elapsedNanos) {
        double f = total == 0 ? 1 : (double) done / total;
        double rate = elapsedNanos == 0 ? 0 : done * 1e9 / elapsedNanos;
        if (terminal) {
            int filled = (int) Math.round(f * WIDTH);
            out.printf(Locale.ROOT, "\r  [%s%s] %5.1f%%  %,d / %,d  %,.0f req/s ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    f * 100, done, total, rate);
            drawn = true;
            out.flush();
        } else {
            int tenth = (int) (f * 10);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.printf(Locale.ROOT, "  %3d%%  %,d / %,d  %.1f s  %,.0f req/s%n", tenth * 10, done, total, elapsedNanos / 1e9, rate);
                out.flush();
            }
        }
    }

    void finish() {
        if (terminal && drawn) {
            out.println();
            out.flush();
        }
    }
}
