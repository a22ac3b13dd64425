package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macOS and FreeBSD tables against the values their headers publish. gcc here has Linux
 * headers only, so the expected numbers are written out by hand, each with the header it comes
 * from: macOS SDK (xnu {@code bsd/sys/socket.h}, {@code bsd/netinet/in.h}, {@code bsd/netinet6/in6.h},
 * {@code bsd/netinet/tcp.h}, {@code bsd/sys/fcntl.h}, {@code bsd/sys/errno.h}) and FreeBSD 14
 * ({@code sys/sys/socket.h}, {@code sys/netinet/in.h}, {@code sys/netinet6/in6.h},
 * {@code sys/netinet/tcp.h}, {@code sys/sys/fcntl.h}, {@code sys/sys/errno.h}).
 */
class BsdSocketConstantsTest {

    @Test
    void darwinTableHoldsTheMacOsHeaderValues() {
        SocketConstants k = SocketConstants.DARWIN;
        assertAll(
                () -> assertTrue(k.sockaddrLen(), "<netinet/in.h>: sockaddr_in starts with uint8_t sin_len"),
                () -> assertEquals(2, k.afInet(), "<sys/socket.h> AF_INET"),
                () -> assertEquals(30, k.afInet6(), "<sys/socket.h> AF_INET6"),
                () -> assertEquals(1, k.sockStream(), "<sys/socket.h> SOCK_STREAM"),
                () -> assertEquals(0, k.sockNonblock(), "<sys/socket.h> has no SOCK_NONBLOCK"),
                () -> assertEquals(0, k.sockCloexec(), "<sys/socket.h> has no SOCK_CLOEXEC"),
                () -> assertEquals(0xffff, k.solSocket(), "<sys/socket.h> SOL_SOCKET"),
                () -> assertEquals(0x0004, k.soReuseaddr(), "<sys/socket.h> SO_REUSEADDR"),
                () -> assertEquals(0x0200, k.soReuseport(), "<sys/socket.h> SO_REUSEPORT"),
                () -> assertEquals(0x1007, k.soError(), "<sys/socket.h> SO_ERROR"),
                () -> assertEquals(0x1001, k.soSndbuf(), "<sys/socket.h> SO_SNDBUF"),
                () -> assertEquals(0x1002, k.soRcvbuf(), "<sys/socket.h> SO_RCVBUF"),
                () -> assertEquals(0x1022, k.soNosigpipe(), "<sys/socket.h> SO_NOSIGPIPE"),
                () -> assertEquals(6, k.ipprotoTcp(), "<netinet/in.h> IPPROTO_TCP"),
                () -> assertEquals(1, k.tcpNodelay(), "<netinet/tcp.h> TCP_NODELAY"),
                () -> assertEquals(41, k.ipprotoIpv6(), "<netinet/in.h> IPPROTO_IPV6"),
                () -> assertEquals(27, k.ipv6V6only(), "<netinet6/in6.h> IPV6_V6ONLY"),
                () -> assertEquals(0, k.msgNosignal(), "<sys/socket.h> has no MSG_NOSIGNAL (public SDK)"),
                () -> assertEquals(1, k.shutWr(), "<sys/socket.h> SHUT_WR"),
                () -> assertEquals(0x0004, k.oNonblock(), "<sys/fcntl.h> O_NONBLOCK"),
                () -> assertEquals(3, k.fGetfl(), "<sys/fcntl.h> F_GETFL"),
                () -> assertEquals(4, k.fSetfl(), "<sys/fcntl.h> F_SETFL"),
                () -> assertEquals(2, k.fSetfd(), "<sys/fcntl.h> F_SETFD"),
                () -> assertEquals(1, k.fdCloexec(), "<sys/fcntl.h> FD_CLOEXEC"),
                () -> assertEquals(35, k.eagain(), "<sys/errno.h> EAGAIN"),
                () -> assertEquals(4, k.eintr(), "<sys/errno.h> EINTR"),
                () -> assertEquals(36, k.einprogress(), "<sys/errno.h> EINPROGRESS"),
                () -> assertSame(ErrnoTable.DARWIN, k.errnos()),
                () -> assertFalse(k.hasSocketFlags(), "macOS: socket() then fcntl"),
                () -> assertTrue(k.needsNosigpipe(), "macOS: SO_NOSIGPIPE on each socket"));
    }

