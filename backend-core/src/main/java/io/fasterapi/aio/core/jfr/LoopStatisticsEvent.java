package io.fasterapi.aio.core.jfr;

import io.fasterapi.aio.IoStats;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * One loop's statistics since its previous such event (deltas of {@link IoStats}), taken
 * periodically and once more when the loop closes: a recording that saw a loop open holds events
 * whose sums are the loop's final {@code stats()}.
 */
@Name("io.fasterapi.aio.LoopStatistics")
@Category("io.fasterapi.aio")
@Label("Loop Statistics")
@Description("One event loop's counters since its previous Loop Statistics event; also emitted when the loop closes")
@Period("1 s")
@StackTrace(false)
final class LoopStatisticsEvent extends LoopEvent {
    @Label("Final")
    @Description("Emitted when the loop closed: no more events follow for it")
    boolean closing;

    @Label("Accepts")
    long accepts;
    @Label("Reads")
    long reads;
    @Label("Writes")
    long writes;
    @Label("Connects")
    long connects;
    @Label("Closes")
    long closes;
    @Label("Timers")
    long timers;
    @Label("Polls")
    @Description("Waits on the kernel")
    long polls;
    @Label("Kernel Events")
    @Description("Readiness or completion events the kernel returned")
    long events;
    @Label("Errors")
    long errors;
    @Label("Wake-ups")
    long wakes;
    @Label("Bytes Read")
    @DataAmount
    long bytesRead;
    @Label("Bytes Written")
    @DataAmount
    long bytesWritten;
    @Label("Datagrams Received")
    long datagramsReceived;
    @Label("Datagrams Sent")
    long datagramsSent;

    void set(IoStats d) {
        accepts = d.accepts();
        reads = d.reads();
        writes = d.writes();
        connects = d.connects();
        closes = d.closes();
        timers = d.timers();
        polls = d.polls();
        events = d.events();
        errors = d.errors();
        wakes = d.wakes();
        bytesRead = d.bytesRead();
        bytesWritten = d.bytesWritten();
        datagramsReceived = d.datagramsReceived();
        datagramsSent = d.datagramsSent();
    }
}
