package io.fasterapi.aio.iocp;

import io.fasterapi.aio.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Windows error numbers (as winerror.h and ntstatus.h publish them) onto the portable names. */
class WindowsErrorsTest {

    @ParameterizedTest(name = "{0} ({1}) -> {2}")
    @CsvSource({
            // winerror.h, Winsock (WSABASEERR + n)
            "WSAEINTR, 10004, EINTR",
            "WSAEBADF, 10009, EBADF",
            "WSAEACCES, 10013, EACCES",
            "WSAEFAULT, 10014, EFAULT",
            "WSAEINVAL, 10022, EINVAL",
            "WSAEMFILE, 10024, EMFILE",
            "WSAEWOULDBLOCK, 10035, EAGAIN",
            "WSAEINPROGRESS, 10036, EINPROGRESS",
            "WSAEALREADY, 10037, EALREADY",
            "WSAENOTSOCK, 10038, ENOTSOCK",
            "WSAEDESTADDRREQ, 10039, EDESTADDRREQ",
            "WSAEMSGSIZE, 10040, EMSGSIZE",
            "WSAEPROTOTYPE, 10041, EPROTOTYPE",
            "WSAENOPROTOOPT, 10042, ENOPROTOOPT",
            "WSAEPROTONOSUPPORT, 10043, EPROTONOSUPPORT",
            "WSAESOCKTNOSUPPORT, 10044, EPROTONOSUPPORT",
            "WSAEOPNOTSUPP, 10045, EOPNOTSUPP",
            "WSAEPFNOSUPPORT, 10046, EAFNOSUPPORT",
            "WSAEAFNOSUPPORT, 10047, EAFNOSUPPORT",
            "WSAEADDRINUSE, 10048, EADDRINUSE",
            "WSAEADDRNOTAVAIL, 10049, EADDRNOTAVAIL",
            "WSAENETDOWN, 10050, ENETDOWN",
            "WSAENETUNREACH, 10051, ENETUNREACH",
            "WSAENETRESET, 10052, ENETRESET",
            "WSAECONNABORTED, 10053, ECONNABORTED",
            "WSAECONNRESET, 10054, ECONNRESET",
            "WSAENOBUFS, 10055, ENOBUFS",
            "WSAEISCONN, 10056, EISCONN",
            "WSAENOTCONN, 10057, ENOTCONN",
            "WSAESHUTDOWN, 10058, ESHUTDOWN",
            "WSAETIMEDOUT, 10060, ETIMEDOUT",
            "WSAECONNREFUSED, 10061, ECONNREFUSED",
            "WSAEHOSTDOWN, 10064, EHOSTDOWN",
            "WSAEHOSTUNREACH, 10065, EHOSTUNREACH",
            "WSAEPROCLIM, 10067, EMFILE",
            "WSASYSNOTREADY, 10091, ENETDOWN",
            "WSAVERNOTSUPPORTED, 10092, ENOSYS",
            "WSANOTINITIALISED, 10093, EINVAL",
            "WSAEDISCON, 10101, EPIPE",
            "WSAECANCELLED, 10103, ECANCELED",
            // winerror.h, Win32 (what GetOverlappedResult / GetLastError report)
            "ERROR_FILE_NOT_FOUND, 2, ENOENT",
            "ERROR_ACCESS_DENIED, 5, EACCES",
            "ERROR_INVALID_HANDLE, 6, EBADF",
            "ERROR_NOT_ENOUGH_MEMORY, 8, ENOMEM",
            "ERROR_OUTOFMEMORY, 14, ENOMEM",
            "ERROR_NOT_SUPPORTED, 50, EOPNOTSUPP",
            "ERROR_NETNAME_DELETED, 64, ECONNRESET",
            "ERROR_INVALID_PARAMETER, 87, EINVAL",
            "ERROR_BROKEN_PIPE, 109, EPIPE",
            "ERROR_SEM_TIMEOUT, 121, ETIMEDOUT",
            "ERROR_INSUFFICIENT_BUFFER, 122, ENOBUFS",
            "ERROR_OPERATION_ABORTED, 995, ECANCELED",
            "ERROR_IO_PENDING, 997, EINPROGRESS",
            "ERROR_NOT_FOUND, 1168, ENOENT",
            "ERROR_CONNECTION_REFUSED, 1225, ECONNREFUSED",
            "ERROR_GRACEFUL_DISCONNECT, 1226, EPIPE",
            "ERROR_ADDRESS_ALREADY_ASSOCIATED, 1227, EADDRINUSE",
            "ERROR_NETWORK_UNREACHABLE, 1231, ENETUNREACH",
            "ERROR_HOST_UNREACHABLE, 1232, EHOSTUNREACH",
            "ERROR_PROTOCOL_UNREACHABLE, 1233, ECONNREFUSED",
            "ERROR_PORT_UNREACHABLE, 1234, ECONNREFUSED",
            "ERROR_REQUEST_ABORTED, 1235, ECANCELED",
            "ERROR_CONNECTION_ABORTED, 1236, ECONNABORTED",
            "ERROR_NO_SYSTEM_RESOURCES, 1450, ENOBUFS",
            "ERROR_TIMEOUT, 1460, ETIMEDOUT",
    })
    void windowsErrorMapsToItsPortableName(String name, int code, Errno expected) throws Exception {
        assertEquals(code, WindowsErrors.class.getDeclaredField(name).getInt(null), name + " has its winerror.h value");
        assertEquals(expected, WindowsErrors.errno(code), name);
        assertEquals(-expected.code(), WindowsErrors.result(code));
    }

    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource({
            // ntstatus.h value, the Win32 error RtlNtStatusToDosError gives, the portable name
            "STATUS_CANCELLED, 0xC0000120, 995, ECANCELED",
            "STATUS_CONNECTION_RESET, 0xC000020D, 64, ECONNRESET",
            "STATUS_LOCAL_DISCONNECT, 0xC000013B, 64, ECONNRESET",
            "STATUS_REMOTE_DISCONNECT, 0xC000013C, 64, ECONNRESET",
            "STATUS_CONNECTION_REFUSED, 0xC0000236, 1225, ECONNREFUSED",
            "STATUS_CONNECTION_ABORTED, 0xC0000241, 1236, ECONNABORTED",
            "STATUS_GRACEFUL_DISCONNECT, 0xC0000237, 1226, EPIPE",
            "STATUS_IO_TIMEOUT, 0xC00000B5, 121, ETIMEDOUT",
            "STATUS_NETWORK_UNREACHABLE, 0xC000023C, 1231, ENETUNREACH",
            "STATUS_HOST_UNREACHABLE, 0xC000023D, 1232, EHOSTUNREACH",
            "STATUS_PROTOCOL_UNREACHABLE, 0xC000023E, 1233, ECONNREFUSED",
            "STATUS_PORT_UNREACHABLE, 0xC000023F, 1234, ECONNREFUSED",
            "STATUS_REQUEST_ABORTED, 0xC0000240, 1235, ECANCELED",
            "STATUS_ADDRESS_ALREADY_ASSOCIATED, 0xC0000238, 1227, EADDRINUSE",
            "STATUS_INSUFFICIENT_RESOURCES, 0xC000009A, 1450, ENOBUFS",
            "STATUS_NO_MEMORY, 0xC0000017, 8, ENOMEM",
            "STATUS_PIPE_BROKEN, 0xC000014B, 109, EPIPE",
    })
    void failedRequestStatusMapsThroughItsWin32Error(String name, String hex, int win32, Errno expected) throws Exception {
        int status = Integer.parseUnsignedInt(hex.substring(2), 16);
        assertEquals(status, WindowsErrors.class.getDeclaredField(name).getInt(null), name + " has its ntstatus.h value");
        assertFalse(WindowsErrors.succeeded(status));
        assertEquals(win32, WindowsErrors.win32OfStatus(status), name);
        assertEquals(-expected.code(), WindowsErrors.resultOfStatus(status), name);
    }

    @Test
    void successStatusesAreNtSuccess() {
        assertTrue(WindowsErrors.succeeded(WindowsErrors.STATUS_SUCCESS));
        assertTrue(WindowsErrors.succeeded(WindowsErrors.STATUS_PENDING));
    }

    @Test
    void anUnknownErrorIsEio() {
        assertEquals(Errno.EIO, WindowsErrors.errno(12345));
        assertEquals(317, WindowsErrors.win32OfStatus(0xC0FFEE00), "ERROR_MR_MID_NOT_FOUND, as Windows answers");
        assertEquals(Errno.EIO.result(), WindowsErrors.resultOfStatus(0xC0FFEE00));
    }

    @Test
    void everyTableEntryIsTestedAbove() {
        assertEquals(65, WindowsErrors.table().size(), "a new mapping needs a row in windowsErrorMapsToItsPortableName");
        assertEquals(17, WindowsErrors.statusTable().size(), "a new status needs a row in failedRequestStatusMapsThroughItsWin32Error");
    }
}
