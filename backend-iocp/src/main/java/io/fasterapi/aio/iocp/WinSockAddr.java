package io.fasterapi.aio.iocp;

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
 * Encodes and decodes Windows' {@code SOCKADDR_IN} (ws2def.h) and {@code SOCKADDR_IN6}
 * (ws2ipdef.h): a 16-bit family first (no {@code sin_len}), port and address in network byte
 * order, and {@code AF_INET6} = 23.
 *
 * <pre>
 * struct sockaddr_in  { ADDRESS_FAMILY sin_family; USHORT sin_port; IN_ADDR sin_addr; CHAR sin_zero[8]; };
 * struct sockaddr_in6 { ADDRESS_FAMILY sin6_family; USHORT sin6_port; ULONG sin6_flowinfo; IN6_ADDR sin6_addr;
 *                       union { ULONG sin6_scope_id; SCOPE_ID sin6_scope_struct; }; };
 * </pre>
 */
final class WinSockAddr {
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code IN_ADDR} is a union with a {@code ULONG}: 4-byte aligned, and so is the struct. */
    static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withByteAlignment(4).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    /** sizeof(SOCKADDR_STORAGE) (ws2def.h). */
    static final long STORAGE_SIZE = 128;
    /** What AcceptEx needs per address: "at least 16 bytes more than the maximum address length". */
    static final int ACCEPT_ADDRESS_LENGTH = (int) STORAGE_SIZE + 16;

    private static final VarHandle FAMILY = SOCKADDR_IN.varHandle(groupElement("sin_family"));
    private static final VarHandle IN_PORT = SOCKADDR_IN.varHandle(groupElement("sin_port"));
    private static final long IN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final VarHandle IN6_PORT = SOCKADDR_IN6.varHandle(groupElement("sin6_port"));
    private static final long IN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    private static final VarHandle IN6_SCOPE = SOCKADDR_IN6.varHandle(groupElement("sin6_scope_id"));

    private WinSockAddr() {
    }

    /** The family to open a socket for {@code address}. */
    static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? Winsock.AF_INET : Winsock.AF_INET6;
    }

    /** Writes {@code address} into {@code out} (at least {@link #STORAGE_SIZE} bytes); returns its length. */
    static int encode(InetSocketAddress address, MemorySegment out) {
        InetAddress ip = address.getAddress();
        out.asSlice(0, STORAGE_SIZE).fill((byte) 0);
        if (ip instanceof Inet4Address) {
            FAMILY.set(out, 0L, (short) Winsock.AF_INET);
            IN_PORT.set(out, 0L, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, out, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return (int) SOCKADDR_IN.byteSize();
        }
        Inet6Address ip6 = (Inet6Address) ip;
        FAMILY.set(out, 0L, (short) Winsock.AF_INET6);
        IN6_PORT.set(out, 0L, (short) address.getPort());
        MemorySegment.copy(ip6.getAddress(), 0, out, ValueLayout.JAVA_BYTE, IN6_ADDR, 16);
        IN6_SCOPE.set(out, 0L, ip6.getScopeId());
        return (int) SOCKADDR_IN6.byteSize();
    }

    /** The wildcard address of {@code family}, port 0: what ConnectEx needs its socket bound to. */
    static int encodeWildcard(int family, MemorySegment out) {
        out.asSlice(0, STORAGE_SIZE).fill((byte) 0);
        FAMILY.set(out, 0L, (short) family);
        return (int) (family == Winsock.AF_INET ? SOCKADDR_IN.byteSize() : SOCKADDR_IN6.byteSize());
    }

    /** Reads an address written by Winsock (getsockname, getpeername). */
    /** Reads a datagram's sender into {@code into} without allocating ({@code scratch}: 16 bytes); false for another family. */
    static boolean decodeInto(MemorySegment in, io.fasterapi.aio.DatagramSender into, byte[] scratch) {
        int family = Short.toUnsignedInt((short) FAMILY.get(in, 0L));
        if (family == Winsock.AF_INET) {
            MemorySegment.copy(in, java.lang.foreign.ValueLayout.JAVA_BYTE, IN_ADDR, scratch, 0, 4);
            into.set(scratch, 0, 4, Short.toUnsignedInt((short) IN_PORT.get(in, 0L)), 0);
            return true;
        }
        if (family == Winsock.AF_INET6) {
            MemorySegment.copy(in, java.lang.foreign.ValueLayout.JAVA_BYTE, IN6_ADDR, scratch, 0, 16);
            into.set(scratch, 0, 16, Short.toUnsignedInt((short) IN6_PORT.get(in, 0L)), (int) IN6_SCOPE.get(in, 0L));
            return true;
        }
        return false;
    }

    static InetSocketAddress decode(MemorySegment in) {
        int family = Short.toUnsignedInt((short) FAMILY.get(in, 0L));
        try {
            if (family == Winsock.AF_INET) {
                byte[] a = in.asSlice(IN_ADDR, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(a), Short.toUnsignedInt((short) IN_PORT.get(in, 0L)));
            }
            if (family == Winsock.AF_INET6) {
                byte[] a = in.asSlice(IN6_ADDR, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = (int) IN6_SCOPE.get(in, 0L);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope) : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, Short.toUnsignedInt((short) IN6_PORT.get(in, 0L)));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Winsock returned a malformed address", e);
        }
        throw new IllegalStateException("unexpected address family " + family);
    }
}
