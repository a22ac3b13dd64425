package io.fasterapi.aio.unix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Encodes and decodes {@code struct sockaddr_in} and {@code sockaddr_in6}; ports and addresses in
 * network byte order. Two layouts, chosen by {@link SocketConstants#sockaddrLen()}:
 *
 * <pre>
 * Linux ({@code <netinet/in.h>}, {@code <linux/in6.h>}): a 16-bit family first.
 * struct sockaddr_in  { sa_family_t sin_family; in_port_t sin_port; struct in_addr sin_addr; char sin_zero[8]; };
 * struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo;
 *                       struct in6_addr sin6_addr; uint32_t sin6_scope_id; };
 *
 * macOS and FreeBSD ({@code <netinet/in.h>}, {@code <netinet6/in6.h>}): the length, then an 8-bit family.
 * struct sockaddr_in  { uint8_t sin_len; sa_family_t sin_family; in_port_t sin_port; struct in_addr sin_addr;
 *                       char sin_zero[8]; };
 * struct sockaddr_in6 { uint8_t sin6_len; sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo;
 *                       struct in6_addr sin6_addr; uint32_t sin6_scope_id; };
 * </pre>
 * Port, address, flow and scope sit at the same offsets in both; only the first two bytes differ.
 */
public final class SockAddr {
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    /** BSD {@code struct sockaddr_in} (16 bytes). */
    public static final StructLayout BSD_SOCKADDR_IN = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("sin_len"),
            ValueLayout.JAVA_BYTE.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    /** BSD {@code struct sockaddr_in6} (28 bytes). */
    public static final StructLayout BSD_SOCKADDR_IN6 = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("sin6_len"),
            ValueLayout.JAVA_BYTE.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    /** {@code sizeof(struct sockaddr_storage)}: room for any address (128 on Linux, macOS and FreeBSD). */
    public static final long STORAGE_SIZE = 128;

    private static final VarHandle IN_FAMILY = SOCKADDR_IN.varHandle(groupElement("sin_family"));
    private static final VarHandle IN_PORT = SOCKADDR_IN.varHandle(groupElement("sin_port"));
    private static final long IN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final VarHandle IN6_PORT = SOCKADDR_IN6.varHandle(groupElement("sin6_port"));
    private static final VarHandle IN6_FLOW = SOCKADDR_IN6.varHandle(groupElement("sin6_flowinfo"));
    private static final long IN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    private static final VarHandle IN6_SCOPE = SOCKADDR_IN6.varHandle(groupElement("sin6_scope_id"));
    private static final VarHandle BSD_LEN = BSD_SOCKADDR_IN.varHandle(groupElement("sin_len"));
    private static final VarHandle BSD_FAMILY = BSD_SOCKADDR_IN.varHandle(groupElement("sin_family"));

    private SockAddr() {
    }

