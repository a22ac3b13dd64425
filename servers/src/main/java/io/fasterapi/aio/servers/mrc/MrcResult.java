package io.fasterapi.aio.servers.mrc;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * One 1MRC client run.
 *
 * @param backend      the client loop's backend
 * @param requests     events asked for
 * @param connections  keep-alive connections used
 * @param acknowledged events answered {@code 200}
 * @param errors       events answered otherwise, lost with a connection, or never sent
 * @param elapsedNanos from the first connect to the last answer
 * @param latency      nanoseconds from each request's write to its whole answer
 * @param stats        what {@code /stats} answered, or null when it could not be read
 * @param expected     the totals a correct server reports
 * @param problems     why the run is not correct; empty when it is
 */
public record MrcResult(String backend, long requests, int connections, long acknowledged, long errors,
                        long elapsedNanos, Histogram latency, StatsReport stats, Expected expected,
                        List<String> problems) {

    /** Every event acknowledged and the server's totals exactly as expected. */
    public boolean correct() {
        return problems.isEmpty();
    }

    public double requestsPerSecond() {
        return elapsedNanos == 0 ? 0 : acknowledged * 1e9 / elapsedNanos;
    }

    /** A latency percentile in microseconds. */
    public double latencyMicros(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }
}
