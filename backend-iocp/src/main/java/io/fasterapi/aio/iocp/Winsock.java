package io.fasterapi.aio.iocp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Winsock and completion-port calls of {@code ws2_32.dll} and {@code kernel32.dll}, the
 * constants of the Windows SDK headers they need, and their struct layouts (x64). Nothing else in
 * this backend knows an offset; {@code WinsockLayoutTest} checks every one against the values the
 * SDK headers publish.
 *
 * <p>Types: {@code SOCKET} ({@code UINT_PTR}) and {@code HANDLE} are passed as {@code long}: on
 * x64 and arm64 Windows a pointer-sized integer and a pointer travel in the same register.
 * {@code DWORD}, {@code ULONG}, {@code BOOL} and Windows' {@code long} are 32 bits (LLP64).
 *
 * <p>The libraries are looked up only when the first call is made ({@link Calls}), so loading this
 * class on Linux for its layouts and constants touches no DLL. Every call captures
 * {@code GetLastError} and {@code WSAGetLastError} into the caller's call-state segment
 * ({@link #callStateLayout()}), read right after the call by {@link #lastError} /
 * {@link #wsaLastError}.
 */
final class Winsock {
    // ---- winsock2.h -----------------------------------------------------------------------------
    /** MAKEWORD(2, 2): the Winsock version asked of WSAStartup. */
    static final short WINSOCK_VERSION_2_2 = 0x0202;
    static final long INVALID_SOCKET = -1L; // (SOCKET)(~0)
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int IPPROTO_UDP = 17;
    /** WSAIoctl: FALSE stops a UDP socket's receives failing with WSAECONNRESET after an ICMP port unreachable. */
    static final int SIO_UDP_CONNRESET = 0x9800000C;
    static final int SO_BROADCAST = 0x0020;
    static final int IP_MULTICAST_TTL = 10;
    static final int IP_MULTICAST_LOOP = 11;
    static final int IP_ADD_MEMBERSHIP = 12;
    static final int IP_DROP_MEMBERSHIP = 13;
    static final int IPV6_MULTICAST_HOPS = 10;
    static final int IPV6_MULTICAST_LOOP = 11;
    static final int IPV6_ADD_MEMBERSHIP = 12;
    static final int IPV6_DROP_MEMBERSHIP = 13;
    static final int SOL_SOCKET = 0xffff;
    static final int SO_REUSEADDR = 0x0004;
    static final int SO_ERROR = 0x1007;
    static final int SO_KEEPALIVE = 0x0008;
    static final int SO_ACCEPTCONN = 0x0002;
    static final int SO_TYPE = 0x1008;
    static final int SO_PROTOCOL_INFOW = 0x2005;
    /** sizeof(WSAPROTOCOL_INFOW), and where its iAddressFamily is: a socket's family even before it is bound. */
    static final int PROTOCOL_INFO_SIZE = 628;
    static final int PROTOCOL_INFO_FAMILY = 76;
    static final int SO_LINGER = 0x0080;
    static final int SO_SNDBUF = 0x1001;
    static final int SO_RCVBUF = 0x1002;
    /** sizeof(struct linger): two u_shorts, l_onoff then l_linger (psdk_inc/_ip_types.h). */
    static final int LINGER_SIZE = 4;
    static final int LINGER_SECONDS = 2;
    static final int SD_SEND = 1;
    static final int WSA_FLAG_OVERLAPPED = 0x01;
    static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
    static final int WSADESCRIPTION_LEN = 256;
    static final int WSASYS_STATUS_LEN = 128;

    // ---- ws2def.h -------------------------------------------------------------------------------
    static final int AF_INET = 2;
    static final int AF_INET6 = 23;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_IPV6 = 41;
    static final int TCP_NODELAY = 0x0001;
    /** _WSAIORW(IOC_WS2, 6) = IOC_INOUT | IOC_WS2 | 6. */
    static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;

    // ---- ws2ipdef.h -----------------------------------------------------------------------------
    static final int IPV6_V6ONLY = 27;
    static final int IP_TOS = 3;
    static final int IPV6_TCLASS = 39;

    // ---- mswsock.h ------------------------------------------------------------------------------
    static final int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    static final int SO_UPDATE_CONNECT_CONTEXT = 0x7010;
    /** WSAID_ACCEPTEX {b5367df1-cbac-11cf-95ca-00805f48a192}. */
    static final Guid WSAID_ACCEPTEX = new Guid(0xb5367df1, (short) 0xcbac, (short) 0x11cf,
            new byte[] {(byte) 0x95, (byte) 0xca, 0x00, (byte) 0x80, 0x5f, 0x48, (byte) 0xa1, (byte) 0x92});
    /** WSAID_CONNECTEX {25a207b9-ddf3-4660-8ee9-76e58c74063e}. */
    static final Guid WSAID_CONNECTEX = new Guid(0x25a207b9, (short) 0xddf3, (short) 0x4660,
            new byte[] {(byte) 0x8e, (byte) 0xe9, 0x76, (byte) 0xe5, (byte) 0x8c, 0x74, 0x06, 0x3e});
    /** WSAID_GETACCEPTEXSOCKADDRS {b5367df2-cbac-11cf-95ca-00805f48a192}. */
    static final Guid WSAID_GETACCEPTEXSOCKADDRS = new Guid(0xb5367df2, (short) 0xcbac, (short) 0x11cf,
            new byte[] {(byte) 0x95, (byte) 0xca, 0x00, (byte) 0x80, 0x5f, 0x48, (byte) 0xa1, (byte) 0x92});

    // ---- minwinbase.h / winbase.h / handleapi.h -------------------------------------------------
    static final long INVALID_HANDLE_VALUE = -1L; // ((HANDLE)(LONG_PTR)-1)
    static final int INFINITE = 0xFFFFFFFF;

    // ---- structs ------------------------------------------------------------------------------

    /**
     * OVERLAPPED (minwinbase.h): {@code ULONG_PTR Internal; ULONG_PTR InternalHigh;
     * union { struct { DWORD Offset; DWORD OffsetHigh; }; PVOID Pointer; }; HANDLE hEvent;}.
     * {@code Internal} holds the NTSTATUS of the request, {@code InternalHigh} the bytes moved.
     */
    static final StructLayout OVERLAPPED = MemoryLayout.structLayout(
            JAVA_LONG.withName("Internal"), JAVA_LONG.withName("InternalHigh"),
            JAVA_INT.withName("Offset"), JAVA_INT.withName("OffsetHigh"), JAVA_LONG.withName("hEvent"));

    /**
     * OVERLAPPED_ENTRY (minwinbase.h): {@code ULONG_PTR lpCompletionKey; LPOVERLAPPED lpOverlapped;
     * ULONG_PTR Internal; DWORD dwNumberOfBytesTransferred;} (padded to 32). {@code Internal} is
     * documented as reserved: a request's status is read from its OVERLAPPED instead
     * ({@link #overlappedStatus}).
     */
    static final StructLayout OVERLAPPED_ENTRY = MemoryLayout.structLayout(
            JAVA_LONG.withName("lpCompletionKey"), JAVA_LONG.withName("lpOverlapped"), JAVA_LONG.withName("Internal"),
            JAVA_INT.withName("dwNumberOfBytesTransferred"), MemoryLayout.paddingLayout(4));

    /** WSABUF (ws2def.h): {@code ULONG len; CHAR FAR *buf;}. */
    static final StructLayout WSABUF = MemoryLayout.structLayout(
            JAVA_INT.withName("len"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("buf"));

    /**
     * WSADATA (winsock2.h), the _WIN64 order: {@code WORD wVersion; WORD wHighVersion;
     * unsigned short iMaxSockets; unsigned short iMaxUdpDg; char FAR *lpVendorInfo;
     * char szDescription[WSADESCRIPTION_LEN+1]; char szSystemStatus[WSASYS_STATUS_LEN+1];}.
     */
    static final StructLayout WSADATA = MemoryLayout.structLayout(
            JAVA_SHORT.withName("wVersion"), JAVA_SHORT.withName("wHighVersion"),
            JAVA_SHORT.withName("iMaxSockets"), JAVA_SHORT.withName("iMaxUdpDg"),
            JAVA_LONG.withName("lpVendorInfo"),
            MemoryLayout.sequenceLayout(WSADESCRIPTION_LEN + 1, JAVA_BYTE).withName("szDescription"),
            MemoryLayout.sequenceLayout(WSASYS_STATUS_LEN + 1, JAVA_BYTE).withName("szSystemStatus"),
            MemoryLayout.paddingLayout(6));

    /** GUID (guiddef.h): {@code unsigned long Data1; unsigned short Data2, Data3; unsigned char Data4[8];}. */
    static final StructLayout GUID = MemoryLayout.structLayout(
            JAVA_INT.withName("Data1"), JAVA_SHORT.withName("Data2"), JAVA_SHORT.withName("Data3"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("Data4"));

    static final long OVERLAPPED_SIZE = OVERLAPPED.byteSize();
    static final long OV_INTERNAL = OVERLAPPED.byteOffset(groupElement("Internal"));
    static final long OV_INTERNAL_HIGH = OVERLAPPED.byteOffset(groupElement("InternalHigh"));
    static final long OV_EVENT = OVERLAPPED.byteOffset(groupElement("hEvent"));

    static final long ENTRY_SIZE = OVERLAPPED_ENTRY.byteSize();
    static final long ENTRY_KEY = OVERLAPPED_ENTRY.byteOffset(groupElement("lpCompletionKey"));
    static final long ENTRY_OVERLAPPED = OVERLAPPED_ENTRY.byteOffset(groupElement("lpOverlapped"));
    static final long ENTRY_BYTES = OVERLAPPED_ENTRY.byteOffset(groupElement("dwNumberOfBytesTransferred"));

    static final long WSABUF_LEN = WSABUF.byteOffset(groupElement("len"));
    static final long WSABUF_BUF = WSABUF.byteOffset(groupElement("buf"));

    private static final VarHandle GUID_DATA1 = GUID.varHandle(groupElement("Data1"));
    private static final VarHandle GUID_DATA2 = GUID.varHandle(groupElement("Data2"));
    private static final VarHandle GUID_DATA3 = GUID.varHandle(groupElement("Data3"));
    private static final long GUID_DATA4 = GUID.byteOffset(groupElement("Data4"));

    /** A GUID's value, as the SDK writes it. */
    record Guid(int data1, short data2, short data3, byte[] data4) {
        /** Writes the GUID in its in-memory (little-endian fields) form. */
        void writeTo(MemorySegment out) {
            GUID_DATA1.set(out, 0L, data1);
            GUID_DATA2.set(out, 0L, data2);
            GUID_DATA3.set(out, 0L, data3);
            MemorySegment.copy(data4, 0, out, JAVA_BYTE, GUID_DATA4, 8);
        }
    }

    // ---- functions ----------------------------------------------------------------------------

    private static final String WS2_32 = "ws2_32.dll";
    private static final String KERNEL32 = "kernel32.dll";

    /** A function's library and C signature; linked on Windows by {@link Calls}. */
    record Function(String library, String name, FunctionDescriptor descriptor) {
    }

    /** Every downcall, by name: pure data, so a test can check each descriptor links on any OS. */
    static final Map<String, Function> FUNCTIONS = new LinkedHashMap<>();

    private static Function fn(String library, String name, FunctionDescriptor fd) {
        Function f = new Function(library, name, fd);
        FUNCTIONS.put(name, f);
        return f;
    }

    // int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
    private static final Function WSA_STARTUP = fn(WS2_32, "WSAStartup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    // int WSACleanup(void)
    private static final Function WSA_CLEANUP = fn(WS2_32, "WSACleanup", FunctionDescriptor.of(JAVA_INT));
    // SOCKET WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW, GROUP g, DWORD dwFlags)
    private static final Function WSA_SOCKET = fn(WS2_32, "WSASocketW",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    // int bind(SOCKET s, const struct sockaddr *name, int namelen)
    private static final Function BIND = fn(WS2_32, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
    // int listen(SOCKET s, int backlog)
    private static final Function LISTEN = fn(WS2_32, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    // int closesocket(SOCKET s)
    private static final Function CLOSESOCKET = fn(WS2_32, "closesocket", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    // int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)
    private static final Function SETSOCKOPT = fn(WS2_32, "setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)
    private static final Function GETSOCKOPT = fn(WS2_32, "getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int getsockname(SOCKET s, struct sockaddr *name, int *namelen); getpeername alike
    private static final Function GETSOCKNAME = fn(WS2_32, "getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
    private static final Function GETPEERNAME = fn(WS2_32, "getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
    // int shutdown(SOCKET s, int how)
    private static final Function SHUTDOWN = fn(WS2_32, "shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    // int ioctlsocket(SOCKET s, long cmd, u_long *argp)
    private static final Function IOCTLSOCKET = fn(WS2_32, "ioctlsocket",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));
    // int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD inLen, LPVOID out, DWORD outLen, LPDWORD returned,
    //              LPWSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE)
    private static final Function WSA_IOCTL = fn(WS2_32, "WSAIoctl", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // int WSARecv(SOCKET s, LPWSABUF, DWORD count, LPDWORD received, LPDWORD flags, LPWSAOVERLAPPED, routine)
    private static final Function WSA_RECV = fn(WS2_32, "WSARecv", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS,
            JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    // int WSARecvFrom(SOCKET s, LPWSABUF, DWORD count, LPDWORD received, LPDWORD flags, struct sockaddr *from,
    //                 LPINT fromLen, LPWSAOVERLAPPED, routine)
    private static final Function WSA_RECV_FROM = fn(WS2_32, "WSARecvFrom", FunctionDescriptor.of(JAVA_INT, JAVA_LONG,
            ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    // int WSASendTo(SOCKET s, LPWSABUF, DWORD count, LPDWORD sent, DWORD flags, const struct sockaddr *to, int toLen,
    //               LPWSAOVERLAPPED, routine)
    private static final Function WSA_SEND_TO = fn(WS2_32, "WSASendTo", FunctionDescriptor.of(JAVA_INT, JAVA_LONG,
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
    // int connect(SOCKET s, const struct sockaddr *name, int namelen): a UDP socket's, which returns at once
    private static final Function CONNECT = fn(WS2_32, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
    // int WSASend(SOCKET s, LPWSABUF, DWORD count, LPDWORD sent, DWORD flags, LPWSAOVERLAPPED, routine)
    private static final Function WSA_SEND = fn(WS2_32, "WSASend", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS,
            JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
    // HANDLE CreateIoCompletionPort(HANDLE file, HANDLE existingPort, ULONG_PTR key, DWORD concurrentThreads)
    private static final Function CREATE_PORT = fn(KERNEL32, "CreateIoCompletionPort",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT));
    // BOOL GetQueuedCompletionStatusEx(HANDLE port, LPOVERLAPPED_ENTRY, ULONG count, PULONG removed,
    //                                  DWORD millis, BOOL alertable)
    private static final Function GET_QUEUED_EX = fn(KERNEL32, "GetQueuedCompletionStatusEx",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    // BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, LPOVERLAPPED)
    private static final Function POST_QUEUED = fn(KERNEL32, "PostQueuedCompletionStatus",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // BOOL CancelIoEx(HANDLE file, LPOVERLAPPED)
    private static final Function CANCEL_IO_EX = fn(KERNEL32, "CancelIoEx",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    // BOOL CloseHandle(HANDLE)
    private static final Function CLOSE_HANDLE = fn(KERNEL32, "CloseHandle", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));

    // The extension functions WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) returns, called through their pointer:
    // BOOL AcceptEx(SOCKET listen, SOCKET accept, PVOID out, DWORD recvLen, DWORD localLen, DWORD remoteLen,
    //               LPDWORD received, LPOVERLAPPED)
    static final FunctionDescriptor ACCEPT_EX = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG);
    // BOOL ConnectEx(SOCKET s, const struct sockaddr *name, int namelen, PVOID send, DWORD sendLen, LPDWORD sent,
    //                LPOVERLAPPED)
    static final FunctionDescriptor CONNECT_EX = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS,
            JAVA_INT, ADDRESS, JAVA_LONG);

    private Winsock() {
    }

    /**
     * The linked downcalls: initialised at the first call, which only happens on Windows (the
     * provider probes the OS first). {@code captureCallState("GetLastError", ...)} itself is only
     * valid on Windows, so it lives here too.
     */
    private static final class Calls {
        static final Linker LINKER = Linker.nativeLinker();
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle GET_LAST_ERROR = CALL_STATE.varHandle(groupElement("GetLastError"));
        static final VarHandle WSA_GET_LAST_ERROR = CALL_STATE.varHandle(groupElement("WSAGetLastError"));
        static final Linker.Option CAPTURE = Linker.Option.captureCallState("GetLastError", "WSAGetLastError");
        static final Map<String, SymbolLookup> LIBRARIES = new LinkedHashMap<>();

        static final MethodHandle WSA_STARTUP = link(Winsock.WSA_STARTUP);
        static final MethodHandle WSA_CLEANUP = link(Winsock.WSA_CLEANUP);
        static final MethodHandle WSA_SOCKET = link(Winsock.WSA_SOCKET);
        static final MethodHandle BIND = link(Winsock.BIND);
        static final MethodHandle LISTEN = link(Winsock.LISTEN);
        static final MethodHandle CLOSESOCKET = link(Winsock.CLOSESOCKET);
        static final MethodHandle SETSOCKOPT = link(Winsock.SETSOCKOPT);
        static final MethodHandle GETSOCKOPT = link(Winsock.GETSOCKOPT);
        static final MethodHandle GETSOCKNAME = link(Winsock.GETSOCKNAME);
        static final MethodHandle GETPEERNAME = link(Winsock.GETPEERNAME);
        static final MethodHandle SHUTDOWN = link(Winsock.SHUTDOWN);
        static final MethodHandle IOCTLSOCKET = link(Winsock.IOCTLSOCKET);
        static final MethodHandle WSA_IOCTL = link(Winsock.WSA_IOCTL);
        static final MethodHandle WSA_RECV = link(Winsock.WSA_RECV);
        static final MethodHandle WSA_SEND = link(Winsock.WSA_SEND);
        static final MethodHandle WSA_RECV_FROM = link(Winsock.WSA_RECV_FROM);
        static final MethodHandle WSA_SEND_TO = link(Winsock.WSA_SEND_TO);
        static final MethodHandle CONNECT = link(Winsock.CONNECT);
        static final MethodHandle CREATE_PORT = link(Winsock.CREATE_PORT);
        static final MethodHandle GET_QUEUED_EX = link(Winsock.GET_QUEUED_EX);
        static final MethodHandle POST_QUEUED = link(Winsock.POST_QUEUED);
        static final MethodHandle CANCEL_IO_EX = link(Winsock.CANCEL_IO_EX);
        static final MethodHandle CLOSE_HANDLE = link(Winsock.CLOSE_HANDLE);
        /** Extension functions are called through a pointer: the address is the handle's first argument. */
        static final MethodHandle ACCEPT_EX = LINKER.downcallHandle(Winsock.ACCEPT_EX, CAPTURE);
        static final MethodHandle CONNECT_EX = LINKER.downcallHandle(Winsock.CONNECT_EX, CAPTURE);

        @SuppressWarnings("restricted")
        private static MethodHandle link(Function f) {
            SymbolLookup lib = LIBRARIES.computeIfAbsent(f.library(), n -> SymbolLookup.libraryLookup(n, Arena.global()));
            MemorySegment address = lib.find(f.name())
                    .orElseThrow(() -> new UnsatisfiedLinkError(f.library() + " has no function " + f.name()));
            return LINKER.downcallHandle(address, f.descriptor(), CAPTURE);
        }
    }

    // ---- error state --------------------------------------------------------------------------

    /** The layout of the call-state segment every call here writes (Windows only). */
    static StructLayout callStateLayout() {
        return Calls.CALL_STATE;
    }

    /** GetLastError as captured by the last call through {@code state}. */
    static int lastError(MemorySegment state) {
        return (int) Calls.GET_LAST_ERROR.get(state, 0L);
    }

    /** WSAGetLastError as captured by the last call through {@code state}. */
    static int wsaLastError(MemorySegment state) {
        return (int) Calls.WSA_GET_LAST_ERROR.get(state, 0L);
    }

    private static AssertionError fail(String call, Throwable t) {
        return new AssertionError("FFM call " + call + " failed unexpectedly", t);
    }

    // ---- calls: each returns what the function returns; the caller reads the error ------------

    /** WSAStartup: 0, or the error itself (it does not set WSAGetLastError). */
    static int wsaStartup(MemorySegment st, MemorySegment wsaData) {
        try {
            return (int) Calls.WSA_STARTUP.invokeExact(st, WINSOCK_VERSION_2_2, wsaData);
        } catch (Throwable t) {
            throw fail("WSAStartup", t);
        }
    }

    static int wsaCleanup(MemorySegment st) {
        try {
            return (int) Calls.WSA_CLEANUP.invokeExact(st);
        } catch (Throwable t) {
            throw fail("WSACleanup", t);
        }
    }

    /** An overlapped, non-inheritable TCP socket; INVALID_SOCKET on failure. */
    static long wsaSocket(MemorySegment st, int family) {
        return wsaSocket(st, family, SOCK_STREAM, IPPROTO_TCP);
    }

    /** An overlapped, not inherited socket of {@code type} and {@code protocol}. */
    static long wsaSocket(MemorySegment st, int family, int type, int protocol) {
        try {
            return (long) Calls.WSA_SOCKET.invokeExact(st, family, type, protocol, MemorySegment.NULL, 0,
                    WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        } catch (Throwable t) {
            throw fail("WSASocketW", t);
        }
    }

    static int bind(MemorySegment st, long s, MemorySegment addr, int len) {
        try {
            return (int) Calls.BIND.invokeExact(st, s, addr, len);
        } catch (Throwable t) {
            throw fail("bind", t);
        }
    }

    static int listen(MemorySegment st, long s, int backlog) {
        try {
            return (int) Calls.LISTEN.invokeExact(st, s, backlog);
        } catch (Throwable t) {
            throw fail("listen", t);
        }
    }

    static int closesocket(MemorySegment st, long s) {
        try {
            return (int) Calls.CLOSESOCKET.invokeExact(st, s);
        } catch (Throwable t) {
            throw fail("closesocket", t);
        }
    }

    static int setsockopt(MemorySegment st, long s, int level, int name, MemorySegment value, int len) {
        try {
            return (int) Calls.SETSOCKOPT.invokeExact(st, s, level, name, value, len);
        } catch (Throwable t) {
            throw fail("setsockopt", t);
        }
    }

    /** getsockopt into {@code value}; {@code len} holds its size in, the value's size out. */
    static int getsockopt(MemorySegment st, long s, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) Calls.GETSOCKOPT.invokeExact(st, s, level, name, value, len);
        } catch (Throwable t) {
            throw fail("getsockopt", t);
        }
    }

    /** getsockname ({@code local}) or getpeername; {@code len} holds the buffer size in, the address size out. */
    static int socketName(MemorySegment st, long s, boolean local, MemorySegment addr, MemorySegment len) {
        try {
            return local ? (int) Calls.GETSOCKNAME.invokeExact(st, s, addr, len)
                    : (int) Calls.GETPEERNAME.invokeExact(st, s, addr, len);
        } catch (Throwable t) {
            throw fail(local ? "getsockname" : "getpeername", t);
        }
    }

    static int shutdown(MemorySegment st, long s, int how) {
        try {
            return (int) Calls.SHUTDOWN.invokeExact(st, s, how);
        } catch (Throwable t) {
            throw fail("shutdown", t);
        }
    }

    static int ioctlsocket(MemorySegment st, long s, int cmd, MemorySegment arg) {
        try {
            return (int) Calls.IOCTLSOCKET.invokeExact(st, s, cmd, arg);
        } catch (Throwable t) {
            throw fail("ioctlsocket", t);
        }
    }

    /**
     * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER): the address of the extension function named
     * by {@code guid} for {@code s}'s provider, or {@link MemorySegment#NULL} (error in {@code st}).
     * {@code scratch} holds at least 32 bytes.
     */
    static MemorySegment extensionFunction(MemorySegment st, long s, Guid guid, MemorySegment scratch) {
        MemorySegment in = scratch.asSlice(0, GUID.byteSize());
        MemorySegment out = scratch.asSlice(16, 8);
        MemorySegment returned = scratch.asSlice(24, 4);
        guid.writeTo(in);
        try {
            int r = (int) Calls.WSA_IOCTL.invokeExact(st, s, SIO_GET_EXTENSION_FUNCTION_POINTER, in, (int) in.byteSize(),
                    out, (int) out.byteSize(), returned, MemorySegment.NULL, MemorySegment.NULL);
            return r == 0 ? out.get(ADDRESS, 0) : MemorySegment.NULL;
        } catch (Throwable t) {
            throw fail("WSAIoctl", t);
        }
    }

    /** WSARecv of one buffer described by {@code wsabuf}; {@code flags} is a DWORD in/out. */
    static int wsaRecv(MemorySegment st, long s, MemorySegment wsabuf, MemorySegment flags, long overlapped) {
        try {
            return (int) Calls.WSA_RECV.invokeExact(st, s, wsabuf, 1, MemorySegment.NULL, flags, overlapped,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail("WSARecv", t);
        }
    }

    /** WSARecvFrom of one buffer; the sender goes to {@code from}, its length (in: the room) to {@code fromLength}. */
    static int wsaRecvFrom(MemorySegment st, long s, MemorySegment wsabuf, MemorySegment flags, MemorySegment from,
                           MemorySegment fromLength, long overlapped) {
        try {
            return (int) Calls.WSA_RECV_FROM.invokeExact(st, s, wsabuf, 1, MemorySegment.NULL, flags, from, fromLength,
                    overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail("WSARecvFrom", t);
        }
    }

    /** WSASendTo of one buffer to the {@code toLength} bytes of address at {@code to}. */
    static int wsaSendTo(MemorySegment st, long s, MemorySegment wsabuf, MemorySegment to, int toLength, long overlapped) {
        try {
            return (int) Calls.WSA_SEND_TO.invokeExact(st, s, wsabuf, 1, MemorySegment.NULL, 0, to, toLength, overlapped,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail("WSASendTo", t);
        }
    }

    static int connect(MemorySegment st, long s, MemorySegment addr, int len) {
        try {
            return (int) Calls.CONNECT.invokeExact(st, s, addr, len);
        } catch (Throwable t) {
            throw fail("connect", t);
        }
    }

    /** WSAIoctl with a DWORD in and nothing out ({@code scratch}: 8 bytes). 0, or SOCKET_ERROR. */
    static int ioctlDword(MemorySegment st, long s, int code, int value, MemorySegment scratch) {
        MemorySegment in = scratch.asSlice(0, 4), returned = scratch.asSlice(4, 4);
        in.set(JAVA_INT, 0, value);
        try {
            return (int) Calls.WSA_IOCTL.invokeExact(st, s, code, in, 4, MemorySegment.NULL, 0, returned,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail("WSAIoctl", t);
        }
    }

    /** WSASend of the {@code count} buffers the WSABUF array {@code wsabufs} describes. */
    static int wsaSend(MemorySegment st, long s, MemorySegment wsabufs, int count, long overlapped) {
        try {
            return (int) Calls.WSA_SEND.invokeExact(st, s, wsabufs, count, MemorySegment.NULL, 0, overlapped,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw fail("WSASend", t);
        }
    }

    /** AcceptEx through its pointer: receives no data, only the two addresses. TRUE (1) or FALSE (0). */
    static int acceptEx(MemorySegment st, MemorySegment fn, long listener, long accepted, MemorySegment addresses,
                        int addressLength, MemorySegment received, long overlapped) {
        try {
            return (int) Calls.ACCEPT_EX.invokeExact(fn, st, listener, accepted, addresses, 0, addressLength,
                    addressLength, received, overlapped);
        } catch (Throwable t) {
            throw fail("AcceptEx", t);
        }
    }

    /** ConnectEx through its pointer, sending nothing. TRUE (1) or FALSE (0). */
    static int connectEx(MemorySegment st, MemorySegment fn, long s, MemorySegment addr, int len, long overlapped) {
        try {
            return (int) Calls.CONNECT_EX.invokeExact(fn, st, s, addr, len, MemorySegment.NULL, 0, MemorySegment.NULL,
                    overlapped);
        } catch (Throwable t) {
            throw fail("ConnectEx", t);
        }
    }

    /** CreateIoCompletionPort: a new port ({@code file} = INVALID_HANDLE_VALUE) or {@code file} associated; 0 on failure. */
    static long createIoCompletionPort(MemorySegment st, long file, long port, long key, int threads) {
        try {
            return (long) Calls.CREATE_PORT.invokeExact(st, file, port, key, threads);
        } catch (Throwable t) {
            throw fail("CreateIoCompletionPort", t);
        }
    }

    /** GetQueuedCompletionStatusEx, not alertable: TRUE with {@code removed} set, or FALSE (WAIT_TIMEOUT...). */
    static int getQueuedCompletionStatusEx(MemorySegment st, long port, MemorySegment entries, int count,
                                           MemorySegment removed, int millis) {
        try {
            return (int) Calls.GET_QUEUED_EX.invokeExact(st, port, entries, count, removed, millis, 0);
        } catch (Throwable t) {
            throw fail("GetQueuedCompletionStatusEx", t);
        }
    }

    static int postQueuedCompletionStatus(MemorySegment st, long port, int bytes, long key, long overlapped) {
        try {
            return (int) Calls.POST_QUEUED.invokeExact(st, port, bytes, key, overlapped);
        } catch (Throwable t) {
            throw fail("PostQueuedCompletionStatus", t);
        }
    }

    static int cancelIoEx(MemorySegment st, long file, long overlapped) {
        try {
            return (int) Calls.CANCEL_IO_EX.invokeExact(st, file, overlapped);
        } catch (Throwable t) {
            throw fail("CancelIoEx", t);
        }
    }

    static int closeHandle(MemorySegment st, long handle) {
        try {
            return (int) Calls.CLOSE_HANDLE.invokeExact(st, handle);
        } catch (Throwable t) {
            throw fail("CloseHandle", t);
        }
    }

    /** Reads a field of a segment laid out as {@link #OVERLAPPED_ENTRY} array element {@code i}. */
    static long entryKey(MemorySegment entries, int i) {
        return entries.get(JAVA_LONG, i * ENTRY_SIZE + ENTRY_KEY);
    }

    static long entryOverlapped(MemorySegment entries, int i) {
        return entries.get(JAVA_LONG, i * ENTRY_SIZE + ENTRY_OVERLAPPED);
    }

    /** dwNumberOfBytesTransferred, unsigned. */
    static long entryBytes(MemorySegment entries, int i) {
        return Integer.toUnsignedLong(entries.get(JAVA_INT, i * ENTRY_SIZE + ENTRY_BYTES));
    }

    /**
     * The NTSTATUS of a completed request: what the kernel left in its OVERLAPPED's
     * {@code Internal} (the IO_STATUS_BLOCK's Status, its low 32 bits), as GetOverlappedResult reads it.
     */
    static int overlappedStatus(MemorySegment overlapped) {
        return (int) overlapped.get(JAVA_LONG, OV_INTERNAL);
    }

    /**
     * Writes entry {@code i} (tests feed the loop exactly what GetQueuedCompletionStatusEx would
     * write). The reserved {@code Internal} is left alone: the loop must not depend on it.
     */
    static void writeEntry(MemorySegment entries, int i, long key, long overlapped, int bytes) {
        long base = i * ENTRY_SIZE;
        entries.set(JAVA_LONG, base + ENTRY_KEY, key);
        entries.set(JAVA_LONG, base + ENTRY_OVERLAPPED, overlapped);
        entries.set(JAVA_INT, base + ENTRY_BYTES, bytes);
    }

    /** Writes what the kernel writes into a request's OVERLAPPED when it completes (for tests, as above). */
    static void completeOverlapped(MemorySegment overlapped, int status, long bytes) {
        overlapped.set(JAVA_LONG, OV_INTERNAL, Integer.toUnsignedLong(status));
        overlapped.set(JAVA_LONG, OV_INTERNAL_HIGH, bytes);
    }

    /** Fills a WSABUF. */
    /** A WSABUF as {@link io.fasterapi.aio.core.Gather} fills it. */
    static final io.fasterapi.aio.core.Gather.Entry WSABUF_ENTRY =
            new io.fasterapi.aio.core.Gather.Entry(WSABUF.byteSize(), WSABUF_BUF, WSABUF_LEN, true);

    static void setWsabuf(MemorySegment wsabuf, long address, int length) {
        wsabuf.set(JAVA_INT, WSABUF_LEN, length);
        wsabuf.set(JAVA_LONG, WSABUF_BUF, address);
    }
}
