package io.fasterapi.aio.iouring;

/**
 * Every {@code user_data} this backend puts in an SQE, and how a CQE's is read back: the one place
 * that knows the layouts.
 * <ul>
 * <li>a request of the engine (an operation, or a listener's accept): its operation id, positive;</li>
 * <li>the kernel's own requests, the eventfd read of wake-ups and the cancels: negative constants
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

    /** Whether {@code ud} is one of the kernel's own requests ({@link #WAKE}, {@link #CANCEL}). */
    static boolean isInternal(long ud) {
        return ud < 0;
    }
}
