package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;

import javax.management.ObjectName;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the reliability tests (issue 7) measure besides the API: the soak factor, this process's
 * descriptor limit (read and changed through FFM), native memory as NMT counts it, resident memory,
 * the loop thread's CPU time, and a loop's internal tables (pending operations, open handles,
 * timers), read by reflection because the API does not expose them.
 */
public final class Reliability {
    private Reliability() {
    }

    /** {@code -Daio.soak=true}: the long tests run ten times longer. */
    public static final boolean SOAK = Boolean.getBoolean("aio.soak");

    /** {@code n}, or ten times {@code n} in soak mode. */
    public static int scaled(int n) {
        return SOAK ? n * 10 : n;
    }

    /** Prints a figure for the build log (and the README's reliability section). */
    public static void report(String backend, String what) {
        System.out.println("[RELIABILITY] " + backend + ": " + what);
    }

    // ---- RLIMIT_NOFILE --------------------------------------------------------------------------

    /**
     * RLIMIT_NOFILE: 7 on Linux (x86-64 and aarch64), 8 on macOS and FreeBSD; Windows has no such
     * limit. {@code struct rlimit} is two 64-bit {@code rlim_t} on all three.
     */
    private static final int RLIMIT_NOFILE = rlimitNoFile(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT));
    private static final MethodHandle GETRLIMIT;
    private static final MethodHandle SETRLIMIT;

    static {
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
        boolean posix = RLIMIT_NOFILE >= 0;
        GETRLIMIT = posix ? linker.defaultLookup().find("getrlimit").map(a -> linker.downcallHandle(a, fd)).orElse(null) : null;
        SETRLIMIT = posix ? linker.defaultLookup().find("setrlimit").map(a -> linker.downcallHandle(a, fd)).orElse(null) : null;
    }

    private static int rlimitNoFile(String os) {
        if (os.contains("linux")) return 7;
        if (os.contains("mac") || os.contains("darwin") || os.contains("freebsd")) return 8;
        return -1;
    }

    /** The soft and hard limit on open descriptors. */
    public record NoFile(long soft, long hard) {
    }

    /** Whether the descriptor limit can be read and set here (Linux, macOS, FreeBSD). */
    public static boolean hasRlimit() {
        return GETRLIMIT != null && SETRLIMIT != null;
    }

    /** Skips where there is no descriptor limit to read or lower (Windows). */
    public static void assumeRlimit() {
        assumeTrue(hasRlimit(), "no RLIMIT_NOFILE on " + System.getProperty("os.name")
                + ": there is no per-process descriptor limit to lower");
    }

    public static NoFile noFile() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(16, 8);
            int r = (int) GETRLIMIT.invokeExact(RLIMIT_NOFILE, s);
            if (r != 0) throw new AssertionError("getrlimit failed");
            return new NoFile(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8));
        } catch (Throwable t) {
            throw t instanceof AssertionError e ? e : new AssertionError(t);
        }
    }

    /** Sets the limit; returns whether the kernel agreed (raising the hard limit needs CAP_SYS_RESOURCE). */
    public static boolean setNoFile(NoFile limit) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(16, 8);
            s.set(ValueLayout.JAVA_LONG, 0, limit.soft());
            s.set(ValueLayout.JAVA_LONG, 8, limit.hard());
            return (int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, s) == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** What the descriptors opened since {@code before} are (their /proc/self/fd links on Linux), for messages. */
    public static String newDescriptors(java.util.Set<Integer> before) {
        StringBuilder b = new StringBuilder();
        for (int fd : Fds.open()) {
            if (before.contains(fd)) continue;
            try {
                b.append(fd).append(" -> ").append(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).append("; ");
            } catch (Exception e) {
                b.append(fd).append(" (not resolvable: gone, or no /proc/self/fd); ");
            }
        }
        return b.isEmpty() ? "none" : b.toString();
    }

    /**
     * Runs the JDK socket code the tests use as peers (socket channels, their adaptors' timed reads)
     * once: the JDK keeps a socket of its own open after its first use, which a test counting
     * descriptors would otherwise blame on the library.
     */
    public static void warmUpJdkSockets() {
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress(TestLoop.IPV4, 0));
             java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open()) {
            c.connect(server.getLocalAddress());
            try (java.nio.channels.SocketChannel s = server.accept()) {
                s.write(java.nio.ByteBuffer.wrap(new byte[1]));
                c.socket().setSoTimeout(5000);
                c.socket().getInputStream().read(new byte[8]);
            }
            try (java.net.Socket plain = new java.net.Socket()) {
                plain.connect(server.getLocalAddress(), 5000);
                server.accept().close();
                plain.setSoLinger(true, 0);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        threadCpuNanos();
    }

    // ---- memory ---------------------------------------------------------------------------------

    private static final Pattern NMT_OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    /**
     * Native memory NMT tracks under "Other" (where FFM arenas and direct buffers allocate), in KB,
     * or -1 when NMT is off (the JVM was not started with -XX:NativeMemoryTracking).
     */
    public static long nativeOtherKb() {
        try {
            String out = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = NMT_OTHER.matcher(out);
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Why NMT figures are missing, for the log. */
    public static final String NMT_OFF = "NMT is off in this JVM (run under Failsafe, which passes "
            + "-XX:NativeMemoryTracking=summary): native memory not checked";

    /** Resident set size of this process in KB (VmRSS), or -1 where /proc is missing. */
    public static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    /** CPU time of the calling thread, in nanoseconds. */
    public static long threadCpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** CPU time of a thread, in nanoseconds (-1 if it ended). */
    public static long threadCpuNanos(Thread t) {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
    }

    // ---- a loop's tables --------------------------------------------------------------------------

    /** Operations submitted and not delivered yet (the loop's operation slots in use). */
    public static int pendingOperations(AsyncIo io) {
        Object ops = field(io, "ops");
        return (int) invoke(ops, "inFlight");
    }

    /** Handles open in the loop's handle table. */
    public static int openHandles(AsyncIo io) {
        Object handles = field(io, "handles");
        return (int) invoke(handles, "openCount");
    }

    /** Timers waiting in the loop's timer heap. */
    public static int timers(AsyncIo io) {
        Object timers = field(io, "timers");
        return (int) invoke(timers, "size");
    }

    /** The three tables at once, for messages. */
    public static String tables(AsyncIo io) {
        return "pendingOperations=" + pendingOperations(io) + " openHandles=" + openHandles(io) + " timers=" + timers(io);
    }

    private static Object field(Object o, String name) {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no field " + name + " in " + o.getClass() + ": the loop's internals changed");
    }

    private static Object invoke(Object o, String name) {
        try {
            Method m = o.getClass().getDeclaredMethod(name);
            m.setAccessible(true);
            return m.invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot call " + o.getClass().getSimpleName() + "." + name + "(): " + e, e);
        }
    }
}
