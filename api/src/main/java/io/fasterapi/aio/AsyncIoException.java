package io.fasterapi.aio;

/**
 * A synchronous failure of a call on {@link AsyncIo}: a system call that failed while the call
 * ran (for example {@code bind} with {@link Errno#EADDRINUSE}), or a loop that could not be
 * created. Carries the portable error number when there is one.
 *
 * <p>Failures of asynchronous operations are never thrown: they arrive as negative results in
 * {@link IoEvent#result()}. Misuse of the API (a heap buffer, a null handler, a call from the wrong
 * thread) throws the standard {@link IllegalArgumentException}, {@link NullPointerException} or
 * {@link IllegalStateException} instead.
 */
public class AsyncIoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param message what was attempted, for the reader
     * @param errno   the positive portable error number, or 0 when there is none
     */
    public AsyncIoException(String message, int errno) {
        super(errno > 0 ? message + ": " + Errno.nameOf(errno) + describe(errno) : message);
        this.errno = errno;
    }

    /** Without an error number. */
    public AsyncIoException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    private static String describe(int errno) {
        Errno e = Errno.of(errno);
        return e != null ? " (" + e.description() + ")" : "";
    }

    /** The positive portable error number, or 0. */
    public int errno() {
        return errno;
    }

    /** The error, or {@code null} when there is none or it has no portable name. */
    public Errno error() {
        return Errno.of(errno);
    }
}
