package io.fasterapi.aio;

/**
 * The portable error numbers used in every {@link IoEvent#result()} and {@link AsyncIoException}.
 *
 * <p>The numbers are Linux's (x86-64 and aarch64 agree), so a Linux backend passes the kernel's
 * value through unchanged; the kqueue backend translates BSD numbers and the IOCP backend
 * translates Winsock and Win32 errors onto these names. A result of {@code -ECONNRESET.code()}
 * means "connection reset by peer" whatever the operating system.
 */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    EINTR(4, "interrupted system call"),
    EIO(5, "input/output error"),
    EBADF(9, "bad or closed handle"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "cannot allocate memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "file exists"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "too many open files in system"),
    EMFILE(24, "too many open files"),
    ENOSPC(28, "no space left on device"),
    EPIPE(32, "broken pipe"),
    ENOSYS(38, "function not implemented"),
    ETIME(62, "timer expired"),
    EOVERFLOW(75, "value too large"),
    ENOTSOCK(88, "not a socket"),
    EDESTADDRREQ(89, "destination address required"),
    EMSGSIZE(90, "message too long"),
    EPROTOTYPE(91, "protocol wrong type for socket"),
    ENOPROTOOPT(92, "protocol not available"),
    EPROTONOSUPPORT(93, "protocol not supported"),
    EOPNOTSUPP(95, "operation not supported"),
    EAFNOSUPPORT(97, "address family not supported"),
    EADDRINUSE(98, "address already in use"),
    EADDRNOTAVAIL(99, "cannot assign requested address"),
    ENETDOWN(100, "network is down"),
    ENETUNREACH(101, "network is unreachable"),
    ENETRESET(102, "network dropped connection on reset"),
    ECONNABORTED(103, "software caused connection abort"),
    ECONNRESET(104, "connection reset by peer"),
    ENOBUFS(105, "no buffer space available"),
    EISCONN(106, "socket is already connected"),
    ENOTCONN(107, "socket is not connected"),
    ESHUTDOWN(108, "cannot send after socket shutdown"),
    ETIMEDOUT(110, "connection timed out"),
    ECONNREFUSED(111, "connection refused"),
    EHOSTDOWN(112, "host is down"),
    EHOSTUNREACH(113, "no route to host"),
    EALREADY(114, "operation already in progress"),
    EINPROGRESS(115, "operation now in progress"),
    ECANCELED(125, "operation canceled");

    private static final Errno[] BY_CODE = new Errno[128];

    static {
        for (Errno e : values()) {
            BY_CODE[e.code] = e;
        }
    }

    private final int code;
    private final String description;

    Errno(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The positive error number; results carry its negation. */
    public int code() {
        return code;
    }

    /** The negated error number, as it appears in {@link IoEvent#result()}. */
    public int result() {
        return -code;
    }

    /** A short English description, as {@code strerror} gives. */
    public String description() {
        return description;
    }

    /** The error with this positive number, or {@code null} when it has no portable name. */
    public static Errno of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The name of a positive error number: {@code "ECONNRESET"}, or {@code "errno 200"} when unnamed. */
    public static String nameOf(int code) {
        Errno e = of(code);
        return e != null ? e.name() : "errno " + code;
    }
}
