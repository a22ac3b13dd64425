package io.fasterapi.aio.unix;

import java.util.Locale;

/**
 * Socket constants of one operating system, and what its socket calls can do (the socket options'
 * numbers included: {@link PosixSockets} maps Java's options onto them through {@code SocketOptions}; IPPROTO_IP is 0
 * everywhere and has no field). The code above
 * asks the table, never the OS name: {@link SockAddr} picks the sockaddr layout by
 * {@link #sockaddrLen()}, {@link PosixSockets} sets non-blocking mode with {@code fcntl} where
 * {@link #sockNonblock()} is 0 and SO_NOSIGPIPE where {@link #msgNosignal()} is 0, and
 * {@link NativeLibc#errno} translates through {@link #errnos()}.
 *
 * <p>A value of 0 for {@code sockNonblock}, {@code sockCloexec}, {@code msgNosignal} or
 * {@code soNosigpipe} means the system has no such flag. {@code eagain}, {@code eintr} and
 * {@code einprogress} are the system's own numbers, kept for reference: results reaching Java are
 * already portable, so code compares them with {@link io.fasterapi.aio.Errno} codes.
 */
public record SocketConstants(String os, boolean sockaddrLen,
                              int afInet, int afInet6, int sockStream, int sockNonblock, int sockCloexec,
                              int solSocket, int soReuseaddr, int soReuseport, int soError, int soSndbuf,
                              int soRcvbuf, int soNosigpipe, int ipprotoTcp, int tcpNodelay, int ipprotoIpv6,
                              int ipv6V6only, int msgNosignal, int shutWr,
                              int soKeepalive, int soLinger, int soLingerSec, int ipTos, int ipv6Tclass,
                              int tcpKeepidle, int tcpKeepalive, int tcpKeepintvl, int tcpKeepcnt, int tcpQuickack,
                              int soType, int soAcceptconn,
                              int soBroadcast, int ipMulticastTtl, int ipMulticastLoop, int ipAddMembership,
                              int ipDropMembership, int ipv6MulticastHops, int ipv6MulticastLoop, int ipv6JoinGroup,
                              int ipv6LeaveGroup,
                              int oNonblock, int fGetfl, int fSetfl, int fSetfd, int fdCloexec,
                              int eagain, int eintr, int einprogress, ErrnoTable errnos) {

    /**
     * Linux (glibc), from {@code <sys/socket.h>} (bits/socket.h, bits/socket_type.h),
     * {@code <netinet/in.h>}, {@code <netinet/tcp.h>}, {@code <fcntl.h>}, {@code <errno.h>};
     * checked against gcc by SockAddrLayoutTest.
     */
    public static final SocketConstants LINUX = new SocketConstants("Linux", false,
            2, 10, 1, 0x800, 0x80000,                  // AF_INET AF_INET6 SOCK_STREAM SOCK_NONBLOCK SOCK_CLOEXEC
            1, 2, 15, 4, 7,                            // SOL_SOCKET SO_REUSEADDR SO_REUSEPORT SO_ERROR SO_SNDBUF
            8, 0, 6, 1, 41,                            // SO_RCVBUF (no SO_NOSIGPIPE) IPPROTO_TCP TCP_NODELAY IPPROTO_IPV6
            26, 0x4000, 1,                             // IPV6_V6ONLY MSG_NOSIGNAL SHUT_WR
            9, 13, 0, 1, 67,                           // SO_KEEPALIVE SO_LINGER (no SO_LINGER_SEC) IP_TOS IPV6_TCLASS
            4, 0, 5, 6, 12,                            // TCP_KEEPIDLE (no TCP_KEEPALIVE) TCP_KEEPINTVL TCP_KEEPCNT TCP_QUICKACK
            3, 30,                                     // SO_TYPE SO_ACCEPTCONN
            6, 33, 34, 35, 36,                         // SO_BROADCAST IP_MULTICAST_TTL IP_MULTICAST_LOOP IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP
            18, 19, 20, 21,                            // IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_LEAVE_GROUP
            0x800, 3, 4, 2, 1,                         // O_NONBLOCK F_GETFL F_SETFL F_SETFD FD_CLOEXEC
            11, 4, 115, ErrnoTable.LINUX);             // EAGAIN EINTR EINPROGRESS

    /**
     * macOS, from the macOS SDK's {@code <sys/socket.h>}, {@code <netinet/in.h>},
     * {@code <netinet6/in6.h>}, {@code <netinet/tcp.h>}, {@code <sys/fcntl.h>}, {@code <sys/errno.h>}.
     * macOS has no SOCK_NONBLOCK / SOCK_CLOEXEC (socket, then fcntl) and no accept4. MSG_NOSIGNAL
     * is not used: Go's golang.org/x/sys/unix lists it (0x80000), Rust's libc does not, and
     * SO_NOSIGPIPE on each socket works on every macOS version.
     */
    public static final SocketConstants DARWIN = new SocketConstants("macOS", true,
            2, 30, 1, 0, 0,                            // AF_INET AF_INET6 SOCK_STREAM (no SOCK_NONBLOCK, SOCK_CLOEXEC)
            0xffff, 0x4, 0x200, 0x1007, 0x1001,        // SOL_SOCKET SO_REUSEADDR SO_REUSEPORT SO_ERROR SO_SNDBUF
            0x1002, 0x1022, 6, 1, 41,                  // SO_RCVBUF SO_NOSIGPIPE IPPROTO_TCP TCP_NODELAY IPPROTO_IPV6
            27, 0, 1,                                  // IPV6_V6ONLY (MSG_NOSIGNAL not used) SHUT_WR
            0x8, 0x80, 0x1080, 3, 0x24,                // SO_KEEPALIVE SO_LINGER (ticks) SO_LINGER_SEC IP_TOS IPV6_TCLASS
            0, 0x10, 0x101, 0x102, 0,                  // (no TCP_KEEPIDLE) TCP_KEEPALIVE (the idle time) TCP_KEEPINTVL TCP_KEEPCNT (no QUICKACK)
            0x1008, 0x2,                               // SO_TYPE SO_ACCEPTCONN
            0x20, 10, 11, 12, 13,                      // SO_BROADCAST IP_MULTICAST_TTL IP_MULTICAST_LOOP IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP
            10, 11, 12, 13,                            // IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_LEAVE_GROUP
            0x4, 3, 4, 2, 1,                           // O_NONBLOCK F_GETFL F_SETFL F_SETFD FD_CLOEXEC
            35, 4, 36, ErrnoTable.DARWIN);             // EAGAIN EINTR EINPROGRESS

    /**
     * FreeBSD 12 to 14, from {@code <sys/socket.h>}, {@code <netinet/in.h>}, {@code <netinet6/in6.h>},
     * {@code <netinet/tcp.h>}, {@code <sys/fcntl.h>}, {@code <sys/errno.h>}. SO_REUSEPORT (0x200)
     * lets several sockets bind one port; unlike Linux it does not spread connections among them
     * (that is SO_REUSEPORT_LB, 0x10000, FreeBSD 12+).
     */
    public static final SocketConstants FREEBSD = new SocketConstants("FreeBSD", true,
            2, 28, 1, 0x20000000, 0x10000000,          // AF_INET AF_INET6 SOCK_STREAM SOCK_NONBLOCK SOCK_CLOEXEC
            0xffff, 0x4, 0x200, 0x1007, 0x1001,        // SOL_SOCKET SO_REUSEADDR SO_REUSEPORT SO_ERROR SO_SNDBUF
            0x1002, 0x800, 6, 1, 41,                   // SO_RCVBUF SO_NOSIGPIPE IPPROTO_TCP TCP_NODELAY IPPROTO_IPV6
            27, 0x20000, 1,                            // IPV6_V6ONLY MSG_NOSIGNAL SHUT_WR
            0x8, 0x80, 0, 3, 0x3d,                     // SO_KEEPALIVE SO_LINGER (seconds; no SO_LINGER_SEC) IP_TOS IPV6_TCLASS
            0x100, 0, 0x200, 0x400, 0,                 // TCP_KEEPIDLE (no TCP_KEEPALIVE) TCP_KEEPINTVL TCP_KEEPCNT (no QUICKACK)
            0x1008, 0x2,                               // SO_TYPE SO_ACCEPTCONN
            0x20, 10, 11, 12, 13,                      // SO_BROADCAST IP_MULTICAST_TTL IP_MULTICAST_LOOP IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP
            10, 11, 12, 13,                            // IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_LEAVE_GROUP
            0x4, 3, 4, 2, 1,                           // O_NONBLOCK F_GETFL F_SETFL F_SETFD FD_CLOEXEC
            35, 4, 36, ErrnoTable.FREEBSD);            // EAGAIN EINTR EINPROGRESS

    /** The table of the running operating system, or null where there is none. */
    public static SocketConstants current() {
        return forOs(System.getProperty("os.name", ""));
    }

    /** The table for an {@code os.name} value ("Linux", "Mac OS X", "FreeBSD"), or null. */
    public static SocketConstants forOs(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) return LINUX;
        if (os.startsWith("mac") || os.startsWith("darwin")) return DARWIN;
        if (os.startsWith("freebsd")) return FREEBSD;
        return null;
    }

    /** Whether {@code socket()} and {@code accept4()} take SOCK_NONBLOCK / SOCK_CLOEXEC (else fcntl after). */
    public boolean hasSocketFlags() {
        return sockNonblock != 0;
    }

    /** Whether each socket needs SO_NOSIGPIPE because send() has no MSG_NOSIGNAL. */
    public boolean needsNosigpipe() {
        return msgNosignal == 0 && soNosigpipe != 0;
    }
}
