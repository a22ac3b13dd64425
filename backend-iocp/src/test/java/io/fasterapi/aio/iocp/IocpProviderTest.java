package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.spi.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IocpProviderTest {

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void unavailableElsewhereSayingWhichOperatingSystemItNeeds() {
        Availability a = new IocpProvider().availability();
        assertFalse(a.available());
        assertEquals("not this operating system: iocp needs Windows, this is " + System.getProperty("os.name"), a.reason());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void openRefusesWithTheReason() {
        AsyncIoException e = assertThrows(AsyncIoException.class, () -> new IocpProvider().open(AsyncIoConfig.defaults()));
        assertTrue(e.getMessage().contains("iocp needs Windows"), e.getMessage());
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void availableOnWindows() {
        Availability a = new IocpProvider().availability();
        assertTrue(a.available(), a.reason());
    }

    @Test
    void registeredForServiceLoaderUnderItsName() {
        BackendInfo b = AsyncIo.backends().stream().filter(x -> x.name().equals(IocpProvider.NAME)).findFirst()
                .orElseThrow(() -> new AssertionError("iocp is not found by ServiceLoader: " + AsyncIo.backends()));
        assertEquals(IocpProvider.RANK, b.rank());
        assertEquals(new IocpProvider().availability().reason(), b.reason());
    }
}