    @Test
    void freebsdTableHoldsTheFreeBsdHeaderValues() {
        SocketConstants k = SocketConstants.FREEBSD;
        assertAll(
                () -> assertTrue(k.sockaddrLen(), "<netinet/in.h>: sockaddr_in starts with uint8_t sin_len"),
                () -> assertEquals(2, k.afInet(), "<sys/socket.h> AF_INET"),
                () -> assertEquals(28, k.afInet6(), "<sys/socket.h> AF_INET6"),
                () -> assertEquals(1, k.sockStream(), "<sys/socket.h> SOCK_STREAM"),
                () -> assertEquals(0x20000000, k.sockNonblock(), "<sys/socket.h> SOCK_NONBLOCK"),
                () -> assertEquals(0x10000000, k.sockCloexec(), "<sys/socket.h> SOCK_CLOEXEC"),
                () -> assertEquals(0xffff, k.solSocket(), "<sys/socket.h> SOL_SOCKET"),
                () -> assertEquals(0x0004, k.soReuseaddr(), "<sys/socket.h> SO_REUSEADDR"),
                () -> assertEquals(0x0200, k.soReuseport(), "<sys/socket.h> SO_REUSEPORT"),
                () -> assertEquals(0x1007, k.soError(), "<sys/socket.h> SO_ERROR"),
                () -> assertEquals(0x1001, k.soSndbuf(), "<sys/socket.h> SO_SNDBUF"),
                () -> assertEquals(0x1002, k.soRcvbuf(), "<sys/socket.h> SO_RCVBUF"),
                () -> assertEquals(0x0800, k.soNosigpipe(), "<sys/socket.h> SO_NOSIGPIPE"),
                () -> assertEquals(6, k.ipprotoTcp(), "<netinet/in.h> IPPROTO_TCP"),
                () -> assertEquals(1, k.tcpNodelay(), "<netinet/tcp.h> TCP_NODELAY"),
                () -> assertEquals(41, k.ipprotoIpv6(), "<netinet/in.h> IPPROTO_IPV6"),
                () -> assertEquals(27, k.ipv6V6only(), "<netinet6/in6.h> IPV6_V6ONLY"),
                () -> assertEquals(0x20000, k.msgNosignal(), "<sys/socket.h> MSG_NOSIGNAL"),
                () -> assertEquals(1, k.shutWr(), "<sys/socket.h> SHUT_WR"),
                () -> assertEquals(0x0004, k.oNonblock(), "<sys/fcntl.h> O_NONBLOCK"),
                () -> assertEquals(3, k.fGetfl(), "<sys/fcntl.h> F_GETFL"),
                () -> assertEquals(4, k.fSetfl(), "<sys/fcntl.h> F_SETFL"),
                () -> assertEquals(2, k.fSetfd(), "<sys/fcntl.h> F_SETFD"),
                () -> assertEquals(1, k.fdCloexec(), "<sys/fcntl.h> FD_CLOEXEC"),
                () -> assertEquals(35, k.eagain(), "<sys/errno.h> EAGAIN"),
                () -> assertEquals(4, k.eintr(), "<sys/errno.h> EINTR"),
                () -> assertEquals(36, k.einprogress(), "<sys/errno.h> EINPROGRESS"),
                () -> assertSame(ErrnoTable.FREEBSD, k.errnos()),
                () -> assertTrue(k.hasSocketFlags(), "FreeBSD: socket() and accept4() take the flags"),
                () -> assertFalse(k.needsNosigpipe(), "FreeBSD: MSG_NOSIGNAL on send"));
    }

    @Test
    void theTableIsChosenFromOsName() {
        assertSame(SocketConstants.LINUX, SocketConstants.forOs("Linux"));
        assertSame(SocketConstants.DARWIN, SocketConstants.forOs("Mac OS X"));
        assertSame(SocketConstants.FREEBSD, SocketConstants.forOs("FreeBSD"));
        assertNull(SocketConstants.forOs("Windows 11"));
        assertNull(SocketConstants.forOs("OpenBSD"), "OpenBSD numbers differ: no table until one is written");
    }

