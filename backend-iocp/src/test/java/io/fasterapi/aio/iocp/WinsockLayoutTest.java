package io.fasterapi.aio.iocp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.UUID;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every Windows struct, constant and GUID this backend uses, against the values the Windows SDK
 * headers publish for x64 (no Windows compiler here: the expected numbers are written out, each
 * with its header and field).
 */
class WinsockLayoutTest {

    private static long off(StructLayout l, String field) {
        return l.byteOffset(groupElement(field));
    }

    @Test
    void overlappedMatchesMinwinbaseH() {
        StructLayout l = Winsock.OVERLAPPED;
        assertEquals(32, l.byteSize(), "sizeof(OVERLAPPED), x64");
        assertEquals(0, off(l, "Internal"), "OVERLAPPED.Internal (ULONG_PTR)");
        assertEquals(8, off(l, "InternalHigh"), "OVERLAPPED.InternalHigh (ULONG_PTR)");
        assertEquals(16, off(l, "Offset"), "OVERLAPPED.Offset (DWORD, in the union)");
        assertEquals(20, off(l, "OffsetHigh"), "OVERLAPPED.OffsetHigh (DWORD)");
        assertEquals(24, off(l, "hEvent"), "OVERLAPPED.hEvent (HANDLE)");
    }

    @Test
    void overlappedEntryMatchesMinwinbaseH() {
        StructLayout l = Winsock.OVERLAPPED_ENTRY;
        assertEquals(32, l.byteSize(), "sizeof(OVERLAPPED_ENTRY), x64 (24 + DWORD, padded to 8)");
        assertEquals(0, off(l, "lpCompletionKey"), "OVERLAPPED_ENTRY.lpCompletionKey (ULONG_PTR)");
        assertEquals(8, off(l, "lpOverlapped"), "OVERLAPPED_ENTRY.lpOverlapped (LPOVERLAPPED)");
        assertEquals(16, off(l, "Internal"), "OVERLAPPED_ENTRY.Internal (ULONG_PTR)");
        assertEquals(24, off(l, "dwNumberOfBytesTransferred"), "OVERLAPPED_ENTRY.dwNumberOfBytesTransferred (DWORD)");
        assertEquals(Winsock.ENTRY_SIZE, l.byteSize());
        assertEquals(8, l.byteAlignment());
    }

    @Test
    void wsabufMatchesWs2defH() {
        StructLayout l = Winsock.WSABUF;
        assertEquals(16, l.byteSize(), "sizeof(WSABUF), x64");
        assertEquals(0, off(l, "len"), "WSABUF.len (ULONG)");
        assertEquals(8, off(l, "buf"), "WSABUF.buf (CHAR FAR *), after 4 bytes of padding");
    }

    @Test
    void wsadataMatchesWinsock2HOnWin64() {
        StructLayout l = Winsock.WSADATA;
        assertEquals(408, l.byteSize(), "sizeof(WSADATA), _WIN64");
        assertEquals(0, off(l, "wVersion"), "WSADATA.wVersion (WORD)");
        assertEquals(2, off(l, "wHighVersion"), "WSADATA.wHighVersion (WORD)");
        assertEquals(4, off(l, "iMaxSockets"), "WSADATA.iMaxSockets (unsigned short; before the strings on _WIN64)");
        assertEquals(6, off(l, "iMaxUdpDg"), "WSADATA.iMaxUdpDg (unsigned short)");
        assertEquals(8, off(l, "lpVendorInfo"), "WSADATA.lpVendorInfo (char FAR *)");
        assertEquals(16, off(l, "szDescription"), "WSADATA.szDescription[WSADESCRIPTION_LEN+1]");
        assertEquals(273, off(l, "szSystemStatus"), "WSADATA.szSystemStatus[WSASYS_STATUS_LEN+1]");
        assertEquals(256, Winsock.WSADESCRIPTION_LEN, "WSADESCRIPTION_LEN (winsock2.h)");
        assertEquals(128, Winsock.WSASYS_STATUS_LEN, "WSASYS_STATUS_LEN (winsock2.h)");
    }

