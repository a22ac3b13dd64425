package io.fasterapi.aio.iouring;

import io.fasterapi.aio.core.Ids;

/**
 * Every {@code user_data} this backend puts in an SQE, and how a CQE's is read back: the one place
 * that knows the layouts.
 * <ul>
 * <li>an operation of the API: its operation id (positive, kind {@link Ids#OPERATION});</li>
 * <li>the multishot accept of a listener: the listener's handle id (positive, kind
 *     {@link Ids#HANDLE}), so a completion after the listener closed finds a stale id;</li>
 * <li>the loop's own requests, the eventfd read of wake-ups and the cancels: negative constants
 *     that no id can be.</li>
 * </ul>
 */
final class UserData {
    /** The eventfd read that wake-ups complete. */
    static final long WAKE = Long.MIN_VALUE | 1;
    /** An ASYNC_CANCEL request (its result is ignored: the target completes on its own). */
    static final long CANCEL = Long.MIN_VALUE | 2;

    private UserData() {
    }

    /** The user_data of listener {@code handleId}'s multishot accept. */
    static long accept(long handleId) {
        return handleId;
    }

    /** Whether {@code ud} is one of the loop's own requests ({@link #WAKE}, {@link #CANCEL}). */
    static boolean isInternal(long ud) {
        return ud < 0;
    }

    /** Whether {@code ud} is a listener's multishot accept (else it is an operation id). */
    static boolean isAccept(long ud) {
        return ud > 0 && Ids.kind(ud) == Ids.HANDLE;
    }
}
