package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.core.SocketOptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The {@link CompletionPort} of a real Windows: Winsock initialised, one I/O completion port, the
 * AcceptEx / ConnectEx pointers looked up per address family with the first socket of that family.
 * Confined to the loop thread, except {@link #post}, which the loop serialises under its lock.
 */
final class WinsockPort implements CompletionPort {
    /**
     * Windows' options. SO_REUSEADDR is left out: on Windows it lets another socket take a bound
     * port, not what the option means elsewhere. The keep-alive times and counts (TCP_KEEPALIVE,
     * TCP_KEEPINTVL, TCP_KEEPCNT, Windows 10 1709+) are not in mingw-w64 10's headers, which the
     * constants here are checked against, so they are refused; TCP_QUICKACK has no Windows form.
     */
    static final SocketOptions OPTIONS = SocketOptions.of("Windows", Winsock.SOL_SOCKET, Winsock.IPPROTO_TCP,
            Winsock.IPPROTO_IPV6, Winsock.TCP_NODELAY, Winsock.SO_KEEPALIVE, Winsock.SO_RCVBUF, Winsock.SO_SNDBUF,
            Winsock.SO_LINGER, 0, 0, Winsock.IP_TOS, Winsock.IPV6_TCLASS, 0, 0, 0, 0).datagram(Winsock.SOL_SOCKET,
            Winsock.IPPROTO_IPV6, Winsock.SO_BROADCAST, Winsock.IP_MULTICAST_TTL, Winsock.IP_MULTICAST_LOOP,
            Winsock.IPV6_MULTICAST_HOPS, Winsock.IPV6_MULTICAST_LOOP).kinds(new SocketOptions.Kinds(
            Winsock.SOL_SOCKET, Winsock.SO_TYPE, Winsock.SOCK_STREAM, Winsock.SO_ACCEPTCONN, Winsock.AF_INET, Winsock.AF_INET6));

    private final Arena arena;
    private final MemorySegment state;
    /** The call state of {@link #post}, which runs on other threads. */
    private final MemorySegment postState;
    private final MemorySegment sockaddr;
    private final MemorySegment intValue;
    private final MemorySegment longValue;
    private final MemorySegment dword;
    private final MemorySegment removed;
    private final MemorySegment scratch;
    private final MemorySegment protocolInfo;
    private final long port;
    /** AcceptEx and ConnectEx per family: [0] AF_INET, [1] AF_INET6; NULL until first needed. */
    private final MemorySegment[] acceptEx = {MemorySegment.NULL, MemorySegment.NULL};
    private final MemorySegment[] connectEx = {MemorySegment.NULL, MemorySegment.NULL};

    private WinsockPort(Arena arena, MemorySegment state, long port) {
        this.arena = arena;
        this.state = state;
        this.port = port;
        this.postState = arena.allocate(Winsock.callStateLayout());
        this.sockaddr = arena.allocate(WinSockAddr.STORAGE_SIZE, 8);
        this.intValue = arena.allocate(JAVA_INT);
        this.longValue = arena.allocate(JAVA_LONG);
        this.dword = arena.allocate(JAVA_INT);
        this.removed = arena.allocate(JAVA_INT);
        this.scratch = arena.allocate(32, 8);
        this.protocolInfo = arena.allocate(Winsock.PROTOCOL_INFO_SIZE, 8);
    }

    /** Starts Winsock and creates the port. Throws {@link AsyncIoException} when either fails. */
    static WinsockPort open() {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment st = arena.allocate(Winsock.callStateLayout());
            int r = Winsock.wsaStartup(st, arena.allocate(Winsock.WSADATA));
            if (r != 0) throw new AsyncIoException("WSAStartup(2.2) failed: Winsock error " + r, WindowsErrors.errno(r).code());
            long port = Winsock.createIoCompletionPort(st, Winsock.INVALID_HANDLE_VALUE, 0, 0, 1);
            if (port == 0) {
                int e = Winsock.lastError(st);
                Winsock.wsaCleanup(st);
                throw new AsyncIoException("CreateIoCompletionPort failed: Windows error " + e, WindowsErrors.errno(e).code());
            }
            return new WinsockPort(arena, st, port);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private int wsaError() {
        return WindowsErrors.result(Winsock.wsaLastError(state));
    }

    /** The result of an overlapped request call: 0 when it runs (or ran) and will post its entry, else the error. */
    private int started(boolean ok) {
        if (ok) return 0;
        int e = Winsock.wsaLastError(state);
        return e == WindowsErrors.ERROR_IO_PENDING ? 0 : WindowsErrors.result(e);
    }

    private int setInt(long s, int level, int name, int value) {
        intValue.set(JAVA_INT, 0, value);
        return Winsock.setsockopt(state, s, level, name, intValue, 4) == 0 ? 0 : wsaError();
    }

    @Override
    public long openListener(InetSocketAddress address, ListenOptions options) {
        if (options.reusePort()) {
            throw new AsyncIoException("listen on " + address + ": Windows has no SO_REUSEPORT (its SO_REUSEADDR lets "
                    + "sockets share a port without spreading connections among them); use one listener",
                    Errno.EOPNOTSUPP.code());
        }
        int family = WinSockAddr.family(address);
        long s = Winsock.wsaSocket(state, family);
        if (s == Winsock.INVALID_SOCKET) throw new AsyncIoException("listen on " + address + ": WSASocketW failed", -wsaError());
        // reuseAddress: rebinding a port with connections in TIME_WAIT is Windows' default; its
        // SO_REUSEADDR means something else (sharing a bound port), so it is never set.
        int r = family == Winsock.AF_INET6 ? setInt(s, Winsock.IPPROTO_IPV6, Winsock.IPV6_V6ONLY, 0) : 0;
        String step = "setsockopt(IPV6_V6ONLY)";
        if (r == 0) applyOrClose(s, options.socketOptions());
        if (r == 0) {
            r = Winsock.bind(state, s, sockaddr, WinSockAddr.encode(address, sockaddr)) == 0 ? 0 : wsaError();
            step = "bind";
        }
        if (r == 0) {
            r = Winsock.listen(state, s, options.backlog()) == 0 ? 0 : wsaError();
            step = "listen";
        }
        if (r < 0) {
            Winsock.closesocket(state, s);
            throw new AsyncIoException("listen on " + address + ": " + step + " failed", -r);
        }
        return s;
    }

    /**
     * Refused: Windows 10 has AF_UNIX stream sockets, but Microsoft documents neither AcceptEx nor
     * ConnectEx (the completion port's accept and connect) for them, and ConnectEx is reported to
     * write past a {@code sockaddr_un} (libuv's pull request 4636). Not written until it can be tried
     * on Windows.
     */
    @Override
    public long openListener(java.net.UnixDomainSocketAddress address, io.fasterapi.aio.ListenOptions options) {
        throw noUnixSockets(address);
    }

    @Override
    public long openStream(java.net.UnixDomainSocketAddress remote) {
        throw noUnixSockets(remote);
    }

    /**
     * An overlapped UDP socket: IPV6_V6ONLY off, SIO_UDP_CONNRESET off (else a receive fails with
     * WSAECONNRESET after a datagram drew an ICMP port unreachable), SO_REUSEADDR if asked (on
     * Windows it lets sockets share a bound port, which is what a multicast group's members need),
     * the options, bind.
     */
    @Override
    public long openDatagram(InetSocketAddress bind, io.fasterapi.aio.DatagramOptions options) {
        if (options.reusePort()) {
            throw new AsyncIoException("openDatagram " + bind + ": Windows has no SO_REUSEPORT", Errno.EOPNOTSUPP.code());
        }
        int family = WinSockAddr.family(bind);
        long s = Winsock.wsaSocket(state, family, Winsock.SOCK_DGRAM, Winsock.IPPROTO_UDP);
        if (s == Winsock.INVALID_SOCKET) throw new AsyncIoException("openDatagram " + bind + ": WSASocketW failed", -wsaError());
        int r = family == Winsock.AF_INET6 ? setInt(s, Winsock.IPPROTO_IPV6, Winsock.IPV6_V6ONLY, 0) : 0;
        String step = "setsockopt(IPV6_V6ONLY)";
        if (r == 0) {
            r = Winsock.ioctlDword(state, s, Winsock.SIO_UDP_CONNRESET, 0, scratch) == 0 ? 0 : wsaError();
            step = "WSAIoctl(SIO_UDP_CONNRESET)";
        }
        if (r == 0 && options.reuseAddress()) {
            r = setInt(s, Winsock.SOL_SOCKET, Winsock.SO_REUSEADDR, 1);
            step = "setsockopt(SO_REUSEADDR)";
        }
        if (r == 0) applyOrClose(s, options.socketOptions());
        if (r == 0) {
            r = Winsock.bind(state, s, sockaddr, WinSockAddr.encode(bind, sockaddr)) == 0 ? 0 : wsaError();
            step = "bind";
        }
        if (r < 0) {
            Winsock.closesocket(state, s);
            throw new AsyncIoException("openDatagram " + bind + ": " + step + " failed", -r);
        }
        return s;
    }

    /** ip_mreq (group, interface address or INADDR_ANY) or ipv6_mreq (group, interface index or 0), as on POSIX. */
    @Override
    public void membership(long socket, java.net.InetAddress group, java.net.NetworkInterface ni, boolean join) {
        int length = io.fasterapi.aio.core.MulticastRequest.write(group, ni, sockaddr);
        int r = length == 8 ? Winsock.setsockopt(state, socket, 0, join ? Winsock.IP_ADD_MEMBERSHIP : Winsock.IP_DROP_MEMBERSHIP, sockaddr, 8)
                : Winsock.setsockopt(state, socket, Winsock.IPPROTO_IPV6,
                        join ? Winsock.IPV6_ADD_MEMBERSHIP : Winsock.IPV6_DROP_MEMBERSHIP, sockaddr, length);
        if (r != 0) throw new AsyncIoException((join ? "join" : "leave") + " group " + group.getHostAddress(), -wsaError());
    }

    @Override
    public void connectDatagram(long socket, InetSocketAddress remote) {
        if (Winsock.connect(state, socket, sockaddr, WinSockAddr.encode(remote, sockaddr)) != 0) {
            throw new AsyncIoException("connectDatagram " + remote + " failed", -wsaError());
        }
    }

    @Override
    public int receiveFrom(long socket, MemorySegment wsabuf, MemorySegment flags, MemorySegment from, MemorySegment fromLength,
                           long overlapped) {
        if (Winsock.wsaRecvFrom(state, socket, wsabuf, flags, from, fromLength, overlapped) == 0) return 0;
        int e = Winsock.wsaLastError(state);
        // WSAEMSGSIZE at once (a datagram longer than the buffer was waiting) is a warning, not a
        // refusal: the completion packet is queued all the same (STATUS_BUFFER_OVERFLOW), and the
        // kernel owns the request until it is reaped.
        return e == WindowsErrors.ERROR_IO_PENDING || e == WindowsErrors.WSAEMSGSIZE ? 0 : WindowsErrors.result(e);
    }

    @Override
    public int sendTo(long socket, MemorySegment wsabuf, MemorySegment to, int toLength, long overlapped) {
        return started(Winsock.wsaSendTo(state, socket, wsabuf, to, toLength, overlapped) == 0);
    }

    static io.fasterapi.aio.AsyncIoException noUnixSockets(java.net.UnixDomainSocketAddress a) {
        return new io.fasterapi.aio.AsyncIoException("Unix domain socket " + a + ": the iocp backend has none (AcceptEx and "
                + "ConnectEx are not documented for AF_UNIX); use a TCP socket on 127.0.0.1", io.fasterapi.aio.Errno.EAFNOSUPPORT.code());
    }

    @Override
    public long openStream(InetSocketAddress remote, io.fasterapi.aio.ConnectOptions options) {
        int family = WinSockAddr.family(remote);
        long s = Winsock.wsaSocket(state, family);
        if (s == Winsock.INVALID_SOCKET) throw new AsyncIoException("connect to " + remote + ": WSASocketW failed", -wsaError());
        int r = setInt(s, Winsock.IPPROTO_TCP, Winsock.TCP_NODELAY, 1);
        if (r == 0) applyOrClose(s, options.socketOptions());
        InetSocketAddress local = options.localAddress();
        if (r == 0) {
            int len = local != null ? WinSockAddr.encode(local, sockaddr) : WinSockAddr.encodeWildcard(family, sockaddr);
            r = Winsock.bind(state, s, sockaddr, len) == 0 ? 0 : wsaError();
        }
        if (r < 0) {
            Winsock.closesocket(state, s);
            throw new AsyncIoException("connect to " + remote + ": binding " + (local != null ? local : "the wildcard address")
                    + " for ConnectEx failed", -r);
        }
        return s;
    }

    /** Sets {@code options} on a socket just opened; closes it if one is refused (and rethrows). */
    private void applyOrClose(long s, java.util.Map<SocketOption<?>, Object> options) {
        if (options.isEmpty()) return;
        try {
            setOptions(s, options);
        } catch (RuntimeException e) {
            Winsock.closesocket(state, s);
            throw e;
        }
    }

    @Override
    public long openAcceptSocket(int family) {
        long s = Winsock.wsaSocket(state, family);
        return s == Winsock.INVALID_SOCKET ? wsaError() : s;
    }

    @Override
    public int associate(long socket, long key) {
        long r = Winsock.createIoCompletionPort(state, socket, port, key, 0);
        return r != 0 ? 0 : WindowsErrors.result(Winsock.lastError(state));
    }

    private MemorySegment extension(MemorySegment[] cache, int family, long socket, Winsock.Guid guid) {
        int i = family == Winsock.AF_INET ? 0 : 1;
        if (cache[i].equals(MemorySegment.NULL)) cache[i] = Winsock.extensionFunction(state, socket, guid, scratch);
        return cache[i];
    }

    @Override
    public int accept(long listener, int family, long acceptSocket, MemorySegment addresses, long overlapped) {
        MemorySegment fn = extension(acceptEx, family, listener, Winsock.WSAID_ACCEPTEX);
        if (fn.equals(MemorySegment.NULL)) return wsaError();
        return started(Winsock.acceptEx(state, fn, listener, acceptSocket, addresses, WinSockAddr.ACCEPT_ADDRESS_LENGTH,
                dword, overlapped) != 0);
    }

    @Override
    public int accepted(long acceptSocket, long listener) {
        longValue.set(JAVA_LONG, 0, listener);
        if (Winsock.setsockopt(state, acceptSocket, Winsock.SOL_SOCKET, Winsock.SO_UPDATE_ACCEPT_CONTEXT, longValue, 8) != 0) {
            return wsaError();
        }
        return setInt(acceptSocket, Winsock.IPPROTO_TCP, Winsock.TCP_NODELAY, 1);
    }

    @Override
    public int connect(long socket, InetSocketAddress remote, long overlapped) {
        int family = WinSockAddr.family(remote);
        MemorySegment fn = extension(connectEx, family, socket, Winsock.WSAID_CONNECTEX);
        if (fn.equals(MemorySegment.NULL)) return wsaError();
        int len = WinSockAddr.encode(remote, sockaddr);
        return started(Winsock.connectEx(state, fn, socket, sockaddr, len, overlapped) != 0);
    }

    @Override
    public int connected(long socket) {
        return Winsock.setsockopt(state, socket, Winsock.SOL_SOCKET, Winsock.SO_UPDATE_CONNECT_CONTEXT, MemorySegment.NULL, 0) == 0
                ? 0 : wsaError();
    }

    @Override
    public int receive(long socket, MemorySegment wsabuf, MemorySegment flags, long overlapped) {
        return started(Winsock.wsaRecv(state, socket, wsabuf, flags, overlapped) == 0);
    }

    @Override
    public int send(long socket, MemorySegment wsabufs, int count, long overlapped) {
        return started(Winsock.wsaSend(state, socket, wsabufs, count, overlapped) == 0);
    }

    @Override
    public int cancel(long socket, long overlapped) {
        return Winsock.cancelIoEx(state, socket, overlapped) != 0 ? 0 : WindowsErrors.result(Winsock.lastError(state));
    }

    @Override
    public int close(long socket) {
        return Winsock.closesocket(state, socket) == 0 ? 0 : wsaError();
    }

    @Override
    public java.net.SocketAddress address(long socket, boolean local) {
        intValue.set(JAVA_INT, 0, (int) WinSockAddr.STORAGE_SIZE);
        if (Winsock.socketName(state, socket, local, sockaddr, intValue) != 0) {
            throw new AsyncIoException(local ? "getsockname" : "getpeername", -wsaError());
        }
        return WinSockAddr.decode(sockaddr);
    }

    @Override
    public <T> void setOption(long socket, SocketOption<T> option, T value) {
        OPTIONS.set(optionCalls, socket, option, value);
    }

    @Override
    public <T> T getOption(long socket, SocketOption<T> option) {
        return OPTIONS.get(optionCalls, socket, option);
    }

    /** setsockopt and getsockopt as {@link SocketOptions} needs them. */
    private final SocketOptions.Calls optionCalls = new SocketOptions.Calls() {
        @Override
        public int setInt(long s, int level, int name, int value) {
            return WinsockPort.this.setInt(s, level, name, value);
        }

        @Override
        public int setLinger(long s, int level, int name, int seconds) { // struct linger { u_short l_onoff; u_short l_linger; }
            scratch.set(JAVA_SHORT, 0, (short) (seconds < 0 ? 0 : 1));
            scratch.set(JAVA_SHORT, Winsock.LINGER_SECONDS, (short) Math.max(seconds, 0));
            return Winsock.setsockopt(state, s, level, name, scratch, Winsock.LINGER_SIZE) == 0 ? 0 : wsaError();
        }

        @Override
        public int getInt(long s, int level, int name) {
            scratch.set(JAVA_INT, 0, 0);
            dword.set(JAVA_INT, 0, 4);
            return Winsock.getsockopt(state, s, level, name, scratch, dword) == 0 ? scratch.get(JAVA_INT, 0) : wsaError();
        }

        @Override
        public int getLinger(long s, int level, int name) {
            dword.set(JAVA_INT, 0, Winsock.LINGER_SIZE);
            if (Winsock.getsockopt(state, s, level, name, scratch, dword) != 0) return wsaError();
            return scratch.get(JAVA_SHORT, 0) == 0 ? SocketOptions.LINGER_OFF
                    : Short.toUnsignedInt(scratch.get(JAVA_SHORT, Winsock.LINGER_SECONDS));
        }

        /** From SO_PROTOCOL_INFOW: getsockname fails on a socket not bound yet. */
        @Override
        public int family(long s) {
            dword.set(JAVA_INT, 0, Winsock.PROTOCOL_INFO_SIZE);
            if (Winsock.getsockopt(state, s, Winsock.SOL_SOCKET, Winsock.SO_PROTOCOL_INFOW, protocolInfo, dword) != 0) {
                return wsaError();
            }
            return protocolInfo.get(JAVA_INT, Winsock.PROTOCOL_INFO_FAMILY);
        }
    };

    @Override
    public int adoptable(long socket) {
        return OPTIONS.adoptable(optionCalls, socket);
    }

    /** Nothing to change: Winsock sockets are overlapped by default, and the port association is the loop's register. */
    @Override
    public void prepareAdopted(long socket) {
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS.supported();
    }

    @Override
    public void shutdownOutput(long socket) {
        if (Winsock.shutdown(state, socket, Winsock.SD_SEND) != 0) throw new AsyncIoException("shutdown(SD_SEND)", -wsaError());
    }

    @Override
    public int wait(MemorySegment entries, int max, long timeoutMillis) {
        int millis = timeoutMillis < 0 ? Winsock.INFINITE : (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
        if (Winsock.getQueuedCompletionStatusEx(state, port, entries, max, removed, millis) != 0) {
            return removed.get(JAVA_INT, 0);
        }
        int e = Winsock.lastError(state);
        return e == WindowsErrors.WAIT_TIMEOUT ? 0 : WindowsErrors.result(e);
    }

    @Override
    public void post(long key) {
        Winsock.postQueuedCompletionStatus(postState, port, 0, key, 0);
    }

    @Override
    public void close() {
        Winsock.closeHandle(state, port);
        Winsock.wsaCleanup(state);
        arena.close();
    }
}
