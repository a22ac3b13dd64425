package io.fasterapi.aio.kqueue;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.spi.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KqueueProviderTest {

    @Test
    void theProviderIsRegisteredForServiceLoader() {
        // Through the API's own ServiceLoader (the module that declares `uses`).
        BackendInfo info = AsyncIo.backends().stream().filter(b -> b.name().equals("kqueue")).findFirst()
                .orElseThrow(() -> new AssertionError("kqueue is not registered: " + AsyncIo.backends()));
        assertEquals(new KqueueProvider().availability().reason(), info.reason());
        KqueueProvider p = new KqueueProvider();
        assertEquals("kqueue", p.name());
        assertEquals(KqueueProvider.RANK, p.rank());
    }

    @Test
    @EnabledOnOs(value = OS.LINUX)
    void onLinuxItSaysNotThisOperatingSystem() {
        Availability a = new KqueueProvider().availability();
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("not this operating system: kqueue needs macOS or FreeBSD, this is Linux"),
                a.reason());
        AsyncIoException e = assertThrows(AsyncIoException.class,
                () -> new KqueueProvider().open(AsyncIoConfig.builder().backend("kqueue").build()));
        assertTrue(e.getMessage().contains("not this operating system"), e.getMessage());
    }

    @Test
    @EnabledOnOs(value = {OS.MAC, OS.FREEBSD})
    void onMacOsAndFreeBsdAKqueueCanBeMade() {
        Availability a = new KqueueProvider().availability();
        assertTrue(a.available(), a.reason());
    }
}
