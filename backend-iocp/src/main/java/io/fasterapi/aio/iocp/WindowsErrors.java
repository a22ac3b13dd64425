package io.fasterapi.aio.iocp;

import io.fasterapi.aio.Errno;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Windows errors onto the portable {@link Errno} names, in one table.
 *
 * <p>Two kinds of number reach the loop. A call that fails at once reports a Win32 or Winsock
 * error ({@code GetLastError} / {@code WSAGetLastError}, winerror.h). A request that fails in the
 * kernel reports an NTSTATUS (ntstatus.h) in its OVERLAPPED's {@code Internal}; it is first
 * turned into the Win32 error {@code GetOverlappedResult} would give (as
 * {@code RtlNtStatusToDosError} maps it: a reset connection is ERROR_NETNAME_DELETED), then mapped
 * like the others. A number with no entry maps to {@link Errno#EIO}.
 */
final class WindowsErrors {
    // ---- winerror.h: Win32 errors -----------------------------------------------------------------
    static final int ERROR_FILE_NOT_FOUND = 2;
    static final int ERROR_ACCESS_DENIED = 5;
    static final int ERROR_INVALID_HANDLE = 6;          // == WSA_INVALID_HANDLE
    static final int ERROR_NOT_ENOUGH_MEMORY = 8;       // == WSA_NOT_ENOUGH_MEMORY
    static final int ERROR_OUTOFMEMORY = 14;
    static final int ERROR_NOT_SUPPORTED = 50;
    static final int ERROR_NETNAME_DELETED = 64;
    static final int ERROR_INVALID_PARAMETER = 87;      // == WSA_INVALID_PARAMETER
    static final int ERROR_BROKEN_PIPE = 109;
    static final int ERROR_SEM_TIMEOUT = 121;
    static final int ERROR_INSUFFICIENT_BUFFER = 122;
    /** What RtlNtStatusToDosError answers for a status it has no entry for. */
    static final int ERROR_MR_MID_NOT_FOUND = 317;
    /** GetQueuedCompletionStatusEx: nothing arrived before the timeout. */
    static final int WAIT_TIMEOUT = 258;
    static final int ERROR_OPERATION_ABORTED = 995;     // == WSA_OPERATION_ABORTED
    static final int ERROR_IO_PENDING = 997;            // == WSA_IO_PENDING
    /** CancelIoEx: no such request (it completed already; its packet is queued). */
    static final int ERROR_NOT_FOUND = 1168;
    static final int ERROR_CONNECTION_REFUSED = 1225;
    static final int ERROR_GRACEFUL_DISCONNECT = 1226;
    static final int ERROR_ADDRESS_ALREADY_ASSOCIATED = 1227;
    static final int ERROR_NETWORK_UNREACHABLE = 1231;
    static final int ERROR_HOST_UNREACHABLE = 1232;
    static final int ERROR_PROTOCOL_UNREACHABLE = 1233;
    static final int ERROR_PORT_UNREACHABLE = 1234;
    static final int ERROR_REQUEST_ABORTED = 1235;
    static final int ERROR_CONNECTION_ABORTED = 1236;
    static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    static final int ERROR_TIMEOUT = 1460;

    // ---- winerror.h: Winsock errors (WSABASEERR 10000) --------------------------------------------
    static final int WSAEINTR = 10004;
    static final int WSAEBADF = 10009;
    static final int WSAEACCES = 10013;
    static final int WSAEFAULT = 10014;
    static final int WSAEINVAL = 10022;
    static final int WSAEMFILE = 10024;
    static final int WSAEWOULDBLOCK = 10035;
    static final int WSAEINPROGRESS = 10036;
    static final int WSAEALREADY = 10037;
    static final int WSAENOTSOCK = 10038;
    static final int WSAEDESTADDRREQ = 10039;
    static final int WSAEMSGSIZE = 10040;
    static final int WSAEPROTOTYPE = 10041;
    static final int WSAENOPROTOOPT = 10042;
    static final int WSAEPROTONOSUPPORT = 10043;
    static final int WSAESOCKTNOSUPPORT = 10044;
    static final int WSAEOPNOTSUPP = 10045;
    static final int WSAEPFNOSUPPORT = 10046;
    static final int WSAEAFNOSUPPORT = 10047;
    static final int WSAEADDRINUSE = 10048;
    static final int WSAEADDRNOTAVAIL = 10049;
    static final int WSAENETDOWN = 10050;
    static final int WSAENETUNREACH = 10051;
    static final int WSAENETRESET = 10052;
    static final int WSAECONNABORTED = 10053;
    static final int WSAECONNRESET = 10054;
    static final int WSAENOBUFS = 10055;
    static final int WSAEISCONN = 10056;
    static final int WSAENOTCONN = 10057;
    static final int WSAESHUTDOWN = 10058;
    static final int WSAETIMEDOUT = 10060;
    static final int WSAECONNREFUSED = 10061;
    static final int WSAEHOSTDOWN = 10064;
    static final int WSAEHOSTUNREACH = 10065;
    static final int WSAEPROCLIM = 10067;
    static final int WSASYSNOTREADY = 10091;
    static final int WSAVERNOTSUPPORTED = 10092;
    static final int WSANOTINITIALISED = 10093;
    static final int WSAEDISCON = 10101;
    static final int WSAECANCELLED = 10103;

    // ---- ntstatus.h: the statuses socket requests complete with -----------------------------------
    static final int STATUS_SUCCESS = 0x00000000;
    static final int STATUS_NO_MEMORY = 0xC0000017;
    static final int STATUS_INSUFFICIENT_RESOURCES = 0xC000009A;
    static final int STATUS_PIPE_BROKEN = 0xC000014B;
    static final int STATUS_IO_TIMEOUT = 0xC00000B5;
    static final int STATUS_CANCELLED = 0xC0000120;
    /** A warning, not a failure: a datagram longer than the buffer, cut to it (WSAEMSGSIZE to Winsock's callers). */
    static final int STATUS_BUFFER_OVERFLOW = 0x80000005;
    static final int STATUS_LOCAL_DISCONNECT = 0xC000013B;
    static final int STATUS_REMOTE_DISCONNECT = 0xC000013C;
    static final int STATUS_CONNECTION_RESET = 0xC000020D;
    static final int STATUS_CONNECTION_REFUSED = 0xC0000236;
    static final int STATUS_GRACEFUL_DISCONNECT = 0xC0000237;
    static final int STATUS_ADDRESS_ALREADY_ASSOCIATED = 0xC0000238;
    static final int STATUS_NETWORK_UNREACHABLE = 0xC000023C;
    static final int STATUS_HOST_UNREACHABLE = 0xC000023D;
    static final int STATUS_PROTOCOL_UNREACHABLE = 0xC000023E;
    static final int STATUS_PORT_UNREACHABLE = 0xC000023F;
    static final int STATUS_REQUEST_ABORTED = 0xC0000240;
    static final int STATUS_CONNECTION_ABORTED = 0xC0000241;

    /** Win32 and Winsock error → portable error. */
    private static final Map<Integer, Errno> ERRNO = new LinkedHashMap<>();
    /** NTSTATUS → the Win32 error RtlNtStatusToDosError gives for it. */
    private static final Map<Integer, Integer> WIN32 = new LinkedHashMap<>();

    static {
        map(ERROR_FILE_NOT_FOUND, Errno.ENOENT);
        map(ERROR_ACCESS_DENIED, Errno.EACCES);
        map(ERROR_INVALID_HANDLE, Errno.EBADF);
        map(ERROR_NOT_ENOUGH_MEMORY, Errno.ENOMEM);
        map(ERROR_OUTOFMEMORY, Errno.ENOMEM);
        map(ERROR_NOT_SUPPORTED, Errno.EOPNOTSUPP);
        map(ERROR_NETNAME_DELETED, Errno.ECONNRESET);
        map(ERROR_INVALID_PARAMETER, Errno.EINVAL);
        map(ERROR_BROKEN_PIPE, Errno.EPIPE);
        map(ERROR_SEM_TIMEOUT, Errno.ETIMEDOUT);
        map(ERROR_INSUFFICIENT_BUFFER, Errno.ENOBUFS);
        map(ERROR_OPERATION_ABORTED, Errno.ECANCELED);
        map(ERROR_IO_PENDING, Errno.EINPROGRESS);
        map(ERROR_NOT_FOUND, Errno.ENOENT);
        map(ERROR_CONNECTION_REFUSED, Errno.ECONNREFUSED);
        map(ERROR_GRACEFUL_DISCONNECT, Errno.EPIPE);
        map(ERROR_ADDRESS_ALREADY_ASSOCIATED, Errno.EADDRINUSE);
        map(ERROR_NETWORK_UNREACHABLE, Errno.ENETUNREACH);
        map(ERROR_HOST_UNREACHABLE, Errno.EHOSTUNREACH);
        map(ERROR_PROTOCOL_UNREACHABLE, Errno.ECONNREFUSED);
        map(ERROR_PORT_UNREACHABLE, Errno.ECONNREFUSED);
        map(ERROR_REQUEST_ABORTED, Errno.ECANCELED);
        map(ERROR_CONNECTION_ABORTED, Errno.ECONNABORTED);
        map(ERROR_NO_SYSTEM_RESOURCES, Errno.ENOBUFS);
        map(ERROR_TIMEOUT, Errno.ETIMEDOUT);

        map(WSAEINTR, Errno.EINTR);
        map(WSAEBADF, Errno.EBADF);
        map(WSAEACCES, Errno.EACCES);
        map(WSAEFAULT, Errno.EFAULT);
        map(WSAEINVAL, Errno.EINVAL);
        map(WSAEMFILE, Errno.EMFILE);
        map(WSAEWOULDBLOCK, Errno.EAGAIN);
        map(WSAEINPROGRESS, Errno.EINPROGRESS);
        map(WSAEALREADY, Errno.EALREADY);
        map(WSAENOTSOCK, Errno.ENOTSOCK);
        map(WSAEDESTADDRREQ, Errno.EDESTADDRREQ);
        map(WSAEMSGSIZE, Errno.EMSGSIZE);
        map(WSAEPROTOTYPE, Errno.EPROTOTYPE);
        map(WSAENOPROTOOPT, Errno.ENOPROTOOPT);
        map(WSAEPROTONOSUPPORT, Errno.EPROTONOSUPPORT);
        map(WSAESOCKTNOSUPPORT, Errno.EPROTONOSUPPORT);
        map(WSAEOPNOTSUPP, Errno.EOPNOTSUPP);
        map(WSAEPFNOSUPPORT, Errno.EAFNOSUPPORT);
        map(WSAEAFNOSUPPORT, Errno.EAFNOSUPPORT);
        map(WSAEADDRINUSE, Errno.EADDRINUSE);
        map(WSAEADDRNOTAVAIL, Errno.EADDRNOTAVAIL);
        map(WSAENETDOWN, Errno.ENETDOWN);
        map(WSAENETUNREACH, Errno.ENETUNREACH);
        map(WSAENETRESET, Errno.ENETRESET);
        map(WSAECONNABORTED, Errno.ECONNABORTED);
        map(WSAECONNRESET, Errno.ECONNRESET);
        map(WSAENOBUFS, Errno.ENOBUFS);
        map(WSAEISCONN, Errno.EISCONN);
        map(WSAENOTCONN, Errno.ENOTCONN);
        map(WSAESHUTDOWN, Errno.ESHUTDOWN);
        map(WSAETIMEDOUT, Errno.ETIMEDOUT);
        map(WSAECONNREFUSED, Errno.ECONNREFUSED);
        map(WSAEHOSTDOWN, Errno.EHOSTDOWN);
        map(WSAEHOSTUNREACH, Errno.EHOSTUNREACH);
        map(WSAEPROCLIM, Errno.EMFILE);
        map(WSASYSNOTREADY, Errno.ENETDOWN);
        map(WSAVERNOTSUPPORTED, Errno.ENOSYS);
        map(WSANOTINITIALISED, Errno.EINVAL);
        map(WSAEDISCON, Errno.EPIPE);
        map(WSAECANCELLED, Errno.ECANCELED);

        status(STATUS_NO_MEMORY, ERROR_NOT_ENOUGH_MEMORY);
        status(STATUS_INSUFFICIENT_RESOURCES, ERROR_NO_SYSTEM_RESOURCES);
        status(STATUS_PIPE_BROKEN, ERROR_BROKEN_PIPE);
        status(STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT);
        status(STATUS_CANCELLED, ERROR_OPERATION_ABORTED);
        status(STATUS_LOCAL_DISCONNECT, ERROR_NETNAME_DELETED);
        status(STATUS_REMOTE_DISCONNECT, ERROR_NETNAME_DELETED);
        status(STATUS_CONNECTION_RESET, ERROR_NETNAME_DELETED);
        status(STATUS_CONNECTION_REFUSED, ERROR_CONNECTION_REFUSED);
        status(STATUS_GRACEFUL_DISCONNECT, ERROR_GRACEFUL_DISCONNECT);
        status(STATUS_ADDRESS_ALREADY_ASSOCIATED, ERROR_ADDRESS_ALREADY_ASSOCIATED);
        status(STATUS_NETWORK_UNREACHABLE, ERROR_NETWORK_UNREACHABLE);
        status(STATUS_HOST_UNREACHABLE, ERROR_HOST_UNREACHABLE);
        status(STATUS_PROTOCOL_UNREACHABLE, ERROR_PROTOCOL_UNREACHABLE);
        status(STATUS_PORT_UNREACHABLE, ERROR_PORT_UNREACHABLE);
        status(STATUS_REQUEST_ABORTED, ERROR_REQUEST_ABORTED);
        status(STATUS_CONNECTION_ABORTED, ERROR_CONNECTION_ABORTED);
    }

    private WindowsErrors() {
    }

    private static void map(int windows, Errno portable) {
        if (ERRNO.put(windows, portable) != null) throw new ExceptionInInitializerError("mapped twice: " + windows);
    }

    private static void status(int ntstatus, int win32) {
        WIN32.put(ntstatus, win32);
    }

    /** The portable error of a Win32 or Winsock error code, {@link Errno#EIO} when it has none. */
    static Errno errno(int windowsError) {
        return ERRNO.getOrDefault(windowsError, Errno.EIO);
    }

    /** The negated portable error number of a Win32 or Winsock error, as results carry it. */
    static int result(int windowsError) {
        return -errno(windowsError).code();
    }

    /** Whether an NTSTATUS is a success (NT_SUCCESS: severity success or informational). */
    static boolean succeeded(int ntstatus) {
        return ntstatus >= 0;
    }

    /** The Win32 error of a failed request's NTSTATUS (ERROR_MR_MID_NOT_FOUND when unknown: as Windows does). */
    static int win32OfStatus(int ntstatus) {
        return WIN32.getOrDefault(ntstatus, ERROR_MR_MID_NOT_FOUND);
    }

    /** The negated portable error of a completed request's failed NTSTATUS. */
    static int resultOfStatus(int ntstatus) {
        return result(win32OfStatus(ntstatus));
    }

    /** The whole Win32/Winsock table, for tests and documentation. */
    static Map<Integer, Errno> table() {
        return Collections.unmodifiableMap(ERRNO);
    }

    /** The whole NTSTATUS table. */
    static Map<Integer, Integer> statusTable() {
        return Collections.unmodifiableMap(WIN32);
    }
}
