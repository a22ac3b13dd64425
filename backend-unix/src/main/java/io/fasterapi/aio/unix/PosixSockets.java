package io.fasterapi.aio.unix;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.ConnectOptions;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.core.SocketOptions;
import io.fasterapi.aio.core.MulticastRequest;
import io.fasterapi.aio.core.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.SocketOption;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The synchronous socket steps every POSIX backend takes the same way: open a listener (socket,
 * options, bind, listen), open a socket to connect, ask addresses, shut down, close. One per loop:
 * it owns the loop's errno call-state and scratch memory, so it is confined to the loop thread.
 */
public final class PosixSockets implements Sockets {
    private final SocketConstants sc;
    private final MemorySegment callState;
    private final MemorySegment sockaddr;
    private final MemorySegment scratch;
    private final SocketOptions options;

    /** Allocates its memory from {@code arena}, which the loop closes. */
    public PosixSockets(Arena arena, SocketConstants constants) {
        this.sc = constants;
        this.callState = arena.allocate(NativeLibc.callStateLayout());
        this.sockaddr = arena.allocate(SockAddr.STORAGE_SIZE, 8);
        this.scratch = arena.allocate(16, 4);
        this.options = optionsOf(constants);
    }

    /** The options of a system, on its numbers (macOS: SO_LINGER_SEC, and TCP_KEEPALIVE for the idle time). */
    static SocketOptions optionsOf(SocketConstants sc) {
        return SocketOptions.of(sc.os(), sc.solSocket(), sc.ipprotoTcp(), sc.ipprotoIpv6(), sc.tcpNodelay(),
                sc.soKeepalive(), sc.soRcvbuf(), sc.soSndbuf(), sc.soLingerSec() != 0 ? sc.soLingerSec() : sc.soLinger(),
                sc.soReuseaddr(), sc.soReuseport(), sc.ipTos(), sc.ipv6Tclass(),
                sc.tcpKeepidle() != 0 ? sc.tcpKeepidle() : sc.tcpKeepalive(), sc.tcpKeepintvl(), sc.tcpKeepcnt(),
                sc.tcpQuickack()).datagram(sc.solSocket(), sc.ipprotoIpv6(), sc.soBroadcast(), sc.ipMulticastTtl(),
                sc.ipMulticastLoop(), sc.ipv6MulticastHops(), sc.ipv6MulticastLoop()).kinds(new SocketOptions.Kinds(sc.solSocket(), sc.soType(), sc.sockStream(),
                sc.soAcceptconn(), sc.afInet(), sc.afInet6(), SockAddr.AF_UNIX));
    }

    /** The errno call-state for the loop's other calls on the loop thread. */
    public MemorySegment callState() {
        return callState;
    }

