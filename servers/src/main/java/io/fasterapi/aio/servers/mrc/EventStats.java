package io.fasterapi.aio.servers.mrc;

import java.math.BigDecimal;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The totals of the 1MRC, safe for any number of loops at once: events, distinct users, and the sum
 * of values. The sum is exact (a {@link LongAdder} of millionths) for values with at most six
 * decimals below 10^9 in magnitude, as every 1MRC value is; any other value goes to a double sum.
 * An event is counted before its acknowledgement is written, so a {@code /stats} read after an
 * acknowledgement includes it.
 */
public final class EventStats {
    private final LongAdder events = new LongAdder();
    private final LongAdder micros = new LongAdder();
    private final DoubleAdder inexact = new DoubleAdder();
    private final UserSet users = new UserSet();

    /** Counts the event {@code parser} holds. */
    public void record(EventParser parser) {
        users.add(parser.user(), parser.userLength());
        if (parser.exact()) micros.add(parser.micros());
        else inexact.add(parser.value());
        events.increment();
    }

    public long totalRequests() {
        return events.sum();
    }

    public long uniqueUsers() {
        return users.size();
    }

    /** The sum, exact when every value was. */
    public BigDecimal sum() {
        BigDecimal s = BigDecimal.valueOf(micros.sum(), 6);
        double d = inexact.sum();
        if (d != 0) s = s.add(new BigDecimal(d));
        return s.stripTrailingZeros();
    }

    /** {@code {"totalRequests":…,"uniqueUsers":…,"sum":…,"avg":…}} (allocates; not on the event path). */
    public String json() {
        long n = totalRequests();
        long u = uniqueUsers();
        BigDecimal sum = sum();
        double avg = n == 0 ? 0 : sum.doubleValue() / n;
        return "{\"totalRequests\":" + n + ",\"uniqueUsers\":" + u + ",\"sum\":" + sum.toPlainString()
                + ",\"avg\":" + avg + "}";
    }
}
