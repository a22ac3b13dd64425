package io.fasterapi.aio.servers.mrc;

import java.math.BigDecimal;

/**
 * The totals a correct server reports after {@code requests} 1MRC events, event {@code i} carrying
 * {@code userId = "user_" + (i % 75000)} and {@code value = (i % 1000) + 0.5}.
 *
 * @param totalRequests events
 * @param uniqueUsers   distinct user ids
 * @param sum           the exact sum of the values
 * @param avg           sum / events
 */
public record Expected(long totalRequests, long uniqueUsers, BigDecimal sum, double avg) {
    /** Distinct users of the challenge. */
    public static final int USERS = 75_000;

    /** The totals after events 0 .. requests-1. */
    public static Expected after(long requests) {
        long cycles = requests / 1000, rest = requests % 1000;
        // each full cycle of 1000 values sums to 0.5 + 1.5 + ... + 999.5 = 500,000; a partial one to rest^2 / 2
        BigDecimal sum = BigDecimal.valueOf(cycles).multiply(BigDecimal.valueOf(500_000))
                .add(BigDecimal.valueOf(rest * rest).divide(BigDecimal.TWO));
        double avg = requests == 0 ? 0 : sum.doubleValue() / requests;
        return new Expected(requests, Math.min(requests, USERS), sum.stripTrailingZeros(), avg);
    }

    /** Event {@code i}'s user number. */
    static long user(long i) {
        return i % USERS;
    }

    /** Event {@code i}'s value in tenths: ((i % 1000) + 0.5) * 10. */
    static long valueTenths(long i) {
        return (i % 1000) * 10 + 5;
    }
}