    @Test
    void guidMatchesGuiddefH() {
        StructLayout l = Winsock.GUID;
        assertEquals(16, l.byteSize(), "sizeof(GUID)");
        assertEquals(0, off(l, "Data1"), "GUID.Data1 (unsigned long)");
        assertEquals(4, off(l, "Data2"), "GUID.Data2 (unsigned short)");
        assertEquals(6, off(l, "Data3"), "GUID.Data3 (unsigned short)");
        assertEquals(8, off(l, "Data4"), "GUID.Data4 (unsigned char[8])");
    }

    @Test
    void sockaddrsMatchWs2defHAndWs2ipdefH() {
        StructLayout in = WinSockAddr.SOCKADDR_IN;
        assertEquals(16, in.byteSize(), "sizeof(SOCKADDR_IN) (ws2def.h)");
        assertEquals(0, off(in, "sin_family"), "SOCKADDR_IN.sin_family (ADDRESS_FAMILY; no sin_len on Windows)");
        assertEquals(2, off(in, "sin_port"), "SOCKADDR_IN.sin_port (USHORT)");
        assertEquals(4, off(in, "sin_addr"), "SOCKADDR_IN.sin_addr (IN_ADDR)");
        assertEquals(8, off(in, "sin_zero"), "SOCKADDR_IN.sin_zero (CHAR[8])");
        StructLayout in6 = WinSockAddr.SOCKADDR_IN6;
        assertEquals(28, in6.byteSize(), "sizeof(SOCKADDR_IN6) (ws2ipdef.h)");
        assertEquals(0, off(in6, "sin6_family"), "SOCKADDR_IN6.sin6_family");
        assertEquals(2, off(in6, "sin6_port"), "SOCKADDR_IN6.sin6_port");
        assertEquals(4, off(in6, "sin6_flowinfo"), "SOCKADDR_IN6.sin6_flowinfo (ULONG)");
        assertEquals(8, off(in6, "sin6_addr"), "SOCKADDR_IN6.sin6_addr (IN6_ADDR)");
        assertEquals(24, off(in6, "sin6_scope_id"), "SOCKADDR_IN6.sin6_scope_id (ULONG, in a union)");
        assertEquals(128, WinSockAddr.STORAGE_SIZE, "sizeof(SOCKADDR_STORAGE) (ws2def.h)");
    }

    @Test
    void theOperationBlockStartsWithItsOverlapped() {
        assertEquals(0, off(OverlappedTable.BLOCK, "overlapped"), "lpOverlapped is the block's address");
        assertEquals(64, OverlappedTable.BLOCK_SIZE);
        assertEquals(0, OverlappedTable.WSABUF % 8, "the WSABUF's pointer is aligned");
    }

