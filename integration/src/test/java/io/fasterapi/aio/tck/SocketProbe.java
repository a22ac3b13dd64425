package io.fasterapi.aio.tck;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Asks the kernel what is set on a socket of this process, independently of the library under
 * test: finds the descriptor behind a connection by its two addresses (getsockname and
 * getpeername on each open descriptor), then reads an option with getsockopt. POSIX systems only
 * (Linux, macOS, the BSDs), where the C library has these calls; elsewhere
 * {@link #assumeUsable()} skips the test.
 */
public final class SocketProbe {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1; // the same number on Linux, macOS and the BSDs
    private static final int AF_INET = 2;
    /** The JDK's own sockets are IPv6 ones (IPv4 peers appear as ::ffff:a.b.c.d) where the system has IPv6. */
    private static final int AF_INET6 = switch (System.getProperty("os.name").toLowerCase()) {
        case String os when os.contains("linux") -> 10;
        case String os when os.contains("mac") -> 30;
        case String os when os.contains("freebsd") -> 28;
        default -> 24; // OpenBSD, NetBSD
    };
    /** BSD's sockaddr starts with sa_len (1 byte) then sa_family (1 byte); Linux's with a 2-byte family. */
    private static final boolean BSD_SOCKADDR = !System.getProperty("os.name").toLowerCase().contains("linux");
    private static final File[] FD_DIRS = {new File("/proc/self/fd"), new File("/dev/fd")};

    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle GETPEERNAME;
    /** Windows: getsockopt of ws2_32, whose first argument is a SOCKET (64 bits). */
    private static final boolean WINDOWS = System.getProperty("os.name").startsWith("Windows");
    private static final String UNUSABLE;

    static {
        if (WINDOWS) {
            SymbolLookup ws2 = SymbolLookup.libraryLookup("ws2_32", java.lang.foreign.Arena.global());
            GETSOCKOPT = downcall(ws2, "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            GETSOCKNAME = GETPEERNAME = null;
            UNUSABLE = null;
        } else {
            SymbolLookup libc = Linker.nativeLinker().defaultLookup();
            if (libc.find("getsockopt").isEmpty()) {
                GETSOCKOPT = GETSOCKNAME = GETPEERNAME = null;
                UNUSABLE = "no getsockopt in the C library on " + System.getProperty("os.name");
            } else {
                // int getsockopt(int fd, int level, int name, void *value, socklen_t *length)
                GETSOCKOPT = downcall(libc, "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                // int getsockname(int fd, struct sockaddr *address, socklen_t *length), getpeername alike
                FunctionDescriptor name = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
                GETSOCKNAME = downcall(libc, "getsockname", name);
                GETPEERNAME = downcall(libc, "getpeername", name);
                UNUSABLE = null;
            }
        }
    }

    private SocketProbe() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }

    /** Whether the probe works on this system (see {@link #assumeUsable()}). */
    public static boolean usable() {
        return UNUSABLE == null;
    }

    /** Skips the test where descriptors cannot be probed. */
    public static void assumeUsable() {
        assumeTrue(UNUSABLE == null, () -> "cannot probe socket options here: " + UNUSABLE);
    }

    /**
     * Whether {@link #descriptorOf} can find a socket made elsewhere (a JDK socket) by its addresses:
     * it lists the process's descriptors, which POSIX systems show in /proc/self/fd or /dev/fd and
     * Windows does not.
     */
    public static boolean canFindDescriptors() {
        return UNUSABLE == null && !WINDOWS && fdDir() != null;
    }

    /** The one open descriptor whose local and peer addresses are these IPv4 ones; fails unless exactly one. */
    public static int descriptorOf(SocketAddress local, SocketAddress remote) {
        if (!canFindDescriptors()) fail("descriptors cannot be listed on " + System.getProperty("os.name"));
        InetSocketAddress l = (InetSocketAddress) local;
        InetSocketAddress r = (InetSocketAddress) remote;
        List<Integer> found = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(128, 8);
            MemorySegment len = arena.allocate(JAVA_INT);
            for (int fd : openDescriptors()) {
                if (matches(GETSOCKNAME, fd, l, addr, len) && matches(GETPEERNAME, fd, r, addr, len)) {
                    found.add(fd);
                }
            }
        }
        if (found.size() != 1) {
            fail("expected one descriptor connected from " + l + " to " + r + ", found " + found);
        }
        return found.getFirst();
    }

    /** getsockopt(IPPROTO_TCP, TCP_NODELAY): 0 when off; on, any other value (BSD returns the flag's bit). */
    public static int tcpNoDelay(long fd) {
        return intOption(fd, IPPROTO_TCP, TCP_NODELAY);
    }

    /** getsockopt of an int option, by the system's numbers. */
    public static int intOption(long fd, int level, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            int r = WINDOWS ? (int) GETSOCKOPT.invokeExact(fd, level, name, value, len)
                    : (int) GETSOCKOPT.invokeExact((int) fd, level, name, value, len);
            if (r != 0) {
                fail("getsockopt(" + fd + ", " + level + ", " + name + ") failed");
            }
            return value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            if (t instanceof Error e) throw e;
            throw new AssertionError(t);
        }
    }

    private static boolean matches(MethodHandle call, int fd, InetSocketAddress expected, MemorySegment addr, MemorySegment len) {
        len.set(JAVA_INT, 0, (int) addr.byteSize());
        int r;
        try {
            r = (int) call.invokeExact(fd, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r != 0) return false; // not a socket, or not connected
        int family = BSD_SOCKADDR ? addr.get(JAVA_BYTE, 1) : (addr.get(JAVA_BYTE, 0) & 0xff) | (addr.get(JAVA_BYTE, 1) & 0xff) << 8;
        byte[] ip;
        if (family == AF_INET && len.get(JAVA_INT, 0) >= 8) {
            ip = addr.asSlice(4, 4).toArray(JAVA_BYTE); // sockaddr_in: family, port, address
        } else if (family == AF_INET6 && len.get(JAVA_INT, 0) >= 24) {
            ip = addr.asSlice(8, 16).toArray(JAVA_BYTE); // sockaddr_in6: family, port, flow info, address
            byte[] mapped = new byte[16];
            mapped[10] = mapped[11] = (byte) 0xff;
            if (!Arrays.equals(mapped, 0, 12, ip, 0, 12)) return false;
            ip = Arrays.copyOfRange(ip, 12, 16);
        } else {
            return false;
        }
        int port = (addr.get(JAVA_BYTE, 2) & 0xff) << 8 | (addr.get(JAVA_BYTE, 3) & 0xff); // network order
        return port == expected.getPort() && Arrays.equals(ip, expected.getAddress().getAddress());
    }

    private static File fdDir() {
        for (File d : FD_DIRS) {
            if (d.isDirectory()) return d;
        }
        return null;
    }

    private static int[] openDescriptors() {
        String[] names = fdDir().list();
        if (names == null) {
            throw new AssertionError("cannot list " + fdDir());
        }
        return Arrays.stream(names).mapToInt(Integer::parseInt).toArray();
    }
}
