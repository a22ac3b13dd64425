package io.fasterapi.aio.iocp;

import io.fasterapi.aio.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Windows errors onto the portable names. The numbers are the headers' (winerror.h, ntstatus.h,
 * as the mingw-w64 cross compiler reads them: {@link WindowsHeaders}), never typed here; the
 * NTSTATUS → Win32 pairs are RtlNtStatusToDosError's (ntdll's table, in no header).
 */
class WindowsErrorsTest {

    /** The header's value of a macro; every WindowsErrors constant's name is asked in one compile. */
    private static int header(String macro) {
        List<String> names = new ArrayList<>(List.of(macro));
        for (Field f : WindowsErrors.class.getDeclaredFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) names.add(f.getName());
        }
        return (int) (long) WindowsHeaders.values(names).get(macro);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // winerror.h, Winsock (WSABASEERR + n)
            "WSAEINTR, EINTR",
            "WSAEBADF, EBADF",
            "WSAEACCES, EACCES",
            "WSAEFAULT, EFAULT",
            "WSAEINVAL, EINVAL",
            "WSAEMFILE, EMFILE",
            "WSAEWOULDBLOCK, EAGAIN",
            "WSAEINPROGRESS, EINPROGRESS",
            "WSAEALREADY, EALREADY",
            "WSAENOTSOCK, ENOTSOCK",
            "WSAEDESTADDRREQ, EDESTADDRREQ",
            "WSAEMSGSIZE, EMSGSIZE",
            "WSAEPROTOTYPE, EPROTOTYPE",
            "WSAENOPROTOOPT, ENOPROTOOPT",
            "WSAEPROTONOSUPPORT, EPROTONOSUPPORT",
            "WSAESOCKTNOSUPPORT, EPROTONOSUPPORT",
            "WSAEOPNOTSUPP, EOPNOTSUPP",
            "WSAEPFNOSUPPORT, EAFNOSUPPORT",
            "WSAEAFNOSUPPORT, EAFNOSUPPORT",
            "WSAEADDRINUSE, EADDRINUSE",
            "WSAEADDRNOTAVAIL, EADDRNOTAVAIL",
            "WSAENETDOWN, ENETDOWN",
            "WSAENETUNREACH, ENETUNREACH",
            "WSAENETRESET, ENETRESET",
            "WSAECONNABORTED, ECONNABORTED",
            "WSAECONNRESET, ECONNRESET",
            "WSAENOBUFS, ENOBUFS",
            "WSAEISCONN, EISCONN",
            "WSAENOTCONN, ENOTCONN",
            "WSAESHUTDOWN, ESHUTDOWN",
            "WSAETIMEDOUT, ETIMEDOUT",
            "WSAECONNREFUSED, ECONNREFUSED",
            "WSAEHOSTDOWN, EHOSTDOWN",
            "WSAEHOSTUNREACH, EHOSTUNREACH",
            "WSAEPROCLIM, EMFILE",
            "WSASYSNOTREADY, ENETDOWN",
            "WSAVERNOTSUPPORTED, ENOSYS",
            "WSANOTINITIALISED, EINVAL",
            "WSAEDISCON, EPIPE",
            "WSAECANCELLED, ECANCELED",
            // winerror.h, Win32 (what GetOverlappedResult / GetLastError report)
            "ERROR_FILE_NOT_FOUND, ENOENT",
            "ERROR_ACCESS_DENIED, EACCES",
            "ERROR_INVALID_HANDLE, EBADF",
            "ERROR_NOT_ENOUGH_MEMORY, ENOMEM",
            "ERROR_OUTOFMEMORY, ENOMEM",
            "ERROR_NOT_SUPPORTED, EOPNOTSUPP",
            "ERROR_NETNAME_DELETED, ECONNRESET",
            "ERROR_INVALID_PARAMETER, EINVAL",
            "ERROR_BROKEN_PIPE, EPIPE",
            "ERROR_SEM_TIMEOUT, ETIMEDOUT",
            "ERROR_INSUFFICIENT_BUFFER, ENOBUFS",
            "ERROR_OPERATION_ABORTED, ECANCELED",
            "ERROR_IO_PENDING, EINPROGRESS",
            "ERROR_NOT_FOUND, ENOENT",
            "ERROR_CONNECTION_REFUSED, ECONNREFUSED",
            "ERROR_GRACEFUL_DISCONNECT, EPIPE",
            "ERROR_ADDRESS_ALREADY_ASSOCIATED, EADDRINUSE",
            "ERROR_NETWORK_UNREACHABLE, ENETUNREACH",
            "ERROR_HOST_UNREACHABLE, EHOSTUNREACH",
            "ERROR_PROTOCOL_UNREACHABLE, ECONNREFUSED",
            "ERROR_PORT_UNREACHABLE, ECONNREFUSED",
            "ERROR_REQUEST_ABORTED, ECANCELED",
            "ERROR_CONNECTION_ABORTED, ECONNABORTED",
            "ERROR_NO_SYSTEM_RESOURCES, ENOBUFS",
            "ERROR_TIMEOUT, ETIMEDOUT",
    })
    void windowsErrorMapsToItsPortableName(String name, Errno expected) throws Exception {
        int code = header(name);
        assertEquals(code, WindowsErrors.class.getDeclaredField(name).getInt(null), name + " has its winerror.h value");
        assertEquals(expected, WindowsErrors.errno(code), name);
        assertEquals(-expected.code(), WindowsErrors.result(code));
    }

    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource({
            // ntstatus.h name, the Win32 error RtlNtStatusToDosError gives (winerror.h), the portable name
            "STATUS_CANCELLED, ERROR_OPERATION_ABORTED, ECANCELED",
            "STATUS_CONNECTION_RESET, ERROR_NETNAME_DELETED, ECONNRESET",
            "STATUS_LOCAL_DISCONNECT, ERROR_NETNAME_DELETED, ECONNRESET",
            "STATUS_REMOTE_DISCONNECT, ERROR_NETNAME_DELETED, ECONNRESET",
            "STATUS_CONNECTION_REFUSED, ERROR_CONNECTION_REFUSED, ECONNREFUSED",
            "STATUS_CONNECTION_ABORTED, ERROR_CONNECTION_ABORTED, ECONNABORTED",
            "STATUS_GRACEFUL_DISCONNECT, ERROR_GRACEFUL_DISCONNECT, EPIPE",
            "STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT, ETIMEDOUT",
            "STATUS_NETWORK_UNREACHABLE, ERROR_NETWORK_UNREACHABLE, ENETUNREACH",
            "STATUS_HOST_UNREACHABLE, ERROR_HOST_UNREACHABLE, EHOSTUNREACH",
            "STATUS_PROTOCOL_UNREACHABLE, ERROR_PROTOCOL_UNREACHABLE, ECONNREFUSED",
            "STATUS_PORT_UNREACHABLE, ERROR_PORT_UNREACHABLE, ECONNREFUSED",
            "STATUS_REQUEST_ABORTED, ERROR_REQUEST_ABORTED, ECANCELED",
            "STATUS_ADDRESS_ALREADY_ASSOCIATED, ERROR_ADDRESS_ALREADY_ASSOCIATED, EADDRINUSE",
            "STATUS_INSUFFICIENT_RESOURCES, ERROR_NO_SYSTEM_RESOURCES, ENOBUFS",
            "STATUS_NO_MEMORY, ERROR_NOT_ENOUGH_MEMORY, ENOMEM",
            "STATUS_PIPE_BROKEN, ERROR_BROKEN_PIPE, EPIPE",
    })
    void failedRequestStatusMapsThroughItsWin32Error(String name, String win32Name, Errno expected) throws Exception {
        int status = header(name);
        int win32 = header(win32Name);
        assertEquals(status, WindowsErrors.class.getDeclaredField(name).getInt(null), name + " has its ntstatus.h value");
        assertFalse(WindowsErrors.succeeded(status));
        assertEquals(win32, WindowsErrors.win32OfStatus(status), name);
        assertEquals(-expected.code(), WindowsErrors.resultOfStatus(status), name);
    }

    @Test
    void successStatusesAreNtSuccess() {
        assertTrue(WindowsErrors.succeeded(header("STATUS_SUCCESS")));
        assertTrue(WindowsErrors.succeeded(header("STATUS_PENDING")));
    }

    @Test
    void anUnknownErrorIsEio() {
        assertEquals(Errno.EIO, WindowsErrors.errno(12345));
        assertEquals(header("ERROR_MR_MID_NOT_FOUND"), WindowsErrors.win32OfStatus(0xC0FFEE00), "as Windows answers");
        assertEquals(Errno.EIO.result(), WindowsErrors.resultOfStatus(0xC0FFEE00));
    }

    @Test
    void everyTableEntryIsTestedAbove() {
        assertEquals(65, WindowsErrors.table().size(), "a new mapping needs a row in windowsErrorMapsToItsPortableName");
        assertEquals(17, WindowsErrors.statusTable().size(), "a new status needs a row in failedRequestStatusMapsThroughItsWin32Error");
    }
}