    /** Writes {@code address} into {@code out} (at least {@link #STORAGE_SIZE} bytes); returns its length. */
    public static int encode(InetSocketAddress address, SocketConstants c, MemorySegment out) {
        InetAddress ip = address.getAddress();
        out.asSlice(0, SOCKADDR_IN6.byteSize()).fill((byte) 0);
        if (ip instanceof Inet4Address) {
            setFamily(out, c, c.afInet(), SOCKADDR_IN.byteSize());
            IN_PORT.set(out, 0L, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, out, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return (int) SOCKADDR_IN.byteSize();
        }
        Inet6Address ip6 = (Inet6Address) ip;
        setFamily(out, c, c.afInet6(), SOCKADDR_IN6.byteSize());
        IN6_PORT.set(out, 0L, (short) address.getPort());
        IN6_FLOW.set(out, 0L, 0);
        MemorySegment.copy(ip6.getAddress(), 0, out, ValueLayout.JAVA_BYTE, IN6_ADDR, 16);
        IN6_SCOPE.set(out, 0L, ip6.getScopeId());
        return (int) SOCKADDR_IN6.byteSize();
    }

    private static void setFamily(MemorySegment out, SocketConstants c, int family, long length) {
        if (c.sockaddrLen()) {
            BSD_LEN.set(out, 0L, (byte) length);
            BSD_FAMILY.set(out, 0L, (byte) family);
        } else {
            IN_FAMILY.set(out, 0L, (short) family);
        }
    }

    /** Writes an {@link InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}; returns its length. */
    public static int encode(java.net.SocketAddress address, SocketConstants c, MemorySegment out) {
        return address instanceof java.net.UnixDomainSocketAddress u ? encode(u, c, out)
                : encode((InetSocketAddress) address, c, out);
    }

    /** The address family to open a socket for {@code address}. */
    public static int family(InetSocketAddress address, SocketConstants c) {
        return address.getAddress() instanceof Inet4Address ? c.afInet() : c.afInet6();
    }

    /** The address family of a sockaddr written by the kernel (BSD: after sa_len). */
    public static int familyOf(MemorySegment in, SocketConstants c) {
        return c.sockaddrLen() ? Byte.toUnsignedInt((byte) BSD_FAMILY.get(in, 0L))
                : Short.toUnsignedInt((short) IN_FAMILY.get(in, 0L));
    }

    /** {@code AF_UNIX}: 1 on Linux, macOS, FreeBSD (and Windows). */
    public static final int AF_UNIX = 1;
    /** Where {@code sun_path} starts in {@code struct sockaddr_un}: after the family (Linux) or length and family (BSD). */
    public static final long SUN_PATH = 2;

    /** {@code sizeof(sun_path)}: 108 on Linux, 104 on macOS and FreeBSD. */
    public static int sunPathSize(SocketConstants c) {
        return c.sockaddrLen() ? 104 : 108;
    }

    /**
     * Writes {@code address} as a {@code struct sockaddr_un} into {@code out}; returns its length
     * (the path and its NUL). A path that is empty or does not fit {@code sun_path} with its NUL is
     * refused: no abstract or auto-bound addresses.
     */
    public static int encode(java.net.UnixDomainSocketAddress address, SocketConstants c, MemorySegment out) {
        byte[] path = pathBytes(address);
        int room = sunPathSize(c) - 1;
        if (path.length == 0) throw new IllegalArgumentException("an empty Unix domain socket path");
        if (path.length > room) {
            throw new IllegalArgumentException("Unix domain socket path of " + path.length + " bytes: " + c.os()
                    + " holds " + room + " (" + address.getPath() + ")");
        }
        int length = (int) SUN_PATH + path.length + 1;
        out.asSlice(0, SUN_PATH + sunPathSize(c)).fill((byte) 0);
        setFamily(out, c, AF_UNIX, length);
        MemorySegment.copy(path, 0, out, ValueLayout.JAVA_BYTE, SUN_PATH, path.length);
        return length;
    }

    /** The path's bytes as the file system names it. */
    private static byte[] pathBytes(java.net.UnixDomainSocketAddress address) {
        return address.getPath().toString().getBytes(pathCharset());
    }

    /** How the JDK encodes file names ({@code sun.jnu.encoding}), UTF-8 if it does not say. */
    private static java.nio.charset.Charset pathCharset() {
        String jnu = System.getProperty("sun.jnu.encoding");
        return jnu != null && java.nio.charset.Charset.isSupported(jnu) ? java.nio.charset.Charset.forName(jnu)
                : java.nio.charset.StandardCharsets.UTF_8;
    }

    /**
     * Reads an address of {@code length} bytes written by the kernel (getsockname, getpeername,
     * accept): an {@link InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress} (with an
     * empty path for an unnamed socket).
     */
    public static java.net.SocketAddress decode(MemorySegment in, int length, SocketConstants c) {
        if (familyOf(in, c) != AF_UNIX) return decode(in, c);
        int n = (int) Math.max(0, Math.min(length - SUN_PATH, sunPathSize(c)));
        int end = 0;
        while (end < n && in.get(ValueLayout.JAVA_BYTE, SUN_PATH + end) != 0) end++;
        byte[] path = in.asSlice(SUN_PATH, end).toArray(ValueLayout.JAVA_BYTE);
        return java.net.UnixDomainSocketAddress.of(new String(path, pathCharset()));
    }

    /**
     * Reads an IPv4 or IPv6 address written by the kernel (a datagram's sender) into {@code into},
     * without allocating; {@code scratch} holds 16 bytes. Returns false for another family.
     */
    public static boolean decodeInto(MemorySegment in, SocketConstants c, io.fasterapi.aio.DatagramSender into, byte[] scratch) {
        int family = familyOf(in, c);
        if (family == c.afInet()) {
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, IN_ADDR, scratch, 0, 4);
            into.set(scratch, 0, 4, Short.toUnsignedInt((short) IN_PORT.get(in, 0L)), 0);
            return true;
        }
        if (family == c.afInet6()) {
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, IN6_ADDR, scratch, 0, 16);
            into.set(scratch, 0, 16, Short.toUnsignedInt((short) IN6_PORT.get(in, 0L)), (int) IN6_SCOPE.get(in, 0L));
            return true;
        }
        return false;
    }

    /** Reads an address written by the kernel (getsockname, getpeername). */
    public static InetSocketAddress decode(MemorySegment in, SocketConstants c) {
        int family = familyOf(in, c);
        try {
            if (family == c.afInet()) {
                byte[] a = in.asSlice(IN_ADDR, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(a), Short.toUnsignedInt((short) IN_PORT.get(in, 0L)));
            }
            if (family == c.afInet6()) {
                byte[] a = in.asSlice(IN6_ADDR, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = (int) IN6_SCOPE.get(in, 0L);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope) : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, Short.toUnsignedInt((short) IN6_PORT.get(in, 0L)));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned a malformed address", e);
        }
        throw new IllegalStateException("unexpected address family " + family);
    }
}
