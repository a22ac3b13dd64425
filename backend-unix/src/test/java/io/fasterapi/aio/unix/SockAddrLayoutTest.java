package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.testsupport.CProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EnabledOnOs(value = OS.LINUX, disabledReason = "the sockaddr layouts and constants here are Linux's")
class SockAddrLayoutTest {

    @Test
    void sockaddrLayoutsMatchTheCompiler(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("in.size", "sizeof(struct sockaddr_in)");
        c.put("in.family", "offsetof(struct sockaddr_in, sin_family)");
        c.put("in.port", "offsetof(struct sockaddr_in, sin_port)");
        c.put("in.addr", "offsetof(struct sockaddr_in, sin_addr)");
        c.put("in6.size", "sizeof(struct sockaddr_in6)");
        c.put("in6.port", "offsetof(struct sockaddr_in6, sin6_port)");
        c.put("in6.flowinfo", "offsetof(struct sockaddr_in6, sin6_flowinfo)");
        c.put("in6.addr", "offsetof(struct sockaddr_in6, sin6_addr)");
        c.put("in6.scope", "offsetof(struct sockaddr_in6, sin6_scope_id)");
        c.put("storage.size", "sizeof(struct sockaddr_storage)");
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/socket.h", "netinet/in.h"}, c);
        assertEquals(v.get("in.size"), SockAddr.SOCKADDR_IN.byteSize());
        assertEquals(v.get("in.family"), SockAddr.SOCKADDR_IN.byteOffset(groupElement("sin_family")));
        assertEquals(v.get("in.port"), SockAddr.SOCKADDR_IN.byteOffset(groupElement("sin_port")));
        assertEquals(v.get("in.addr"), SockAddr.SOCKADDR_IN.byteOffset(groupElement("sin_addr")));
        assertEquals(v.get("in6.size"), SockAddr.SOCKADDR_IN6.byteSize());
        assertEquals(v.get("in6.port"), SockAddr.SOCKADDR_IN6.byteOffset(groupElement("sin6_port")));
        assertEquals(v.get("in6.flowinfo"), SockAddr.SOCKADDR_IN6.byteOffset(groupElement("sin6_flowinfo")));
        assertEquals(v.get("in6.addr"), SockAddr.SOCKADDR_IN6.byteOffset(groupElement("sin6_addr")));
        assertEquals(v.get("in6.scope"), SockAddr.SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id")));
        assertEquals(v.get("storage.size"), SockAddr.STORAGE_SIZE);
    }

    @Test
    void linuxSocketConstantsMatchTheHeaders(@TempDir Path dir) throws Exception {
        SocketConstants k = SocketConstants.LINUX;
        Map<String, String> c = new LinkedHashMap<>();
        String[] names = {"AF_INET", "AF_INET6", "SOCK_STREAM", "SOCK_NONBLOCK", "SOCK_CLOEXEC", "SOL_SOCKET",
                "SO_REUSEADDR", "SO_REUSEPORT", "SO_ERROR", "SO_SNDBUF", "SO_RCVBUF", "IPPROTO_TCP", "TCP_NODELAY",
                "IPPROTO_IPV6", "IPV6_V6ONLY", "MSG_NOSIGNAL", "SHUT_WR", "EAGAIN", "EINTR", "EINPROGRESS",
                "O_NONBLOCK", "F_GETFL", "F_SETFL", "F_SETFD", "FD_CLOEXEC"};
        for (String n : names) c.put(n, n);
        Map<String, Long> v = CProbe.evaluate(dir,
                new String[] {"sys/socket.h", "netinet/in.h", "netinet/tcp.h", "errno.h", "fcntl.h"}, c);
        long[] ours = {k.afInet(), k.afInet6(), k.sockStream(), k.sockNonblock(), k.sockCloexec(), k.solSocket(),
                k.soReuseaddr(), k.soReuseport(), k.soError(), k.soSndbuf(), k.soRcvbuf(), k.ipprotoTcp(), k.tcpNodelay(),
                k.ipprotoIpv6(), k.ipv6V6only(), k.msgNosignal(), k.shutWr(), k.eagain(), k.eintr(), k.einprogress(),
                k.oNonblock(), k.fGetfl(), k.fSetfl(), k.fSetfd(), k.fdCloexec()};
        for (int i = 0; i < names.length; i++) {
            assertEquals(v.get(names[i]), ours[i], names[i]);
        }
        assertEquals(0, k.soNosigpipe(), "Linux has no SO_NOSIGPIPE (MSG_NOSIGNAL instead)");
        assertTrue(k.hasSocketFlags());
        assertFalse(k.needsNosigpipe());
        assertFalse(k.sockaddrLen());
    }

    @Test
    void portableErrnoNumbersAreLinuxs(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        for (Errno e : Errno.values()) c.put(e.name(), e.name());
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"errno.h"}, c);
        for (Errno e : Errno.values()) {
            assertEquals(v.get(e.name()), (long) e.code(), "<errno.h> " + e.name());
            assertEquals(e.code(), SocketConstants.LINUX.errnos().portable(e.code()), "identity on Linux: " + e);
        }
    }

    @Test
    void addressesSurviveEncodeAndDecode() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockAddr.STORAGE_SIZE);
            for (InetSocketAddress a : new InetSocketAddress[] {
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080),
                    new InetSocketAddress(InetAddress.getByName("::1"), 65535),
                    new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 1)}) {
                int len = SockAddr.encode(a, SocketConstants.LINUX, s);
                assertEquals(a.getAddress() instanceof java.net.Inet4Address ? 16 : 28, len);
                assertEquals(a, SockAddr.decode(s, SocketConstants.LINUX));
            }
            // Port in network byte order: 8080 = 0x1F90 -> bytes 1F 90 at offset 2.
            SockAddr.encode(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080), SocketConstants.LINUX, s);
            assertEquals((byte) 0x1F, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2));
            assertEquals((byte) 0x90, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 3));
        }
    }
}
