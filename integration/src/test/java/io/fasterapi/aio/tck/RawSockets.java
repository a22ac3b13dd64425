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
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Descriptors made without the library, as another program would hand them over: sockets of any
 * type and family, and a pipe. On POSIX systems through the C library ({@code int} descriptors);
 * on Windows through Winsock ({@code SOCKET}s) and {@code CreatePipe} ({@code HANDLE}s). Blocking
 * calls; test threads only.
 */
final class RawSockets {
    private static final String OS = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    private static final boolean LINUX = OS.contains("linux");
    private static final boolean POSIX = LINUX || OS.contains("mac") || OS.contains("bsd");
    static final boolean WINDOWS = OS.startsWith("windows");
    /** The same numbers on Linux, the BSDs and Windows. */
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    /** fcntl F_GETFL and O_NONBLOCK (Linux; 3 and 4 on macOS and the BSDs). */
    private static final int F_GETFL = 3;
    private static final int O_NONBLOCK = LINUX ? 0x800 : 0x4;
    /** Winsock's SOL_SOCKET and SO_TYPE. */
    private static final int WIN_SOL_SOCKET = 0xffff, WIN_SO_TYPE = 0x1008;
    private static final long INVALID_SOCKET = -1;
    private static final MethodHandle SOCKET, BIND, LISTEN, CONNECT, CLOSE, FCNTL, PIPE, GETSOCKOPT, CLOSE_HANDLE,
            HANDLE_INFO;

