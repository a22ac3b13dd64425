package io.fasterapi.aio;

/**
 * A snapshot of one loop's counters: the seed's statistics plus bytes moved.
 *
 * <p>Each counter counts completions delivered to handlers (successful or not), except
 * {@code polls} (calls into the kernel's wait), {@code events} (readiness or completion events the
 * kernel returned), {@code errors} (completions with a negative result, and failed system calls
 * inside the loop) and {@code wakes} (wake-ups that reached the loop). Exact when taken on the
 * loop's thread. From another thread each counter is a value the loop wrote (never torn, and never
 * older than one a previous snapshot on that thread showed), possibly not the latest, and the
 * counters of one snapshot may come from slightly different moments.
 *
 * @param accepts      ACCEPT completions
 * @param reads        READ completions
 * @param writes       WRITE completions
 * @param connects     CONNECT completions
 * @param closes       handles closed
 * @param timers       TIMER completions
 * @param polls        waits on the kernel
 * @param events       events returned by the kernel
 * @param errors       completions with a negative result and internal system-call failures
 * @param wakes        wake-ups received from other threads
 * @param bytesRead    bytes delivered by READ completions
 * @param bytesWritten bytes sent by WRITE completions
 * @param datagramsReceived datagrams received (receiveFrom completions, and reads of datagram
 *                          sockets), also counted in {@code reads}
 * @param datagramsSent     datagrams sent (sendTo completions, and writes of datagram sockets),
 *                          also counted in {@code writes}
 */
public record IoStats(long accepts, long reads, long writes, long connects, long closes, long timers, long polls,
                      long events, long errors, long wakes, long bytesRead, long bytesWritten,
                      long datagramsReceived, long datagramsSent) {

    /** The counters of API 1.0 (no datagram counters: 0). */
    public IoStats(long accepts, long reads, long writes, long connects, long closes, long timers, long polls,
                   long events, long errors, long wakes, long bytesRead, long bytesWritten) {
        this(accepts, reads, writes, connects, closes, timers, polls, events, errors, wakes, bytesRead, bytesWritten, 0, 0);
    }

    /** The counters of {@code this} plus those of {@code other} (a group's loops together). @since 1.1 */
    public IoStats plus(IoStats other) {
        return new IoStats(accepts + other.accepts, reads + other.reads, writes + other.writes,
                connects + other.connects, closes + other.closes, timers + other.timers, polls + other.polls,
                events + other.events, errors + other.errors, wakes + other.wakes,
                bytesRead + other.bytesRead, bytesWritten + other.bytesWritten,
                datagramsReceived + other.datagramsReceived, datagramsSent + other.datagramsSent);
    }

    /** The counters of {@code this} minus those of {@code earlier}. */
    public IoStats minus(IoStats earlier) {
        return new IoStats(accepts - earlier.accepts, reads - earlier.reads, writes - earlier.writes,
                connects - earlier.connects, closes - earlier.closes, timers - earlier.timers, polls - earlier.polls,
                events - earlier.events, errors - earlier.errors, wakes - earlier.wakes,
                bytesRead - earlier.bytesRead, bytesWritten - earlier.bytesWritten,
                datagramsReceived - earlier.datagramsReceived, datagramsSent - earlier.datagramsSent);
    }
}