    @Test
    void constantsMatchTheSdkHeaders() {
        // winsock2.h
        assertEquals(0x0202, Winsock.WINSOCK_VERSION_2_2, "MAKEWORD(2,2)");
        assertEquals(-1L, Winsock.INVALID_SOCKET, "INVALID_SOCKET (SOCKET)(~0)");
        assertEquals(-1, Winsock.SOCKET_ERROR, "SOCKET_ERROR");
        assertEquals(1, Winsock.SOCK_STREAM, "SOCK_STREAM");
        assertEquals(0xffff, Winsock.SOL_SOCKET, "SOL_SOCKET");
        assertEquals(0x0004, Winsock.SO_REUSEADDR, "SO_REUSEADDR");
        assertEquals(0xfffffffb, Winsock.SO_EXCLUSIVEADDRUSE, "SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))");
        assertEquals(0x1007, Winsock.SO_ERROR, "SO_ERROR");
        assertEquals(0, Winsock.SD_RECEIVE, "SD_RECEIVE");
        assertEquals(1, Winsock.SD_SEND, "SD_SEND");
        assertEquals(2, Winsock.SD_BOTH, "SD_BOTH");
        assertEquals(0x01, Winsock.WSA_FLAG_OVERLAPPED, "WSA_FLAG_OVERLAPPED");
        assertEquals(0x80, Winsock.WSA_FLAG_NO_HANDLE_INHERIT, "WSA_FLAG_NO_HANDLE_INHERIT");
        assertEquals(0x8004667E, Winsock.FIONBIO, "FIONBIO _IOW('f',126,u_long)");
        // ws2def.h
        assertEquals(2, Winsock.AF_INET, "AF_INET");
        assertEquals(23, Winsock.AF_INET6, "AF_INET6");
        assertEquals(6, Winsock.IPPROTO_TCP, "IPPROTO_TCP");
        assertEquals(41, Winsock.IPPROTO_IPV6, "IPPROTO_IPV6");
        assertEquals(0x0001, Winsock.TCP_NODELAY, "TCP_NODELAY");
        assertEquals(0xC8000006, Winsock.SIO_GET_EXTENSION_FUNCTION_POINTER, "SIO_GET_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2,6)");
        // ws2ipdef.h
        assertEquals(27, Winsock.IPV6_V6ONLY, "IPV6_V6ONLY");
        // mswsock.h
        assertEquals(0x700B, Winsock.SO_UPDATE_ACCEPT_CONTEXT, "SO_UPDATE_ACCEPT_CONTEXT");
        assertEquals(0x7010, Winsock.SO_UPDATE_CONNECT_CONTEXT, "SO_UPDATE_CONNECT_CONTEXT");
        // handleapi.h / winbase.h
        assertEquals(-1L, Winsock.INVALID_HANDLE_VALUE, "INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)");
        assertEquals(0xFFFFFFFF, Winsock.INFINITE, "INFINITE");
        // winerror.h
        assertEquals(997, WindowsErrors.ERROR_IO_PENDING, "ERROR_IO_PENDING (== WSA_IO_PENDING)");
        assertEquals(258, WindowsErrors.WAIT_TIMEOUT, "WAIT_TIMEOUT");
        assertEquals(1168, WindowsErrors.ERROR_NOT_FOUND, "ERROR_NOT_FOUND");
        assertEquals(995, WindowsErrors.ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED");
        // ntstatus.h
        assertEquals(0x00000103, WindowsErrors.STATUS_PENDING, "STATUS_PENDING");
        assertEquals(0xC0000120, WindowsErrors.STATUS_CANCELLED, "STATUS_CANCELLED");
        assertEquals(0xC000020D, WindowsErrors.STATUS_CONNECTION_RESET, "STATUS_CONNECTION_RESET");
        assertEquals(0xC0000236, WindowsErrors.STATUS_CONNECTION_REFUSED, "STATUS_CONNECTION_REFUSED");
        assertEquals(0xC0000241, WindowsErrors.STATUS_CONNECTION_ABORTED, "STATUS_CONNECTION_ABORTED");
    }

    /** The GUID written in memory must be the bytes of the SDK's textual form (Data1-3 little-endian). */
    private static void assertGuid(String sdkText, Winsock.Guid guid) {
        UUID u = UUID.fromString(sdkText);
        assertEquals((int) (u.getMostSignificantBits() >>> 32), guid.data1(), sdkText + " Data1");
        assertEquals((short) (u.getMostSignificantBits() >>> 16), guid.data2(), sdkText + " Data2");
        assertEquals((short) u.getMostSignificantBits(), guid.data3(), sdkText + " Data3");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Winsock.GUID);
            guid.writeTo(m);
            String hex = sdkText.replace("-", "");
            byte[] expected = HexFormat.of().parseHex(
                    hex.substring(6, 8) + hex.substring(4, 6) + hex.substring(2, 4) + hex.substring(0, 2)
                            + hex.substring(10, 12) + hex.substring(8, 10) + hex.substring(14, 16) + hex.substring(12, 14)
                            + hex.substring(16));
            assertArrayEquals(expected, m.toArray(JAVA_BYTE), sdkText + " in memory");
        }
    }

    @Test
    void extensionFunctionGuidsMatchMswsockH() {
        assertGuid("b5367df1-cbac-11cf-95ca-00805f48a192", Winsock.WSAID_ACCEPTEX);
        assertGuid("25a207b9-ddf3-4660-8ee9-76e58c74063e", Winsock.WSAID_CONNECTEX);
        assertGuid("b5367df2-cbac-11cf-95ca-00805f48a192", Winsock.WSAID_GETACCEPTEXSOCKADDRS);
    }

    @Test
    void sockaddrsEncodeWithWindowsFamiliesAndNetworkOrder() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(WinSockAddr.STORAGE_SIZE);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 0x1234);
            assertEquals(16, WinSockAddr.encode(v4, m));
            assertArrayEquals(new byte[] {2, 0, 0x12, 0x34, (byte) 192, 0, 2, 7}, m.asSlice(0, 8).toArray(JAVA_BYTE));
            assertEquals(v4, WinSockAddr.decode(m));
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);
            assertEquals(28, WinSockAddr.encode(v6, m));
            assertArrayEquals(new byte[] {23, 0, 0x01, (byte) 0xbb}, m.asSlice(0, 4).toArray(JAVA_BYTE));
            assertEquals(v6, WinSockAddr.decode(m));
            assertEquals(28, WinSockAddr.encodeWildcard(Winsock.AF_INET6, m));
            assertEquals(new InetSocketAddress(InetAddress.getByName("::"), 0), WinSockAddr.decode(m));
        }
    }

    /**
     * Each downcall's C signature links (on the OS at hand, with errno captured in place of the
     * Windows error state): the descriptors are well-formed and the call-state and target-address
     * parameters land where the binding passes them.
     */
    @Test
    void everyDescriptorLinks() { // descriptors only, no symbol: links on any OS
        Linker linker = Linker.nativeLinker();
        Linker.Option capture = Linker.Option.captureCallState("errno");
        assertEquals(19, Winsock.FUNCTIONS.size());
        for (Winsock.Function f : Winsock.FUNCTIONS.values()) {
            MethodHandle h = linker.downcallHandle(f.descriptor(), capture);
            assertEquals(f.descriptor().argumentLayouts().size() + 2, h.type().parameterCount(), f.name());
        }
        for (FunctionDescriptor fd : new FunctionDescriptor[] {Winsock.ACCEPT_EX, Winsock.CONNECT_EX, Winsock.GET_ACCEPT_EX_SOCKADDRS}) {
            MethodHandle h = linker.downcallHandle(fd, capture);
            assertEquals(MemorySegment.class, h.type().parameterType(0), "the function's address comes first");
            assertEquals(MemorySegment.class, h.type().parameterType(1), "then the call state");
        }
    }

    /**
     * Loading the class for its layouts touches no DLL: the bindings link on first use, which
     * works on Windows and fails (without breaking the layouts) anywhere else.
     */
    @Test
    void nothingLoadsUntilTheFirstCall() {
        assertEquals(32, Winsock.OVERLAPPED.byteSize()); // the class is initialised
        if (OS.WINDOWS.isCurrentOs()) {
            assertTrue(Winsock.callStateLayout().memberLayouts().stream()
                    .anyMatch(m -> m.name().orElse("").equals("GetLastError")), "the Windows call state has GetLastError");
        } else {
            assertThrows(ExceptionInInitializerError.class, Winsock::callStateLayout,
                    "the Windows call state (GetLastError) exists only on Windows");
        }
        MemoryLayout unused = Winsock.WSADATA; // usable whatever the link did
        assertEquals(408, unused.byteSize());
    }
}