    /** Every name of {@link Errno}, as macOS's {@code <sys/errno.h>} numbers it. */
    private static Map<Errno, Integer> darwinErrno() {
        Map<Errno, Integer> m = new LinkedHashMap<>();
        m.put(Errno.EPERM, 1);
        m.put(Errno.ENOENT, 2);
        m.put(Errno.EINTR, 4);
        m.put(Errno.EIO, 5);
        m.put(Errno.EBADF, 9);
        m.put(Errno.EAGAIN, 35);
        m.put(Errno.ENOMEM, 12);
        m.put(Errno.EACCES, 13);
        m.put(Errno.EFAULT, 14);
        m.put(Errno.EBUSY, 16);
        m.put(Errno.EEXIST, 17);
        m.put(Errno.EINVAL, 22);
        m.put(Errno.ENFILE, 23);
        m.put(Errno.EMFILE, 24);
        m.put(Errno.ENOSPC, 28);
        m.put(Errno.EPIPE, 32);
        m.put(Errno.ENOSYS, 78);
        m.put(Errno.ETIME, 101);
        m.put(Errno.EOVERFLOW, 84);
        m.put(Errno.ENOTSOCK, 38);
        m.put(Errno.EDESTADDRREQ, 39);
        m.put(Errno.EMSGSIZE, 40);
        m.put(Errno.EPROTOTYPE, 41);
        m.put(Errno.ENOPROTOOPT, 42);
        m.put(Errno.EPROTONOSUPPORT, 43);
        m.put(Errno.EOPNOTSUPP, 102);
        m.put(Errno.EAFNOSUPPORT, 47);
        m.put(Errno.EADDRINUSE, 48);
        m.put(Errno.EADDRNOTAVAIL, 49);
        m.put(Errno.ENETDOWN, 50);
        m.put(Errno.ENETUNREACH, 51);
        m.put(Errno.ENETRESET, 52);
        m.put(Errno.ECONNABORTED, 53);
        m.put(Errno.ECONNRESET, 54);
        m.put(Errno.ENOBUFS, 55);
        m.put(Errno.EISCONN, 56);
        m.put(Errno.ENOTCONN, 57);
        m.put(Errno.ESHUTDOWN, 58);
        m.put(Errno.ETIMEDOUT, 60);
        m.put(Errno.ECONNREFUSED, 61);
        m.put(Errno.EHOSTDOWN, 64);
        m.put(Errno.EHOSTUNREACH, 65);
        m.put(Errno.EALREADY, 37);
        m.put(Errno.EINPROGRESS, 36);
        m.put(Errno.ECANCELED, 89);
        return m;
    }

    /** Every name of {@link Errno} that FreeBSD's {@code <sys/errno.h>} defines (all but ETIME). */
    private static Map<Errno, Integer> freebsdErrno() {
        Map<Errno, Integer> m = new LinkedHashMap<>(darwinErrno());
        m.remove(Errno.ETIME);              // FreeBSD has no ETIME
        m.put(Errno.EOPNOTSUPP, 45);        // FreeBSD: EOPNOTSUPP 45, ENOTSUP the same number
        m.put(Errno.ECANCELED, 85);         // FreeBSD: 85 (macOS: 89)
        return m;                           // the rest agree with macOS
    }

    @Test
    void darwinErrnoNumbersTranslateToEveryPortableName() {
        checkErrnoTable(ErrnoTable.DARWIN, darwinErrno());
        assertEquals(Errno.EOPNOTSUPP.code(), ErrnoTable.DARWIN.portable(45), "macOS ENOTSUP 45 is Linux's EOPNOTSUPP");
    }

    @Test
    void freebsdErrnoNumbersTranslateToEveryPortableName() {
        checkErrnoTable(ErrnoTable.FREEBSD, freebsdErrno());
        assertEquals(-1, ErrnoTable.FREEBSD.nativeCode(Errno.ETIME), "FreeBSD has no ETIME");
    }

    private static void checkErrnoTable(ErrnoTable t, Map<Errno, Integer> header) {
        EnumSet<Errno> seen = EnumSet.noneOf(Errno.class);
        header.forEach((e, n) -> {
            assertEquals(n, t.nativeCode(e), t.os() + " number of " + e);
            assertEquals(e.code(), t.portable(n), t.os() + " errno " + n + " is " + e);
            seen.add(e);
        });
        for (Errno e : EnumSet.complementOf(seen)) {
            assertEquals(-1, t.nativeCode(e), t.os() + " has no " + e);
        }
        // Version 7 numbers shared by everyone, except 11 (BSD EDEADLK, Linux EAGAIN).
        assertEquals(6, t.portable(6), "ENXIO");
        assertEquals(34, t.portable(34), "ERANGE");
        assertEquals(35, t.portable(11), "BSD EDEADLK 11 is Linux EDEADLK 35, not EAGAIN");
        // A number with no Linux counterpart never reads as another Linux error.
        assertEquals(ErrnoTable.UNMAPPED_BASE + 62, t.portable(62), "ELOOP is not mapped: kept apart");
        assertEquals(0, t.portable(0));
    }

    @Test
    void linuxErrnoIsTheIdentity() {
        for (Errno e : Errno.values()) {
            assertEquals(e.code(), ErrnoTable.LINUX.portable(e.code()));
            assertEquals(e.code(), ErrnoTable.LINUX.nativeCode(e));
        }
        assertEquals(40, ErrnoTable.LINUX.portable(40), "Linux errors outside Errno pass through unchanged");
    }
}