    static {
        Linker linker = Linker.nativeLinker();
        if (POSIX) {
            SymbolLookup libc = linker.defaultLookup();
            SOCKET = downcall(libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            BIND = downcall(libc, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            LISTEN = downcall(libc, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            CONNECT = downcall(libc, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            CLOSE = downcall(libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            FCNTL = variadic(libc, "fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
            PIPE = downcall(libc, "pipe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            GETSOCKOPT = CLOSE_HANDLE = HANDLE_INFO = null;
        } else if (WINDOWS) {
            SymbolLookup ws2 = SymbolLookup.libraryLookup("ws2_32", Arena.global());
            SymbolLookup kernel32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
            SOCKET = downcall(ws2, "socket", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT));
            BIND = downcall(ws2, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
            LISTEN = downcall(ws2, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
            CONNECT = downcall(ws2, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
            CLOSE = downcall(ws2, "closesocket", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
            GETSOCKOPT = downcall(ws2, "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            // BOOL CreatePipe(PHANDLE read, PHANDLE write, LPSECURITY_ATTRIBUTES, DWORD size)
            PIPE = downcall(kernel32, "CreatePipe", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
            CLOSE_HANDLE = downcall(kernel32, "CloseHandle", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
            // BOOL GetHandleInformation(HANDLE, LPDWORD flags): FALSE for a handle that is not open
            HANDLE_INFO = downcall(kernel32, "GetHandleInformation", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
            FCNTL = null;
            // WSAStartup(2.2) before the first socket call (the backend may not have made one yet)
            MethodHandle startup = downcall(ws2, "WSAStartup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
            try {
                int r = (int) startup.invokeExact((short) 0x0202, Arena.global().allocate(512, 8));
                if (r != 0) throw new ExceptionInInitializerError("WSAStartup failed: " + r);
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        } else {
            SOCKET = BIND = LISTEN = CONNECT = CLOSE = FCNTL = PIPE = GETSOCKOPT = CLOSE_HANDLE = HANDLE_INFO = null;
        }
    }

    private RawSockets() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle variadic(SymbolLookup lookup, String name, FunctionDescriptor fd, int firstVariadic) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd, Linker.Option.firstVariadicArg(firstVariadic));
    }

    static void assumeUsable() {
        assumeTrue(POSIX || WINDOWS, "descriptors made through the C library or Winsock: not written for " + OS);
    }

    /** A socket of {@code family} and {@code type}: a descriptor, or on Windows a SOCKET. */
    static long socket(int family, int type) throws Throwable {
        long fd = WINDOWS ? (long) SOCKET.invokeExact(family, type, 0) : (int) SOCKET.invokeExact(family, type, 0);
        if (fd < 0 || fd == INVALID_SOCKET) throw new AssertionError("socket(" + family + ", " + type + ") failed");
        return fd;
    }

    /** A blocking IPv4 TCP socket listening on 127.0.0.1, any port. */
    static long listener() throws Throwable {
        long fd = socket(AF_INET, SOCK_STREAM);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddrIn(a, new InetSocketAddress(TestLoop.IPV4, 0));
            int bound = WINDOWS ? (int) BIND.invokeExact(fd, sa, (int) sa.byteSize()) : (int) BIND.invokeExact((int) fd, sa, (int) sa.byteSize());
            int listening = bound != 0 ? -1 : WINDOWS ? (int) LISTEN.invokeExact(fd, 16) : (int) LISTEN.invokeExact((int) fd, 16);
            if (listening != 0) {
                close(fd);
                throw new AssertionError("bind/listen failed");
            }
        }
        return fd;
    }

    /** A blocking Unix domain stream socket listening at {@code path} (POSIX: Linux's or the BSDs' sockaddr_un). */
    static long unixListener(java.nio.file.Path path) throws Throwable {
        long fd = socket(AF_UNIX, SOCK_STREAM);
        try (Arena a = Arena.ofConfined()) {
            byte[] p = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            MemorySegment sa = a.allocate(110);
            if (LINUX || WINDOWS) {
                sa.set(JAVA_SHORT, 0, (short) AF_UNIX);
            } else {
                sa.set(JAVA_BYTE, 0, (byte) (2 + p.length + 1));
                sa.set(JAVA_BYTE, 1, (byte) AF_UNIX);
            }
            MemorySegment.copy(p, 0, sa, JAVA_BYTE, 2, p.length);
            int len = 2 + p.length + 1;
            int bound = WINDOWS ? (int) BIND.invokeExact(fd, sa, len) : (int) BIND.invokeExact((int) fd, sa, len);
            int listening = bound != 0 ? -1 : WINDOWS ? (int) LISTEN.invokeExact(fd, 16) : (int) LISTEN.invokeExact((int) fd, 16);
            if (listening != 0) {
                close(fd);
                throw new AssertionError("bind/listen on " + path + " failed");
            }
        }
        return fd;
    }

    /** A blocking IPv4 TCP socket connected to {@code to}. */
    static long connected(InetSocketAddress to) throws Throwable {
        long fd = socket(AF_INET, SOCK_STREAM);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = sockaddrIn(a, to);
            int r = WINDOWS ? (int) CONNECT.invokeExact(fd, sa, (int) sa.byteSize()) : (int) CONNECT.invokeExact((int) fd, sa, (int) sa.byteSize());
            if (r != 0) {
                close(fd);
                throw new AssertionError("connect to " + to + " failed");
            }
        }
        return fd;
    }

    /** A pipe's two ends: [read, write] (on Windows two HANDLEs, closed with {@link #closePipe}). */
    static long[] pipe() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            if (WINDOWS) {
                MemorySegment r = a.allocate(JAVA_LONG), w = a.allocate(JAVA_LONG);
                if ((int) PIPE.invokeExact(r, w, MemorySegment.NULL, 0) == 0) throw new AssertionError("CreatePipe failed");
                return new long[] {r.get(JAVA_LONG, 0), w.get(JAVA_LONG, 0)};
            }
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            if ((int) PIPE.invokeExact(fds) != 0) throw new AssertionError("pipe failed");
            return new long[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** Whether the system lets a test read a socket's blocking mode (Windows does not). */
    static boolean blockingModeReadable() {
        return POSIX;
    }

    /** Whether {@code fd} is non-blocking (POSIX only: see {@link #blockingModeReadable()}). */
    static boolean nonBlocking(long fd) throws Throwable {
        return ((int) FCNTL.invokeExact((int) fd, F_GETFL, 0) & O_NONBLOCK) != 0;
    }

    /**
     * What a test can see of {@code fd} without changing it, or -1 when it is not open: on POSIX
     * its status flags (fcntl F_GETFL); on Windows 1 for an open socket or handle.
     */
    static int state(long fd) throws Throwable {
        if (!WINDOWS) return (int) FCNTL.invokeExact((int) fd, F_GETFL, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT), len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            if ((int) GETSOCKOPT.invokeExact(fd, WIN_SOL_SOCKET, WIN_SO_TYPE, v, len) == 0) return 1;
            return (int) HANDLE_INFO.invokeExact(fd, v) != 0 ? 1 : -1; // a pipe HANDLE is no socket
        }
    }

    /** Closes a socket: 0, or -1 (already closed). */
    static int close(long fd) throws Throwable {
        return WINDOWS ? (int) CLOSE.invokeExact(fd) : (int) CLOSE.invokeExact((int) fd);
    }

    /** Closes one end of a {@link #pipe}. */
    static void closePipe(long end) throws Throwable {
        if (WINDOWS) {
            int ignored = (int) CLOSE_HANDLE.invokeExact(end);
        } else {
            close(end);
        }
    }

    private static MemorySegment sockaddrIn(Arena a, InetSocketAddress at) {
        MemorySegment sa = a.allocate(16);
        if (LINUX || WINDOWS) {
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
