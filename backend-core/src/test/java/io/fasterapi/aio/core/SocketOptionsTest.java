package io.fasterapi.aio.core;

import org.junit.jupiter.api.Test;

import java.net.SocketOption;
import java.net.StandardSocketOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The option table's rules, which every backend shares: what is refused, and how values map. */
class SocketOptionsTest {
    /** Made-up numbers: the rules do not depend on them (0 = the system lacks the option). */
    private static final SocketOptions TABLE = SocketOptions.of("TestOS", 1, 6, 41, 1, 9, 8, 7, 13, 2, 0, 1, 67,
            4, 5, 6, 0).kinds(new SocketOptions.Kinds(1, 3, 1, 30, 2, 10));

    @Test
    void anOptionTheSystemLacksIsRefusedByNameAndSystem() {
        var e = assertThrows(UnsupportedOperationException.class, () -> TABLE.entry(StandardSocketOptions.SO_REUSEPORT));
        assertEquals("socket option SO_REUSEPORT is not supported on TestOS", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> TABLE.entry(StandardSocketOptions.SO_BROADCAST));
        // An option of the same name and another type is not the one the table knows.
        SocketOption<String> impostor = new SocketOption<>() {
            public String name() {
                return "TCP_NODELAY";
            }

            public Class<String> type() {
                return String.class;
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> TABLE.entry(impostor));
        assertThrows(NullPointerException.class, () -> TABLE.entry(null));
    }

    @Test
    void valuesAreCheckedAndMapped() {
        var nodelay = TABLE.entry(StandardSocketOptions.TCP_NODELAY);
        assertEquals(1, SocketOptions.encode(nodelay, true));
        assertEquals(0, SocketOptions.encode(nodelay, false));
        assertEquals(Boolean.TRUE, SocketOptions.decode(nodelay, 1));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(nodelay, null));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(nodelay, 1)); // an Integer for a Boolean

        var rcvbuf = TABLE.entry(StandardSocketOptions.SO_RCVBUF);
        assertEquals(4096, SocketOptions.encode(rcvbuf, 4096));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(rcvbuf, 0));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(rcvbuf, -5));

        var linger = TABLE.entry(StandardSocketOptions.SO_LINGER);
        assertEquals(-1, SocketOptions.encode(linger, -42), "negative: off");
        assertEquals(0, SocketOptions.encode(linger, 0));
        assertEquals(65_535, SocketOptions.encode(linger, 1_000_000), "capped as the JDK's sockets cap it");

        var tos = TABLE.entry(StandardSocketOptions.IP_TOS);
        assertEquals(255, SocketOptions.encode(tos, 255));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(tos, 256));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.encode(tos, -1));
        assertEquals(0, tos.level(false), "IPPROTO_IP");
        assertEquals(1, tos.name(false), "IP_TOS");
        assertEquals(41, tos.level(true), "IPPROTO_IPV6 on an IPv6 socket");
        assertEquals(67, tos.name(true), "IPV6_TCLASS on an IPv6 socket");
    }

    @Test
    void theSupportedSetIsJavasOwnOptionObjects() throws Exception {
        var supported = TABLE.supported();
        assertTrue(supported.contains(StandardSocketOptions.TCP_NODELAY));
        assertTrue(supported.contains(StandardSocketOptions.IP_TOS));
        assertTrue(!supported.contains(StandardSocketOptions.SO_REUSEPORT), "0: not supported");
        Object keepIdle = Class.forName("jdk.net.ExtendedSocketOptions").getField("TCP_KEEPIDLE").get(null);
        assertTrue(supported.contains(keepIdle), "jdk.net's own object, found without reading jdk.net");
        Object quickAck = Class.forName("jdk.net.ExtendedSocketOptions").getField("TCP_QUICKACK").get(null);
        assertTrue(!supported.contains(quickAck));
        assertEquals(10, supported.size(), supported.toString());
    }
}
