package io.fasterapi.aio.unix;

import io.fasterapi.aio.unix.testsupport.GoUnix;
import io.fasterapi.aio.unix.testsupport.RustLibc;
import io.fasterapi.aio.unix.testsupport.SourceTally;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The BSD sockaddr layouts against Go's {@code RawSockaddrInet4}/{@code RawSockaddrInet6} of
 * macOS and FreeBSD (amd64, arm64) and Rust libc's {@code sockaddr_storage}; encoding and
 * decoding with the macOS and FreeBSD tables, checked at the source's offsets with the source's
 * family numbers, not through the layouts that wrote them.
 */
class BsdSockAddrTest {
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static int total;

    @AfterAll
    static void printTotal() {
        System.out.println("[header sources] BsdSockAddrTest: " + total + " values checked in all");
    }

    private static long offset(StructLayout l, String field) {
        return l.byteOffset(groupElement(field));
    }

    private static GoUnix source(SocketConstants c) {
        return GoUnix.load(c == SocketConstants.DARWIN ? "darwin" : "freebsd", "amd64");
    }

    @Test
    void bsdSockaddrLayoutsAreTheSources() {
        SourceTally tally = new SourceTally("SockAddr.BSD_SOCKADDR_IN/IN6 vs golang.org/x/sys/unix darwin, freebsd "
                + GoUnix.ARCHES + "; STORAGE_SIZE vs Rust libc");
        for (String goos : new String[] {"darwin", "freebsd"}) {
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(goos, arch);
                tally.layout(go.name() + " sockaddr_in", SockAddr.BSD_SOCKADDR_IN, "sin_",
                        go.struct("RawSockaddrInet4", "SizeofSockaddrInet4"));
                tally.layout(go.name() + " sockaddr_in6", SockAddr.BSD_SOCKADDR_IN6, "sin6_",
                        go.struct("RawSockaddrInet6", "SizeofSockaddrInet6"));
            }
        }
        // Go has no sockaddr_storage (its RawSockaddrAny is 108 bytes): Rust's libc has it.
        RustLibc rust = RustLibc.load();
        tally.equal("macOS sizeof(struct sockaddr_storage), " + rust.crate().getFileName(), SockAddr.STORAGE_SIZE,
                rust.structSize("apple/mod.rs", "sockaddr_storage"));
        tally.equal("FreeBSD sizeof(struct sockaddr_storage), " + rust.crate().getFileName(), SockAddr.STORAGE_SIZE,
                rust.structSize("freebsdlike/mod.rs", "sockaddr_storage"));
        total += tally.verify();
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

    /** A {@code sockaddr_in} as the source lays it out, written field by field. */
    private static byte[] sourceSockaddrIn(GoUnix go, byte[] ip, int port) {
        GoUnix.Struct s = go.struct("RawSockaddrInet4", "SizeofSockaddrInet4");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(s.size());
            m.set(JAVA_BYTE, s.field("Len").offset(), (byte) s.size());
            m.set(JAVA_BYTE, s.field("Family").offset(), (byte) go.constant("AF_INET"));
            m.set(NET_SHORT, s.field("Port").offset(), (short) port);
            MemorySegment.copy(ip, 0, m, JAVA_BYTE, s.field("Addr").offset(), ip.length);
            return m.toArray(JAVA_BYTE);
        }
    }

    @Test
    void ipv4EncodesAsTheSourceLaysItOut() throws Exception {
        for (SocketConstants c : new SocketConstants[] {SocketConstants.DARWIN, SocketConstants.FREEBSD}) {
            GoUnix go = source(c);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
                s.fill((byte) 0x5A);
                InetAddress ip = InetAddress.getByName("192.168.1.20");
                InetSocketAddress a = new InetSocketAddress(ip, 8080);
                byte[] expected = sourceSockaddrIn(go, ip.getAddress(), 8080);
                assertEquals(expected.length, SockAddr.encode(a, c, s), c.os());
                assertArrayEquals(expected, s.asSlice(0, expected.length).toArray(JAVA_BYTE), c.os());
                assertEquals(a, SockAddr.decode(s, c));
            }
        }
    }

    @Test
    void ipv6EncodesWithTheSystemsFamilyNumber() throws Exception {
        for (SocketConstants c : new SocketConstants[] {SocketConstants.DARWIN, SocketConstants.FREEBSD}) {
            GoUnix go = source(c);
            GoUnix.Struct in6 = go.struct("RawSockaddrInet6", "SizeofSockaddrInet6");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
                byte[] ip = InetAddress.getByName("fe80::1").getAddress();
                InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, ip, 3), 443);
                assertEquals(in6.size(), SockAddr.encode(a, c, s));
                assertEquals((byte) in6.size(), s.get(JAVA_BYTE, in6.field("Len").offset()), "sin6_len");
                assertEquals((byte) go.constant("AF_INET6"), s.get(JAVA_BYTE, in6.field("Family").offset()), "sin6_family");
                assertEquals(443, Short.toUnsignedInt(s.get(NET_SHORT, in6.field("Port").offset())), "port, high byte first");
                assertEquals(0, s.get(JAVA_INT, in6.field("Flowinfo").offset()), "sin6_flowinfo");
                assertArrayEquals(ip, s.asSlice(in6.field("Addr").offset(), 16).toArray(JAVA_BYTE));
                assertEquals(3, s.get(JAVA_INT, in6.field("Scope_id").offset()), "sin6_scope_id, host order");
                assertEquals(a, SockAddr.decode(s, c));
            }
        }
    }

    @Test
    void decodingReadsTheFamilyFromTheSecondByte() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            // As a macOS kernel writes 127.0.0.1:65535 for getsockname.
            MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
            byte[] kernel = sourceSockaddrIn(source(SocketConstants.DARWIN), new byte[] {127, 0, 0, 1}, 65535);
            MemorySegment.copy(kernel, 0, s, JAVA_BYTE, 0, kernel.length);
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 65535),
                    SockAddr.decode(s, SocketConstants.DARWIN));
            // The same bytes read with Linux's layout are family 0x0210: not an address family.
            assertThrows(IllegalStateException.class, () -> SockAddr.decode(s, SocketConstants.LINUX));
        }
    }
}
