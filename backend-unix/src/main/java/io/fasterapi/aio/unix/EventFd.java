package io.fasterapi.aio.unix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Linux's {@code eventfd(2)}: the wake-up descriptor of the epoll and io_uring loops. */
public final class EventFd {
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    private static final MethodHandle EVENTFD = NativeLibc.downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private EventFd() {
    }

    /** A new eventfd with counter 0; returns it, or the negated errno. */
    public static int create(MemorySegment st, int flags) {
        try {
            int r = (int) EVENTFD.invokeExact(st, 0, flags);
            return r == -1 ? -NativeLibc.errno(st) : r;
        } catch (Throwable t) {
            throw NativeLibc.fail("eventfd", t);
        }
    }
}
