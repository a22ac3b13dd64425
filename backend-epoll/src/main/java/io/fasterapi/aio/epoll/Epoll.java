package io.fasterapi.aio.epoll;

import io.fasterapi.aio.unix.NativeLibc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The epoll system calls, their constants and {@code struct epoll_event}; nothing else
 * in this backend touches an offset.
 *
 * <pre>
 * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
 * struct epoll_event { uint32_t events; epoll_data_t data; } __EPOLL_PACKED;
 * </pre>
 * {@code __EPOLL_PACKED} is {@code __attribute__((packed))} on x86-64 only: there the struct is 12
 * bytes with {@code data} at offset 4; elsewhere (aarch64) it is 16 bytes with {@code data} at 8.
 */
final class Epoll {
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CLOEXEC = 0x80000;

    static final boolean PACKED = isX86_64();

    static final StructLayout EPOLL_EVENT = PACKED
            ? MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    ValueLayout.JAVA_LONG_UNALIGNED.withName("data"))
            : MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.JAVA_LONG.withName("data"));

    private static final VarHandle EVENTS = EPOLL_EVENT.arrayElementVarHandle(groupElement("events"));
    private static final VarHandle DATA = EPOLL_EVENT.arrayElementVarHandle(groupElement("data"));

    private static final MethodHandle EPOLL_CREATE1 = NativeLibc.downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = NativeLibc.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = NativeLibc.downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    /** epoll_pwait2 (glibc 2.35+, Linux 5.11+): a timespec timeout. Linked on first use, where libc has it. */
    static final boolean HAS_PWAIT2 = NativeLibc.has("epoll_pwait2");

    private static final class Pwait2Call {
        static final MethodHandle H = NativeLibc.downcall("epoll_pwait2",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** struct timespec: tv_sec, tv_nsec (two longs on LP64). */
    static final long TIMESPEC_SIZE = 16;

    private Epoll() {
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    private static int check(MemorySegment st, int r) {
        return r == -1 ? -NativeLibc.errno(st) : r;
    }

    static int create(MemorySegment st) {
        try {
            return check(st, (int) EPOLL_CREATE1.invokeExact(st, EPOLL_CLOEXEC));
        } catch (Throwable t) {
            throw NativeLibc.fail("epoll_create1", t);
        }
    }

    /** epoll_ctl with a one-element event buffer {@code ev}. */
    static int ctl(MemorySegment st, int epfd, int op, int fd, int events, long data, MemorySegment ev) {
        EVENTS.set(ev, 0L, 0L, events);
        DATA.set(ev, 0L, 0L, data);
        try {
            return check(st, (int) EPOLL_CTL.invokeExact(st, epfd, op, fd, ev));
        } catch (Throwable t) {
            throw NativeLibc.fail("epoll_ctl", t);
        }
    }

    /** epoll_pwait2 with {@code timespec} as the timeout and no signal mask. */
    static int pwait2(MemorySegment st, int epfd, MemorySegment events, int max, MemorySegment timespec) {
        try {
            return check(st, (int) Pwait2Call.H.invokeExact(st, epfd, events, max, timespec, MemorySegment.NULL));
        } catch (Throwable t) {
            throw NativeLibc.fail("epoll_pwait2", t);
        }
    }

    static int wait(MemorySegment st, int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            return check(st, (int) EPOLL_WAIT.invokeExact(st, epfd, events, max, timeoutMillis));
        } catch (Throwable t) {
            throw NativeLibc.fail("epoll_wait", t);
        }
    }

    static int events(MemorySegment array, int i) {
        return (int) EVENTS.get(array, 0L, (long) i);
    }

    static long data(MemorySegment array, int i) {
        return (long) DATA.get(array, 0L, (long) i);
    }
}
