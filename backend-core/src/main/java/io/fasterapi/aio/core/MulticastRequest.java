package io.fasterapi.aio.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;

/**
 * The argument of a multicast join or leave, the same on Linux, the BSDs and Windows:
 * {@code struct ip_mreq} (the group, then the interface's IPv4 address or INADDR_ANY; 8 bytes) or
 * {@code struct ipv6_mreq} (the group, then the interface index or 0; 20 bytes). Written once for
 * every socket API.
 */
public final class MulticastRequest {
    private MulticastRequest() {
    }

    /**
     * Writes the request for {@code group} on {@code ni} (null: the system's choice) into {@code out}
     * (at least 20 bytes); returns its length, 8 (IPv4) or 20 (IPv6).
     *
     * @throws IllegalArgumentException if an IPv4 group's interface has no IPv4 address
     */
    public static int write(InetAddress group, NetworkInterface ni, MemorySegment out) {
        out.asSlice(0, 20).fill((byte) 0);
        if (group instanceof Inet4Address) {
            MemorySegment.copy(group.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 0, 4);
            if (ni != null) {
                InetAddress local = ni.inetAddresses().filter(a -> a instanceof Inet4Address).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("interface " + ni.getName() + " has no IPv4 address"));
                MemorySegment.copy(local.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 4, 4);
            }
            return 8;
        }
        MemorySegment.copy(group.getAddress(), 0, out, ValueLayout.JAVA_BYTE, 0, 16);
        out.set(ValueLayout.JAVA_INT_UNALIGNED, 16, ni == null ? 0 : ni.getIndex());
        return 20;
    }
}
