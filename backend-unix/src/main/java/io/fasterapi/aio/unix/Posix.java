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
    // Each downcall is linked on its first use (a holder class per call): linking spins classes and
    // code, and a loop never uses most of them (io_uring sends and receives through the ring).
    private static final class SocketCall {
        static final MethodHandle H = NativeLibc.downcall("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class BindCall {
        static final MethodHandle H = NativeLibc.downcall("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class ListenCall {
        static final MethodHandle H = NativeLibc.downcall("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** Where libc has accept4 (not macOS: {@link PosixSockets#accept} then uses accept + fcntl). */
    private static final boolean HAS_ACCEPT4 = NativeLibc.has("accept4");

    private static final class Accept4Call {
        static final MethodHandle H = NativeLibc.downcall("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class AcceptCall {
        static final MethodHandle H = NativeLibc.downcall("accept",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * {@code int fcntl(int fd, int cmd, ...)} is variadic: the third argument must be passed the
     * variadic way (on macOS arm64 variadic arguments go on the stack, not in registers).
     */
    private static final class FcntlCall {
        static final MethodHandle H = NativeLibc.downcall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }

    private static final class ConnectCall {
        static final MethodHandle H = NativeLibc.downcall("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class RecvCall {
        static final MethodHandle H = NativeLibc.downcall("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class SendCall {
        static final MethodHandle H = NativeLibc.downcall("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class SendmsgCall {
        static final MethodHandle H = NativeLibc.downcall("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class RecvmsgCall {
        static final MethodHandle H = NativeLibc.downcall("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class RecvmmsgCall {
        static final MethodHandle H = NativeLibc.downcall("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class ReadCall {
        static final MethodHandle H = NativeLibc.downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class WriteCall {
        static final MethodHandle H = NativeLibc.downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class CloseCall {
        static final MethodHandle H = NativeLibc.downcall("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class ShutdownCall {
        static final MethodHandle H = NativeLibc.downcall("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class SetsockoptCall {
        static final MethodHandle H = NativeLibc.downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class GetsockoptCall {
        static final MethodHandle H = NativeLibc.downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class GetsocknameCall {
        static final MethodHandle H = NativeLibc.downcall("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class GetpeernameCall {
        static final MethodHandle H = NativeLibc.downcall("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

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
            return check(st, (int) SocketCall.H.invokeExact(st, domain, type, protocol));
        } catch (Throwable t) {
            throw NativeLibc.fail("socket", t);
        }
    }

    public static int bind(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return check(st, (int) BindCall.H.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("bind", t);
        }
    }

    public static int listen(MemorySegment st, int fd, int backlog) {
        try {
            return check(st, (int) ListenCall.H.invokeExact(st, fd, backlog));
        } catch (Throwable t) {
            throw NativeLibc.fail("listen", t);
        }
    }

    /** Whether libc has accept4 (Linux, FreeBSD 10+; not macOS). */
    public static boolean hasAccept4() {
        return HAS_ACCEPT4;
    }

    /** accept4 without the peer's address (getpeername gives it on demand). Only where {@link #hasAccept4()}. */
    public static int accept4(MemorySegment st, int fd, int flags) {
        // PosixSockets.accept checks hasAccept4() and uses accept + fcntl where libc lacks it.
        if (!HAS_ACCEPT4) throw new AssertionError("accept4 called where libc lacks it (macOS)");
        try {
            return check(st, (int) Accept4Call.H.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("accept4", t);
        }
    }

    /** accept without the peer's address. */
    public static int accept(MemorySegment st, int fd) {
        try {
            return check(st, (int) AcceptCall.H.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL));
        } catch (Throwable t) {
            throw NativeLibc.fail("accept", t);
        }
    }

    /** fcntl with an int argument (F_GETFL, F_SETFL, F_SETFD...): the result, or the negated errno. */
    public static int fcntl(MemorySegment st, int fd, int cmd, int arg) {
        try {
            return check(st, (int) FcntlCall.H.invokeExact(st, fd, cmd, arg));
        } catch (Throwable t) {
            throw NativeLibc.fail("fcntl", t);
        }
    }

    public static int connect(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return check(st, (int) ConnectCall.H.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("connect", t);
        }
    }

    public static long recv(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return check(st, (long) RecvCall.H.invokeExact(st, fd, buf, len, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("recv", t);
        }
    }

    public static long send(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return check(st, (long) SendCall.H.invokeExact(st, fd, buf, len, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("send", t);
        }
    }

    /** sendmsg of a {@link MsgHdr}'s header. */
    public static long sendmsg(MemorySegment st, int fd, MemorySegment msghdr, int flags) {
        try {
            return check(st, (long) SendmsgCall.H.invokeExact(st, fd, msghdr, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("sendmsg", t);
        }
    }

    /** recvmsg into a {@link MsgHdr}-shaped header. */
    public static long recvmsg(MemorySegment st, int fd, MemorySegment msghdr, int flags) {
        try {
            return check(st, (long) RecvmsgCall.H.invokeExact(st, fd, msghdr, flags));
        } catch (Throwable t) {
            throw NativeLibc.fail("recvmsg", t);
        }
    }

    /** recvmmsg of up to {@code count} datagrams into an {@link MmsgBatch}'s vector, without a timeout. */
    public static int recvmmsg(MemorySegment st, int fd, MemorySegment vector, int count, int flags) {
        try {
            return check(st, (int) RecvmmsgCall.H.invokeExact(st, fd, vector, count, flags, MemorySegment.NULL));
        } catch (Throwable t) {
            throw NativeLibc.fail("recvmmsg", t);
        }
    }

    public static long read(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return check(st, (long) ReadCall.H.invokeExact(st, fd, buf, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("read", t);
        }
    }

    public static long write(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return check(st, (long) WriteCall.H.invokeExact(st, fd, buf, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("write", t);
        }
    }

    public static int close(MemorySegment st, int fd) {
        try {
            return check(st, (int) CloseCall.H.invokeExact(st, fd));
        } catch (Throwable t) {
            throw NativeLibc.fail("close", t);
        }
    }

    public static int shutdown(MemorySegment st, int fd, int how) {
        try {
            return check(st, (int) ShutdownCall.H.invokeExact(st, fd, how));
        } catch (Throwable t) {
            throw NativeLibc.fail("shutdown", t);
        }
    }

    /** setsockopt with an int value; {@code scratch} holds at least 4 bytes. */
    public static int setIntOption(MemorySegment st, int fd, int level, int name, int value, MemorySegment scratch) {
        scratch.set(JAVA_INT, 0, value);
        try {
            return check(st, (int) SetsockoptCall.H.invokeExact(st, fd, level, name, scratch, 4));
        } catch (Throwable t) {
            throw NativeLibc.fail("setsockopt", t);
        }
    }

    /** setsockopt with {@code len} bytes of {@code value} (a struct such as linger). */
    public static int setOption(MemorySegment st, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return check(st, (int) SetsockoptCall.H.invokeExact(st, fd, level, name, value, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("setsockopt", t);
        }
    }

    /** getsockopt into {@code value}; {@code len} (4 bytes) holds its capacity in and the size out. */
    public static int getOption(MemorySegment st, int fd, int level, int name, MemorySegment value, MemorySegment len) {
        len.set(JAVA_INT, 0, (int) value.byteSize());
        try {
            return check(st, (int) GetsockoptCall.H.invokeExact(st, fd, level, name, value, len));
        } catch (Throwable t) {
            throw NativeLibc.fail("getsockopt", t);
        }
    }

    /** getsockopt of an int value; returns the value, or the negated errno. {@code scratch}: 8 bytes. */
    public static int getIntOption(MemorySegment st, int fd, int level, int name, MemorySegment scratch) {
        scratch.set(JAVA_INT, 0, 0); // a system that answers one byte (a u_char option on the BSDs) leaves the rest 0
        scratch.set(JAVA_INT, 4, 4);
        try {
            int r = check(st, (int) GetsockoptCall.H.invokeExact(st, fd, level, name, scratch, scratch.asSlice(4, 4)));
            return r < 0 ? r : scratch.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeLibc.fail("getsockopt", t);
        }
    }

    /** getsockname or getpeername into {@code addr}; {@code len} (4 bytes) holds the capacity in and the size out. */
    public static int socketName(MemorySegment st, int fd, boolean local, MemorySegment addr, MemorySegment len) {
        len.set(JAVA_INT, 0, (int) addr.byteSize());
        try {
            return check(st, local ? (int) GetsocknameCall.H.invokeExact(st, fd, addr, len)
                    : (int) GetpeernameCall.H.invokeExact(st, fd, addr, len));
        } catch (Throwable t) {
            throw NativeLibc.fail(local ? "getsockname" : "getpeername", t);
        }
    }
}
