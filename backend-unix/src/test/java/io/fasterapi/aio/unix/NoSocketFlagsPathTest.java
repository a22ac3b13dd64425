package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.ListenOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macOS way of making sockets (socket() or accept(), then fcntl for O_NONBLOCK and
 * FD_CLOEXEC), run for real on this Linux kernel: a table equal to Linux's but without
 * SOCK_NONBLOCK / SOCK_CLOEXEC sends PosixSockets down that path, and the variadic fcntl binding
 * is exercised against the kernel.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "the table below is Linux's numbers with the flags taken away")
class NoSocketFlagsPathTest {
    /** {@code <fcntl.h>}: F_GETFD (1 on Linux, macOS and FreeBSD). */
    private static final int F_GETFD = 1;

    private static SocketConstants linuxWithoutSocketFlags() {
        SocketConstants l = SocketConstants.LINUX;
        return new SocketConstants("Linux without SOCK_NONBLOCK", false, l.afInet(), l.afInet6(), l.sockStream(), 0, 0,
                l.solSocket(), l.soReuseaddr(), l.soReuseport(), l.soError(), l.soSndbuf(), l.soRcvbuf(), 0,
                l.ipprotoTcp(), l.tcpNodelay(), l.ipprotoIpv6(), l.ipv6V6only(), l.msgNosignal(), l.shutWr(),
                l.soKeepalive(), l.soLinger(), l.soLingerSec(), l.ipTos(), l.ipv6Tclass(), l.tcpKeepidle(),
                l.tcpKeepalive(), l.tcpKeepintvl(), l.tcpKeepcnt(), l.tcpQuickack(), l.soType(), l.soAcceptconn(),
                l.soBroadcast(), l.ipMulticastTtl(), l.ipMulticastLoop(), l.ipAddMembership(), l.ipDropMembership(),
                l.ipv6MulticastHops(), l.ipv6MulticastLoop(), l.ipv6JoinGroup(), l.ipv6LeaveGroup(),
                l.oNonblock(), l.fGetfl(), l.fSetfl(), l.fSetfd(), l.fdCloexec(), l.eagain(), l.eintr(),
                l.einprogress(), l.errnos());
    }

    @Test
    void socketsAndAcceptedSocketsAreMadeNonBlockingAndCloseOnExecWithFcntl() throws Exception {
        SocketConstants sc = linuxWithoutSocketFlags();
        try (Arena arena = Arena.ofConfined()) {
            PosixSockets sockets = new PosixSockets(arena, sc);
            MemorySegment st = sockets.callState();
            int listener = (int) sockets.openListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    ListenOptions.defaults());
            int client = -1;
            int accepted = -1;
            try {
                assertNonBlockingAndCloseOnExec(st, sc, listener, "listener");
                assertEquals(-Errno.EAGAIN.code(), sockets.accept(listener), "nothing to accept: EAGAIN, not a block");
                InetSocketAddress at = (InetSocketAddress) sockets.address(listener, true);
                client = (int) sockets.openStream(at, io.fasterapi.aio.ConnectOptions.defaults());
                assertNonBlockingAndCloseOnExec(st, sc, client, "connecting socket");
                int c = sockets.connect(client, at);
                assertTrue(c == 0 || c == -Errno.EINPROGRESS.code(), "connect: " + c);
                for (int i = 0; i < 1000 && accepted < 0; i++) {
                    accepted = sockets.accept(listener);
                    if (accepted == -Errno.EAGAIN.code()) Thread.sleep(5);
                    else assertTrue(accepted >= 0, "accept: " + Errno.nameOf(-accepted));
                }
                assertTrue(accepted >= 0, "the connection arrived");
                assertNonBlockingAndCloseOnExec(st, sc, accepted, "accepted socket");
            } finally {
                if (accepted >= 0) sockets.close(accepted);
                if (client >= 0) sockets.close(client);
                sockets.close(listener);
            }
        }
    }

    private static void assertNonBlockingAndCloseOnExec(MemorySegment st, SocketConstants sc, int fd, String what) {
        int fl = Posix.fcntl(st, fd, sc.fGetfl(), 0);
        assertTrue(fl >= 0 && (fl & sc.oNonblock()) != 0, what + ": O_NONBLOCK set (F_GETFL = " + fl + ")");
        int fdFlags = Posix.fcntl(st, fd, F_GETFD, 0);
        assertEquals(sc.fdCloexec(), fdFlags & sc.fdCloexec(), what + ": FD_CLOEXEC set");
    }
}
