package io.fasterapi.aio.unix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The BSD socket calls of libc, through FFM. Every method takes the caller's call-state segment
 * (see {@link NativeLibc#callStateLayout()}) and returns the call's result, or the negated errno
 * when the call failed, so callers handle errors as values the way the API reports them.
 *
 * <p>{@code size_t}/{@code ssize_t} are 64-bit and {@code socklen_t} 32-bit on the LP64 systems
 * this supports.
 */
public final class Posix {
    private static final MethodHandle SOCKET = NativeLibc.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = NativeLibc.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = NativeLibc.downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** Null where libc has no accept4 (macOS): {@link PosixSockets#accept} then uses accept + fcntl. */
    private static final MethodHandle ACCEPT4 = NativeLibc.has("accept4") ? NativeLibc.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)) : null;
    private static final MethodHandle ACCEPT = NativeLibc.downcall("accept",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /**
     * {@code int fcntl(int fd, int cmd, ...)} is variadic: the third argument must be passed the
     * variadic way (on macOS arm64 variadic arguments go on the stack, not in registers).
     */
    private static final MethodHandle FCNTL = NativeLibc.downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CONNECT = NativeLibc.downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = NativeLibc.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = NativeLibc.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = NativeLibc.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = NativeLibc.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = NativeLibc.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = NativeLibc.downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = NativeLibc.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = NativeLibc.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = NativeLibc.downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = NativeLibc.downcall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private Posix() {
    }

    private static int check(MemorySegment st, int r) {
        return r == -1 ? -NativeLibc.errno(st) : r;
    }

    private static long check(MemorySegment st, long r) {
        return r == -1 ? -NativeLibc.errno(st) : r;
    }

    public static int socket(MemorySegment st, int domain, int type, int protocol) {
        try {
            return check(st, (int) SOCKET.invokeExact(st, domain, type, protocol));
        } catch (Throwable t) {
            throw NativeLibc.fail("socket", t);
        }
    }

    public static int bind(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return check(st, (int) BIND.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("bind", t);
        }
    }

    public static int listen(MemorySegment st, int fd, int backlog) {
        try {
            return check(st, (int) LISTEN.invokeExact(st, fd, backlog));
        } catch (Throwable t) {
            throw NativeLibc.fail("listen", t);
        }
    }

    /** Whether libc has accept4 (Linux, FreeBSD 10+; not macOS). */
    public static boolean hasAccept4() {
        return ACCEPT4 != null;
    }

    /** accept4 without the peer's address (getpeername gives it on demand). Only where {@link #hasAccept4()}. */
    public static int accept4(MemorySegment st, int fd, int flags) {
        // PosixSockets.accept checks hasAccept4() and uses accept + fcntl where libc lacks it.
        if (ACCEPT4 == null) throw new AssertionError("accept4 called where libc lacks it (macOS)");
        try {
            return check(st, (int) ACCEPT4.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("accept4", t);
        }
    }

    /** accept without the peer's address. */
    public static int accept(MemorySegment st, int fd) {
        try {
            return check(st, (int) ACCEPT.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL));
        } catch (Throwable t) {
            throw NativeLibc.fail("accept", t);
        }
    }

    /** fcntl with an int argument (F_GETFL, F_SETFL, F_SETFD...): the result, or the negated errno. */
    public static int fcntl(MemorySegment st, int fd, int cmd, int arg) {
        try {
            return check(st, (int) FCNTL.invokeExact(st, fd, cmd, arg));
        } catch (Throwable t) {
            throw NativeLibc.fail("fcntl", t);
        }
    }

    public static int connect(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return check(st, (int) CONNECT.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("connect", t);
        }
    }

    public static long recv(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return check(st, (long) RECV.invokeExact(st, fd, buf, len, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("recv", t);
        }
    }

    public static long send(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return check(st, (long) SEND.invokeExact(st, fd, buf, len, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("send", t);
        }
    }

    public static long read(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return check(st, (long) READ.invokeExact(st, fd, buf, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("read", t);
        }
    }

    public static long write(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return check(st, (long) WRITE.invokeExact(st, fd, buf, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("write", t);
        }
    }

    public static int close(MemorySegment st, int fd) {
        try {
            return check(st, (int) CLOSE.invokeExact(st, fd));
        } catch (Throwable t) {
            throw NativeLibc.fail("close", t);
        }
    }

    public static int shutdown(MemorySegment st, int fd, int how) {
        try {
            return check(st, (int) SHUTDOWN.invokeExact(st, fd, how));
        } catch (Throwable t) {
            throw NativeLibc.fail("shutdown", t);
        }
    }

    /** setsockopt with an int value; {@code scratch} holds at least 4 bytes. */
    public static int setIntOption(MemorySegment st, int fd, int level, int name, int value, MemorySegment scratch) {
        scratch.set(JAVA_INT, 0, value);
        try {
            return check(st, (int) SETSOCKOPT.invokeExact(st, fd, level, name, scratch, 4));
        } catch (Throwable t) {
            throw NativeLibc.fail("setsockopt", t);
        }
    }

    /** getsockopt of an int value; returns the value, or the negated errno. {@code scratch}: 8 bytes. */
    public static int getIntOption(MemorySegment st, int fd, int level, int name, MemorySegment scratch) {
        scratch.set(JAVA_INT, 4, 4);
        try {
            int r = check(st, (int) GETSOCKOPT.invokeExact(st, fd, level, name, scratch, scratch.asSlice(4, 4)));
            return r < 0 ? r : scratch.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeLibc.fail("getsockopt", t);
        }
    }

    /** getsockname or getpeername into {@code addr}; {@code len} (4 bytes) holds the capacity in and the size out. */
    public static int socketName(MemorySegment st, int fd, boolean local, MemorySegment addr, MemorySegment len) {
        len.set(JAVA_INT, 0, (int) addr.byteSize());
        try {
            return check(st, local ? (int) GETSOCKNAME.invokeExact(st, fd, addr, len)
                    : (int) GETPEERNAME.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail(local ? "getsockname" : "getpeername", t);
        }
    }
}