    /** socket, SO_REUSEADDR / SO_REUSEPORT, TCP_NODELAY (inherited by accepted sockets), bind, listen. */
    @Override
    public long openListener(InetSocketAddress address, ListenOptions options) {
        int fd = newSocket(address, "listen on " + address);
        reuseOrClose(fd, options.reuseAddress(), options.reusePort(), "listen on " + address);
        // Accepted sockets inherit TCP_NODELAY from the listener: no setsockopt per connection.
        int r = Posix.setIntOption(callState, fd, sc.ipprotoTcp(), sc.tcpNodelay(), 1, scratch);
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException("listen on " + address + ": setsockopt(TCP_NODELAY) failed", -r);
        }
        applyOrClose(fd, options.socketOptions());
        return bindAndListen(fd, SockAddr.encode(address, sc, sockaddr), options.backlog(), "listen on " + address);
    }

    /** bind to the {@code length} bytes of {@link #sockaddr}, then listen; closes {@code fd} and throws if either fails. */
    private long bindAndListen(int fd, int length, int backlog, String what) {
        int r = Posix.bind(callState, fd, sockaddr, length);
        String step = "bind";
        if (r == 0) {
            r = Posix.listen(callState, fd, backlog);
            step = "listen";
        }
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException(what + ": " + step + " failed", -r);
        }
        return fd;
    }

    /** A non-blocking stream socket for {@code remote}'s family, with TCP_NODELAY. */
    @Override
    public long openStream(InetSocketAddress remote, ConnectOptions options) {
        int fd = newSocket(remote, "connect to " + remote);
        Posix.setIntOption(callState, fd, sc.ipprotoTcp(), sc.tcpNodelay(), 1, scratch);
        applyOrClose(fd, options.socketOptions());
        InetSocketAddress local = options.localAddress();
        if (local != null) {
            int r = Posix.bind(callState, fd, sockaddr, SockAddr.encode(local, sc, sockaddr));
            if (r < 0) {
                Posix.close(callState, fd);
                throw new AsyncIoException("connect to " + remote + ": bind to " + local + " failed", -r);
            }
        }
        return fd;
    }

    /** socket(AF_UNIX), the options that apply, bind (EADDRINUSE if a file is at the path), listen. */
    @Override
    public long openListener(UnixDomainSocketAddress address, ListenOptions options) {
        SockAddr.encode(address, sc, sockaddr); // refuses a bad path before anything is opened
        int fd = newSocket(SockAddr.AF_UNIX, "listen on " + address);
        applyOrClose(fd, options.socketOptions()); // (an option may use the address scratch: encoded again below)
        int r = Posix.bind(callState, fd, sockaddr, SockAddr.encode(address, sc, sockaddr));
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException("listen on " + address + ": bind failed", -r); // EADDRINUSE: a file is there
        }
        r = Posix.listen(callState, fd, options.backlog());
        if (r < 0) {
            Posix.close(callState, fd);
            try {
                java.nio.file.Files.deleteIfExists(address.getPath()); // the bind made it: ours to remove
            } catch (java.io.IOException | SecurityException ignored) {
                // left behind; the listen's error says why
            }
            throw new AsyncIoException("listen on " + address + ": listen failed", -r);
        }
        return fd;
    }

    /** socket(SOCK_DGRAM), SO_REUSEADDR / SO_REUSEPORT, IPV6_V6ONLY off for IPv6, the options, bind. */
    @Override
    public long openDatagram(InetSocketAddress bind, io.fasterapi.aio.DatagramOptions options) {
        int fd = Posix.socket(callState, SockAddr.family(bind, sc), DatagramConstants.SOCK_DGRAM | sc.sockNonblock() | sc.sockCloexec(), 0);
        if (fd < 0) throw new AsyncIoException("openDatagram " + bind + ": socket failed", -fd);
        int r = configure(fd);
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException("openDatagram " + bind + ": making the socket non-blocking failed", -r);
        }
        reuseOrClose(fd, options.reuseAddress(), options.reusePort(), "openDatagram " + bind);
        if (bind.getAddress() instanceof java.net.Inet6Address) {
            // Dual-stack on every system, as on Linux: FreeBSD makes an IPv6 socket v6-only by default.
            r = Posix.setIntOption(callState, fd, sc.ipprotoIpv6(), sc.ipv6V6only(), 0, scratch);
            if (r < 0) {
                Posix.close(callState, fd);
                throw new AsyncIoException("openDatagram " + bind + ": setsockopt(IPV6_V6ONLY) failed", -r);
            }
        }
        applyOrClose(fd, options.socketOptions());
        r = Posix.bind(callState, fd, sockaddr, SockAddr.encode(bind, sc, sockaddr));
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException("openDatagram " + bind + ": bind failed", -r);
        }
        return fd;
    }

    @Override
    public void connectDatagram(long fd, InetSocketAddress remote) {
        int r = Posix.connect(callState, (int) fd, sockaddr, SockAddr.encode(remote, sc, sockaddr));
        if (r < 0) throw new AsyncIoException("connectDatagram " + remote + " failed", -r);
    }

    /**
     * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP with a {@code struct ip_mreq} (group, the interface's
     * IPv4 address or INADDR_ANY), or IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP with a {@code struct
     * ipv6_mreq} (group, interface index or 0).
     */
    @Override
    public void membership(long fd, java.net.InetAddress group, java.net.NetworkInterface ni, boolean join) {
        int length = MulticastRequest.write(group, ni, sockaddr);
        int r = length == 8 ? Posix.setOption(callState, (int) fd, 0, join ? sc.ipAddMembership() : sc.ipDropMembership(), sockaddr, 8)
                : Posix.setOption(callState, (int) fd, sc.ipprotoIpv6(), join ? sc.ipv6JoinGroup() : sc.ipv6LeaveGroup(), sockaddr, length);
        if (r < 0) throw new AsyncIoException((join ? "join" : "leave") + " group " + group.getHostAddress(), -r);
    }

    /** A non-blocking Unix domain stream socket (no TCP options: it has none). */
    @Override
    public long openStream(UnixDomainSocketAddress remote) {
        SockAddr.encode(remote, sc, sockaddr); // refuses a bad path before anything is opened
        return newSocket(SockAddr.AF_UNIX, "connect to " + remote);
    }

    /** SO_REUSEADDR and SO_REUSEPORT as asked on a socket just opened; closes it and throws if one is refused. */
    private void reuseOrClose(int fd, boolean address, boolean port, String what) {
        int r = address ? Posix.setIntOption(callState, fd, sc.solSocket(), sc.soReuseaddr(), 1, scratch) : 0;
        String step = "setsockopt(SO_REUSEADDR)";
        if (r == 0 && port) {
            r = Posix.setIntOption(callState, fd, sc.solSocket(), sc.soReuseport(), 1, scratch);
            step = "setsockopt(SO_REUSEPORT)";
        }
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException(what + ": " + step + " failed", -r);
        }
    }

    /** Sets {@code options} on a socket just opened; closes it if one is refused (and rethrows). */
    private void applyOrClose(int fd, java.util.Map<SocketOption<?>, Object> options) {
        if (options.isEmpty()) return;
        try {
            setOptions(fd, options);
        } catch (RuntimeException e) {
            Posix.close(callState, fd);
            throw e;
        }
    }

    private int newSocket(InetSocketAddress address, String what) {
        return newSocket(SockAddr.family(address, sc), what);
    }

    private int newSocket(int family, String what) {
        int fd = Posix.socket(callState, family, sc.sockStream() | sc.sockNonblock() | sc.sockCloexec(), 0);
        if (fd < 0) throw new AsyncIoException(what + ": socket failed", -fd);
        int r = configure(fd);
        if (r < 0) {
            Posix.close(callState, fd);
            throw new AsyncIoException(what + ": making the socket non-blocking failed", -r);
        }
        return fd;
    }

    /** The address family of socket {@code fd} (getsockname), or a negated errno. */
    public int family(long fd) {
        return optionCalls.family(fd);
    }

    /** SO_ZEROCOPY on (Linux 4.14+, for MSG_ZEROCOPY sends): whether the socket took it. */
    public boolean setZeroCopy(int fd) {
        return Posix.setIntOption(callState, fd, sc.solSocket(), ZeroCopyNotices.SO_ZEROCOPY, 1, scratch) >= 0;
    }

    /**
     * accept(2) on a non-blocking listener: the new descriptor, non-blocking and close-on-exec, or
     * the negated errno (EAGAIN when no connection waits). One accept4 where the system has it
     * (Linux, FreeBSD); accept then fcntl where it has not (macOS).
     */
    public int accept(int listenFd) {
        if (Posix.hasAccept4() && sc.hasSocketFlags()) {
            int fd = Posix.accept4(callState, listenFd, sc.sockNonblock() | sc.sockCloexec());
            if (fd < 0 || !sc.needsNosigpipe()) return fd;
            int r = Posix.setIntOption(callState, fd, sc.solSocket(), sc.soNosigpipe(), 1, scratch);
            if (r < 0) Posix.close(callState, fd);
            return r < 0 ? r : fd;
        }
        int fd = Posix.accept(callState, listenFd);
        if (fd < 0) return fd;
        int r = configure(fd);
        if (r < 0) Posix.close(callState, fd);
        return r < 0 ? r : fd;
    }

    /**
     * What socket() / accept4() flags could not do on this system: O_NONBLOCK and FD_CLOEXEC with
     * fcntl where SOCK_NONBLOCK is missing, SO_NOSIGPIPE where send() has no MSG_NOSIGNAL.
     * Nothing (no system call) on Linux. Returns 0 or the negated errno.
     */
    private int configure(int fd) {
        int r = 0;
        if (!sc.hasSocketFlags()) {
            // A new socket has no status flag we must keep (F_SETFL ignores the access mode), so no
            // F_GETFL first: one call each for the status and the descriptor flag.
            r = Posix.fcntl(callState, fd, sc.fSetfl(), sc.oNonblock());
            if (r >= 0) r = Posix.fcntl(callState, fd, sc.fSetfd(), sc.fdCloexec());
        }
        if (r >= 0 && sc.needsNosigpipe()) {
            r = Posix.setIntOption(callState, fd, sc.solSocket(), sc.soNosigpipe(), 1, scratch);
        }
        return Math.min(r, 0);
    }

    @Override
    public int adoptable(long fd) {
        return options.adoptable(optionCalls, fd);
    }

    @Override
    public void prepareAdopted(long fd) {
        int fl = Posix.fcntl(callState, (int) fd, sc.fGetfl(), 0);
        int r = fl < 0 ? fl : Posix.fcntl(callState, (int) fd, sc.fSetfl(), fl | sc.oNonblock());
        if (r >= 0) r = Posix.fcntl(callState, (int) fd, sc.fSetfd(), sc.fdCloexec());
        if (r >= 0 && sc.needsNosigpipe()) r = Posix.setIntOption(callState, (int) fd, sc.solSocket(), sc.soNosigpipe(), 1, scratch);
        if (r < 0) throw new AsyncIoException("adopt " + fd + ": making it non-blocking", -r);
    }

    /** connect(2) on a non-blocking socket: 0, or the negated errno (EINPROGRESS while it goes on). */
    public int connect(int fd, SocketAddress remote) {
        return Posix.connect(callState, fd, sockaddr, SockAddr.encode(remote, sc, sockaddr));
    }

    /**
     * The pending error of a socket (SO_ERROR) as a positive portable errno, 0, or a negated errno
     * if getsockopt failed. SO_ERROR is the system's own number: translated like errno.
     */
    public int socketError(int fd) {
        int e = Posix.getIntOption(callState, fd, sc.solSocket(), sc.soError(), scratch);
        return e > 0 ? sc.errnos().portable(e) : e;
    }

    @Override
    public SocketAddress address(long fd, boolean local) {
        MemorySegment length = scratch.asSlice(0, 4);
        int r = Posix.socketName(callState, (int) fd, local, sockaddr, length);
        if (r < 0) throw new AsyncIoException(local ? "getsockname" : "getpeername", -r);
        return SockAddr.decode(sockaddr, length.get(java.lang.foreign.ValueLayout.JAVA_INT, 0), sc);
    }

    @Override
    public void shutdownOutput(long fd) {
        int r = Posix.shutdown(callState, (int) fd, sc.shutWr());
        if (r < 0) throw new AsyncIoException("shutdown(SHUT_WR)", -r);
    }

    @Override
    public <T> void setOption(long fd, SocketOption<T> option, T value) {
        options.set(optionCalls, fd, option, value);
    }

    @Override
    public <T> T getOption(long fd, SocketOption<T> option) {
        return options.get(optionCalls, fd, option);
    }

    /** setsockopt and getsockopt as {@link SocketOptions} needs them, on the loop's scratch memory. */
    private final SocketOptions.Calls optionCalls = new SocketOptions.Calls() {
        @Override
        public int setInt(long fd, int level, int name, int value) {
            return Posix.setIntOption(callState, (int) fd, level, name, value, scratch);
        }

        @Override
        public int setLinger(long fd, int level, int name, int seconds) { // struct linger { int l_onoff; int l_linger; }
            scratch.set(JAVA_INT, 0, seconds < 0 ? 0 : 1);
            scratch.set(JAVA_INT, 4, Math.max(seconds, 0));
            return Posix.setOption(callState, (int) fd, level, name, scratch.asSlice(0, 8), 8);
        }

        @Override
        public int getInt(long fd, int level, int name) {
            return Posix.getIntOption(callState, (int) fd, level, name, scratch);
        }

        @Override
        public int getLinger(long fd, int level, int name) {
            int r = Posix.getOption(callState, (int) fd, level, name, scratch.asSlice(0, 8), scratch.asSlice(8, 4));
            return r < 0 ? r : scratch.get(JAVA_INT, 0) == 0 ? SocketOptions.LINGER_OFF : scratch.get(JAVA_INT, 4);
        }

        /** getsockname's sa_family: a socket has one before it is bound (an address's class would not do: ::ffff:a.b.c.d decodes as IPv4). */
        @Override
        public int family(long fd) {
            int r = Posix.socketName(callState, (int) fd, true, sockaddr, scratch.asSlice(0, 4));
            return r < 0 ? r : SockAddr.familyOf(sockaddr, sc);
        }
    };

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    /** close(2): 0 or the negated errno. */
    @Override
    public int close(long fd) {
        return Posix.close(callState, (int) fd);
    }
}
