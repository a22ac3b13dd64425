package io.fasterapi.aio.iocp;

import io.fasterapi.aio.core.SocketOptions;
import org.junit.jupiter.api.Test;

import java.net.SocketOption;
import java.net.StandardSocketOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Windows' option table (the numbers are checked against mingw-w64 by WinsockLayoutTest). */
class WindowsOptionsTest {

    @Test
    void windowsTakesTheCommonOptionsOnItsNumbers() {
        SocketOptions t = WinsockPort.OPTIONS;
        assertEquals(Winsock.SO_LINGER, t.entry(StandardSocketOptions.SO_LINGER).name(false));
        assertEquals(Winsock.SOL_SOCKET, t.entry(StandardSocketOptions.SO_RCVBUF).level(false));
        assertEquals(Winsock.IPV6_TCLASS, t.entry(StandardSocketOptions.IP_TOS).name(true));
        assertEquals(Winsock.IPPROTO_TCP, t.entry(StandardSocketOptions.TCP_NODELAY).level(false));
        assertTrue(t.supported().contains(StandardSocketOptions.SO_KEEPALIVE));
    }

    @Test
    void whatWindowsLacksOrMeansOtherwiseIsRefusedNamingWindows() throws Exception {
        SocketOptions t = WinsockPort.OPTIONS;
        for (SocketOption<?> o : new SocketOption<?>[] {StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_REUSEADDR}) {
            var e = assertThrows(UnsupportedOperationException.class, () -> t.entry(o));
            assertEquals("socket option " + o.name() + " is not supported on Windows", e.getMessage());
        }
        Class<?> extended = Class.forName("jdk.net.ExtendedSocketOptions");
        for (String name : new String[] {"TCP_KEEPIDLE", "TCP_KEEPINTERVAL", "TCP_KEEPCOUNT", "TCP_QUICKACK"}) {
            SocketOption<?> o = (SocketOption<?>) extended.getField(name).get(null);
            assertThrows(UnsupportedOperationException.class, () -> t.entry(o), name);
        }
    }

    @Test
    void aScriptedLoopChecksValuesAsWindowsWould() {
        ScriptedPort port = new ScriptedPort();
        port.setOption(7, StandardSocketOptions.SO_LINGER, 3);
        assertTrue(port.calls.stream().anyMatch(c -> c.name().equals("setOption SO_LINGER=3") && c.socket() == 7));
        assertThrows(IllegalArgumentException.class, () -> port.setOption(7, StandardSocketOptions.SO_SNDBUF, 0));
    }
}
