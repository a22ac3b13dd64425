package io.fasterapi.aio.unix;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.testsupport.CProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
        // Every int of the record, found by reflection (a constant added later is checked too); 0
        // means "Linux has none", and those are listed below.
        Map<String, String> c = new LinkedHashMap<>();
        Map<String, Integer> ours = new LinkedHashMap<>();
        for (RecordComponent rc : SocketConstants.class.getRecordComponents()) {
            if (rc.getType() != int.class) continue;
            int value = (int) rc.getAccessor().invoke(k);
            String name = BsdSocketConstantsTest.headerName(rc.getName());
            if (value == 0) {
                assertTrue(Set.of("SO_NOSIGPIPE", "SO_LINGER_SEC", "TCP_KEEPALIVE").contains(name), name + " is 0");
                continue;
            }
            c.put(name, name);
            ours.put(name, value);
        }
        Map<String, Long> v = CProbe.evaluate(dir,
                new String[] {"sys/socket.h", "netinet/in.h", "netinet/tcp.h", "errno.h", "fcntl.h"}, c);
        for (var e : ours.entrySet()) {
            assertEquals(v.get(e.getKey()), (long) e.getValue(), e.getKey());
        }
        assertTrue(ours.size() >= 33, ours.size() + " constants checked"); // 25 before the socket options
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
