package io.fasterapi.aio.tck;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Descriptors made without the library, as another program would hand them over: sockets of any
 * type and family, and a pipe, through the C library (POSIX systems; Windows is not written here).
 * Blocking calls; test threads only.
 */
final class RawSockets {
    private static final String OS = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    private static final boolean LINUX = OS.contains("linux");
    private static final boolean POSIX = LINUX || OS.contains("mac") || OS.contains("bsd");
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    /** fcntl F_GETFL and O_NONBLOCK (Linux; 3 and 4 on macOS and the BSDs). */
    static final int F_GETFL = 3;
    static final int O_NONBLOCK = LINUX ? 0x800 : 0x4;
    private static final MethodHandle SOCKET, BIND, LISTEN, CONNECT, CLOSE, FCNTL, PIPE;

    static {
        if (POSIX) {
            SymbolLookup libc = Linker.nativeLinker().defaultLookup();
            SOCKET = downcall(libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            BIND = downcall(libc, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            LISTEN = downcall(libc, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            CONNECT = downcall(libc, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            CLOSE = downcall(libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            FCNTL = Linker.nativeLinker().downcallHandle(libc.find("fcntl").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
            PIPE = downcall(libc, "pipe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        } else {
            SOCKET = BIND = LISTEN = CONNECT = CLOSE = FCNTL = PIPE = null;
        }
    }

    private RawSockets() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }

    static void assumeUsable() {
        assumeTrue(POSIX, "descriptors made through the C library: POSIX systems (the Winsock form is not written)");
    }

    static int socket(int family, int type) throws Throwable {
        int fd = (int) SOCKET.invokeExact(family, type, 0);
        if (fd < 0) throw new AssertionError("socket(" + family + ", " + type + ") failed");
        return fd;
    }

    /** A blocking IPv4 TCP socket listening on 127.0.0.1, any port. */
    static int listener() throws Throwable {
        int fd = socket(AF_INET, SOCK_STREAM);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddrIn(a, new InetSocketAddress(TestLoop.IPV4, 0));
            if ((int) BIND.invokeExact(fd, sa, (int) sa.byteSize()) != 0 || (int) LISTEN.invokeExact(fd, 16) != 0) {
                close(fd);
                throw new AssertionError("bind/listen failed");
            }
        }
        return fd;
    }

    /** A blocking IPv4 TCP socket connected to {@code to}. */
    static int connected(InetSocketAddress to) throws Throwable {
        int fd = socket(AF_INET, SOCK_STREAM);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddrIn(a, to);
            if ((int) CONNECT.invokeExact(fd, sa, (int) sa.byteSize()) != 0) {
                close(fd);
                throw new AssertionError("connect to " + to + " failed");
            }
        }
        return fd;
    }

    /** A pipe's two ends: [read, write]. */
    static int[] pipe() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            if ((int) PIPE.invokeExact(fds) != 0) throw new AssertionError("pipe failed");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** fcntl(F_GETFL): the status flags, or -1 when the descriptor is not open. */
    static int statusFlags(int fd) throws Throwable {
        return (int) FCNTL.invokeExact(fd, F_GETFL, 0);
    }

    /** close(2): 0, or -1 (already closed). */
    static int close(int fd) throws Throwable {
        return (int) CLOSE.invokeExact(fd);
    }

    private static MemorySegment sockaddrIn(Arena a, InetSocketAddress at) {
        MemorySegment sa = a.allocate(16);
        if (LINUX) {
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
        } else { // BSD: sin_len, then a one-byte family
            sa.set(JAVA_BYTE, 0, (byte) 16);
            sa.set(JAVA_BYTE, 1, (byte) AF_INET);
        }
        sa.set(JAVA_BYTE, 2, (byte) (at.getPort() >> 8));
        sa.set(JAVA_BYTE, 3, (byte) at.getPort());
        byte[] ip = at.getAddress().getAddress();
        for (int i = 0; i < 4; i++) sa.set(JAVA_BYTE, 4 + i, ip[i]);
        return sa;
    }
}
