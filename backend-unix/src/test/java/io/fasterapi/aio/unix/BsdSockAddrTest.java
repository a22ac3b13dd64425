package io.fasterapi.aio.unix;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The BSD sockaddr layouts against {@code <netinet/in.h>} and {@code <netinet6/in6.h>} of macOS
 * and FreeBSD (the same structs on both), and encoding / decoding with the macOS and FreeBSD
 * tables on segments filled here.
 */
class BsdSockAddrTest {

    private static long offset(StructLayout l, String field) {
        return l.byteOffset(groupElement(field));
    }

    @Test
    void bsdSockaddrLayoutsMatchTheHeaders() {
        StructLayout in = SockAddr.BSD_SOCKADDR_IN;
        // struct sockaddr_in { __uint8_t sin_len; sa_family_t sin_family; in_port_t sin_port;
        //                      struct in_addr sin_addr; char sin_zero[8]; };   sa_family_t is __uint8_t
        assertEquals(16, in.byteSize(), "sizeof(struct sockaddr_in)");
        assertEquals(0, offset(in, "sin_len"));
        assertEquals(1, offset(in, "sin_family"));
        assertEquals(2, offset(in, "sin_port"));
        assertEquals(4, offset(in, "sin_addr"));
        assertEquals(8, offset(in, "sin_zero"));
        StructLayout in6 = SockAddr.BSD_SOCKADDR_IN6;
        // struct sockaddr_in6 { __uint8_t sin6_len; sa_family_t sin6_family; in_port_t sin6_port;
        //                       __uint32_t sin6_flowinfo; struct in6_addr sin6_addr; __uint32_t sin6_scope_id; };
        assertEquals(28, in6.byteSize(), "sizeof(struct sockaddr_in6)");
        assertEquals(0, offset(in6, "sin6_len"));
        assertEquals(1, offset(in6, "sin6_family"));
        assertEquals(2, offset(in6, "sin6_port"));
        assertEquals(4, offset(in6, "sin6_flowinfo"));
        assertEquals(8, offset(in6, "sin6_addr"));
        assertEquals(24, offset(in6, "sin6_scope_id"));
        assertEquals(128, SockAddr.STORAGE_SIZE, "sizeof(struct sockaddr_storage) = _SS_MAXSIZE 128");
    }

    @Test
    void portAddressFlowAndScopeSitWhereLinuxHasThem() {
        // SockAddr reads and writes those fields through one set of handles for both layouts.
        assertEquals(offset(SockAddr.SOCKADDR_IN, "sin_port"), offset(SockAddr.BSD_SOCKADDR_IN, "sin_port"));
        assertEquals(offset(SockAddr.SOCKADDR_IN, "sin_addr"), offset(SockAddr.BSD_SOCKADDR_IN, "sin_addr"));
        assertEquals(offset(SockAddr.SOCKADDR_IN6, "sin6_port"), offset(SockAddr.BSD_SOCKADDR_IN6, "sin6_port"));
        assertEquals(offset(SockAddr.SOCKADDR_IN6, "sin6_flowinfo"), offset(SockAddr.BSD_SOCKADDR_IN6, "sin6_flowinfo"));
        assertEquals(offset(SockAddr.SOCKADDR_IN6, "sin6_addr"), offset(SockAddr.BSD_SOCKADDR_IN6, "sin6_addr"));
        assertEquals(offset(SockAddr.SOCKADDR_IN6, "sin6_scope_id"), offset(SockAddr.BSD_SOCKADDR_IN6, "sin6_scope_id"));
        assertEquals(SockAddr.SOCKADDR_IN.byteSize(), SockAddr.BSD_SOCKADDR_IN.byteSize());
        assertEquals(SockAddr.SOCKADDR_IN6.byteSize(), SockAddr.BSD_SOCKADDR_IN6.byteSize());
    }

    @Test
    void ipv4EncodesWithLengthFamilyByteAndBigEndianPort() throws Exception {
        for (SocketConstants c : new SocketConstants[] {SocketConstants.DARWIN, SocketConstants.FREEBSD}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
                s.fill((byte) 0x5A);
                InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 8080);
                assertEquals(16, SockAddr.encode(a, c, s));
                byte[] expected = {16, 2, 0x1F, (byte) 0x90, (byte) 192, (byte) 168, 1, 20, 0, 0, 0, 0, 0, 0, 0, 0};
                assertArrayEquals(expected, s.asSlice(0, 16).toArray(JAVA_BYTE), c.os());
                assertEquals(a, SockAddr.decode(s, c));
            }
        }
    }

    @Test
    void ipv6EncodesWithTheSystemsFamilyNumber() throws Exception {
        for (SocketConstants c : new SocketConstants[] {SocketConstants.DARWIN, SocketConstants.FREEBSD}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
                byte[] ip = InetAddress.getByName("fe80::1").getAddress();
                InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, ip, 3), 443);
                assertEquals(28, SockAddr.encode(a, c, s));
                assertEquals(28, s.get(JAVA_BYTE, 0), "sin6_len");
                assertEquals((byte) c.afInet6(), s.get(JAVA_BYTE, 1), "sin6_family: 30 on macOS, 28 on FreeBSD");
                assertEquals(0x01, s.get(JAVA_BYTE, 2), "port 443 = 0x01BB, high byte first");
                assertEquals((byte) 0xBB, s.get(JAVA_BYTE, 3));
                assertEquals(0, s.get(JAVA_INT, 4), "sin6_flowinfo");
                assertArrayEquals(ip, s.asSlice(8, 16).toArray(JAVA_BYTE));
                assertEquals(3, s.get(JAVA_INT, 24), "sin6_scope_id, host order");
                assertEquals(a, SockAddr.decode(s, c));
            }
        }
    }

    @Test
    void decodingReadsTheFamilyFromTheSecondByte() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            // As a macOS kernel writes 127.0.0.1:65535 for getsockname.
            MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
            byte[] kernel = {16, 2, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
            MemorySegment.copy(kernel, 0, s, JAVA_BYTE, 0, kernel.length);
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 65535),
                    SockAddr.decode(s, SocketConstants.DARWIN));
            // The same bytes read with Linux's layout are family 0x0210: not an address family.
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> SockAddr.decode(s, SocketConstants.LINUX));
        }
    }

    private static void assertArrayEquals(byte[] expected, byte[] actual, String... message) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, message.length > 0 ? message[0] : null);
    }
}
