package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIoException;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Java's socket options on one operating system's {@code setsockopt} numbers: which options it
 * has, and what a value means, written once for every backend. A {@link Sockets} keeps one table
 * and does only the system call (and the OS's {@code struct linger}).
 *
 * <p>Options are the ones of {@link StandardSocketOptions} a stream socket, listener or UDP socket takes, and
 * {@code jdk.net.ExtendedSocketOptions}' TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT and
 * TCP_QUICKACK. These are recognised by name and type, so that this module needs no
 * {@code jdk.net} (which an OSGi container may not export).
 */
public final class SocketOptions {
    /** How a value is checked and passed. */
    public enum Kind {
        /** Boolean, passed as an int 0 or 1. */
        FLAG,
        /** A positive Integer (buffer sizes, keep-alive times and counts). */
        POSITIVE,
        /** Integer 0 to 255 (IP_TOS; IPV6_TCLASS on an IPv6 socket). */
        TOS,
        /** Integer seconds, negative for off: passed as {@code struct linger}. */
        LINGER
    }

    /**
     * One option's numbers: {@code level}/{@code name}, and {@code level6}/{@code name6} on an
     * IPv6 socket where they differ (IP_TOS is IPV6_TCLASS there), else the same.
     */
    public record Entry(String option, Class<?> type, Kind kind, int level, int name, int level6, int name6) {
        /** The numbers for a socket of this family. */
        public int level(boolean ipv6) {
            return ipv6 ? level6 : level;
        }

        public int name(boolean ipv6) {
            return ipv6 ? name6 : name;
        }
    }

    /**
     * The calls an option needs on one socket API; each returns 0 or the value, or a negated
     * error number.
     */
    public interface Calls {
        int setInt(long fd, int level, int name, int value);

        /** {@code struct linger}: on with {@code seconds}, or off when {@code seconds} is negative. */
        int setLinger(long fd, int level, int name, int seconds);

        int getInt(long fd, int level, int name);

        /** {@code struct linger}: its seconds, {@link #LINGER_OFF} when off, or a negated error number. */
        int getLinger(long fd, int level, int name);

        /** {@code fd}'s address family (it has one before it is bound), or a negated error number. */
        int family(long fd);
    }

    /**
     * The numbers {@link #adoptable} asks with: SOL_SOCKET, SO_TYPE, SOCK_STREAM, SO_ACCEPTCONN,
     * AF_INET, AF_INET6, and AF_UNIX where the backend takes Unix domain sockets (0: it does not).
     */
    public record Kinds(int solSocket, int soType, int sockStream, int soAcceptconn, int afInet, int afInet6, int afUnix) {
        /** Without Unix domain sockets. */
        public Kinds(int solSocket, int soType, int sockStream, int soAcceptconn, int afInet, int afInet6) {
            this(solSocket, soType, sockStream, soAcceptconn, afInet, afInet6, 0);
        }
    }

    /** {@link Calls#getLinger}'s "off" (no errno is this large). */
    public static final int LINGER_OFF = Integer.MIN_VALUE;

    private final String os;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Kinds kinds;
    private Set<SocketOption<?>> supported;

    /** An empty table for {@code os} (named in the refusal of an option it lacks). */
    public SocketOptions(String os) {
        this.os = os;
    }

    /** Adds an option ({@code level} or {@code name} 0 or negative: this OS lacks it, skipped). */
    public SocketOptions add(SocketOption<?> option, Kind kind, int level, int name) {
        return add(option.name(), option.type(), kind, level, name, level, name);
    }

    /** Adds an option by name and type, with other numbers on IPv6 sockets. */
    public SocketOptions add(String option, Class<?> type, Kind kind, int level, int name, int level6, int name6) {
        if (name > 0) entries.put(option, new Entry(option, type, kind, level, name, level6, name6));
        return this;
    }

    /** Sets the numbers {@link #adoptable} and the IPv6 check use. */
    public SocketOptions kinds(Kinds k) {
        this.kinds = k;
        return this;
    }

    /**
     * For {@code adopt}: {@link Handles#KIND_LISTENER} if {@code fd} is a listening IPv4/IPv6 TCP
     * (or Unix domain stream) socket, {@link Handles#KIND_STREAM} if another one. Only asks (getsockopt, getsockname), so
     * a refusal changes nothing: {@link io.fasterapi.aio.AsyncIoException} with the call's error
     * (EBADF, ENOTSOCK), EPROTOTYPE for another socket type, EAFNOSUPPORT for another family.
     */
    public int adoptable(Calls calls, long fd) {
        int type = calls.getInt(fd, kinds.solSocket(), kinds.soType());
        if (type < 0) throw new AsyncIoException("adopt " + fd + ": not a socket (getsockopt SO_TYPE)", -type);
        if (type != kinds.sockStream()) {
            throw new AsyncIoException("adopt " + fd + ": not a stream socket (SO_TYPE " + type + ")",
                    io.fasterapi.aio.Errno.EPROTOTYPE.code());
        }
        int family = calls.family(fd);
        if (family < 0) throw new AsyncIoException("adopt " + fd + ": its address family", -family);
        boolean unix = kinds.afUnix() != 0 && family == kinds.afUnix();
        if (family != kinds.afInet() && family != kinds.afInet6() && !unix) {
            throw new AsyncIoException("adopt " + fd + ": not an IPv4, IPv6" + (kinds.afUnix() != 0 ? " or Unix domain" : "")
                    + " socket (family " + family + ")", io.fasterapi.aio.Errno.EAFNOSUPPORT.code());
        }
        int listening = calls.getInt(fd, kinds.solSocket(), kinds.soAcceptconn());
        if (listening < 0) throw new AsyncIoException("adopt " + fd + ": getsockopt SO_ACCEPTCONN", -listening);
        return listening != 0 ? Handles.KIND_LISTENER : Handles.KIND_STREAM;
    }

    /** The OS this table is for. */
    public String os() {
        return os;
    }

    /**
     * The entry of {@code option}.
     *
     * @throws NullPointerException          if {@code option} is null
     * @throws UnsupportedOperationException naming the option and the OS, if this OS lacks it
     */
    public Entry entry(SocketOption<?> option) {
        Entry e = entries.get(option.name());
        if (e == null || e.type() != option.type()) {
            throw new UnsupportedOperationException("socket option " + option.name() + " is not supported on " + os);
        }
        return e;
    }

    /**
     * The int to pass for {@code value}: 0/1 for a flag, the number otherwise, -1 for linger off.
     *
     * @throws IllegalArgumentException if the value is null or out of the option's range
     */
    public static int encode(Entry e, Object value) {
        if (value == null || !e.type().isInstance(value)) {
            throw new IllegalArgumentException("socket option " + e.option() + ": invalid value " + value);
        }
        return switch (e.kind()) {
            case FLAG -> (Boolean) value ? 1 : 0;
            case POSITIVE -> {
                int v = (Integer) value;
                if (v <= 0) throw new IllegalArgumentException("socket option " + e.option() + " must be positive, was " + v);
                yield v;
            }
            case TOS -> {
                int v = (Integer) value;
                if (v < 0 || v > 255) throw new IllegalArgumentException("socket option " + e.option() + " must be 0..255, was " + v);
                yield v;
            }
            case LINGER -> Math.max(-1, Math.min((Integer) value, 65535)); // as the JDK's sockets: capped, negative is off
        };
    }

    /** The Java value of what the OS reported ({@link #encode}'s inverse; linger off is -1). */
    public static Object decode(Entry e, int value) {
        return e.kind() == Kind.FLAG ? Boolean.valueOf(value != 0) : Integer.valueOf(value);
    }

    /**
     * setsockopt of a Java option through {@code calls}. Throws as
     * {@link io.fasterapi.aio.AsyncIo#setOption} documents.
     */
    public <T> void set(Calls calls, long fd, SocketOption<T> option, T value) {
        Entry e = entry(option);
        int v = encode(e, value);
        boolean v6 = family6(calls, fd, e);
        int r = e.kind() == Kind.LINGER ? calls.setLinger(fd, e.level(v6), e.name(v6), v)
                : calls.setInt(fd, e.level(v6), e.name(v6), v);
        if (r < 0) throw new AsyncIoException("setsockopt(" + option.name() + ", " + value + ")", -r);
    }

    /** getsockopt of a Java option through {@code calls}; SO_LINGER is -1 when off. */
    @SuppressWarnings("unchecked")
    public <T> T get(Calls calls, long fd, SocketOption<T> option) {
        Entry e = entry(option);
        boolean v6 = family6(calls, fd, e);
        int v = e.kind() == Kind.LINGER ? calls.getLinger(fd, e.level(v6), e.name(v6)) : calls.getInt(fd, e.level(v6), e.name(v6));
        if (v == LINGER_OFF) v = -1;
        else if (v < 0) throw new AsyncIoException("getsockopt(" + option.name() + ")", -v);
        return (T) decode(e, v);
    }

    /** Whether the numbers for an IPv6 socket apply, asked only of the options whose numbers differ there. */
    private boolean family6(Calls calls, long fd, Entry e) {
        if (e.level(true) == e.level(false) && e.name(true) == e.name(false)) return false;
        boolean v6 = calls.family(fd) == kinds.afInet6();
        if (e.name(v6) <= 0) {
            throw new UnsupportedOperationException("socket option " + e.option() + " is not supported on "
                    + (v6 ? "IPv6" : "IPv4") + " sockets on " + os);
        }
        return v6;
    }

    /** The options this OS has, as Java's {@link SocketOption} objects. */
    public Set<SocketOption<?>> supported() {
        if (supported == null) { // once: the jdk.net objects are found by reflection
            Set<SocketOption<?>> s = new LinkedHashSet<>();
            for (Entry e : entries.values()) {
                SocketOption<?> o = known(e.option());
                if (o != null) s.add(o);
            }
            supported = Collections.unmodifiableSet(s);
        }
        return supported;
    }

    /** The SocketOption object of a name: StandardSocketOptions', or jdk.net's when the JDK has it. */
    private static SocketOption<?> known(String name) {
        for (SocketOption<?> o : new SocketOption<?>[] {StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.IP_TOS,
                StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP}) {
            if (o.name().equals(name)) return o;
        }
        try { // public static fields of a module every JDK has; looked up so that this module need not read it
            Class<?> c = Class.forName("jdk.net.ExtendedSocketOptions", true, ClassLoader.getPlatformClassLoader());
            return (SocketOption<?>) c.getField(name).get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Adds the options of UDP sockets: SO_BROADCAST, and IP_MULTICAST_TTL and IP_MULTICAST_LOOP
     * (IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP on an IPv6 socket). 0: the OS lacks it.
     */
    public SocketOptions datagram(int solSocket, int ipprotoIpv6, int soBroadcast, int ipMulticastTtl, int ipMulticastLoop,
                                  int ipv6MulticastHops, int ipv6MulticastLoop) {
        add(StandardSocketOptions.SO_BROADCAST, Kind.FLAG, solSocket, soBroadcast);
        add("IP_MULTICAST_TTL", Integer.class, Kind.TOS, 0, ipMulticastTtl, ipprotoIpv6, ipv6MulticastHops);
        add("IP_MULTICAST_LOOP", Boolean.class, Kind.FLAG, 0, ipMulticastLoop, ipprotoIpv6, ipv6MulticastLoop);
        return this;
    }

    /**
     * The table of a POSIX or Winsock system from its numbers (0: the OS lacks that option).
     * {@code ipprotoIp} is 0 everywhere; {@code tcpKeepidle} is TCP_KEEPALIVE on macOS.
     */
    public static SocketOptions of(String os, int solSocket, int ipprotoTcp, int ipprotoIpv6, int tcpNodelay,
                                   int soKeepalive, int soRcvbuf, int soSndbuf, int soLinger, int soReuseaddr,
                                   int soReuseport, int ipTos, int ipv6Tclass, int tcpKeepidle, int tcpKeepintvl,
                                   int tcpKeepcnt, int tcpQuickack) {
        SocketOptions t = new SocketOptions(os);
        t.add(StandardSocketOptions.TCP_NODELAY, Kind.FLAG, ipprotoTcp, tcpNodelay);
        t.add(StandardSocketOptions.SO_KEEPALIVE, Kind.FLAG, solSocket, soKeepalive);
        t.add(StandardSocketOptions.SO_RCVBUF, Kind.POSITIVE, solSocket, soRcvbuf);
        t.add(StandardSocketOptions.SO_SNDBUF, Kind.POSITIVE, solSocket, soSndbuf);
        t.add(StandardSocketOptions.SO_LINGER, Kind.LINGER, solSocket, soLinger);
        t.add(StandardSocketOptions.SO_REUSEADDR, Kind.FLAG, solSocket, soReuseaddr);
        t.add(StandardSocketOptions.SO_REUSEPORT, Kind.FLAG, solSocket, soReuseport);
        t.add("IP_TOS", Integer.class, Kind.TOS, 0, ipTos, ipprotoIpv6, ipv6Tclass);
        t.add("TCP_KEEPIDLE", Integer.class, Kind.POSITIVE, ipprotoTcp, tcpKeepidle, ipprotoTcp, tcpKeepidle);
        t.add("TCP_KEEPINTERVAL", Integer.class, Kind.POSITIVE, ipprotoTcp, tcpKeepintvl, ipprotoTcp, tcpKeepintvl);
        t.add("TCP_KEEPCOUNT", Integer.class, Kind.POSITIVE, ipprotoTcp, tcpKeepcnt, ipprotoTcp, tcpKeepcnt);
        t.add("TCP_QUICKACK", Boolean.class, Kind.FLAG, ipprotoTcp, tcpQuickack, ipprotoTcp, tcpQuickack);
        return t;
    }
}
