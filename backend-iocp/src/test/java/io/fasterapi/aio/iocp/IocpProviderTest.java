package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.spi.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IocpProviderTest {

    private static final boolean WINDOWS = OS.WINDOWS.isCurrentOs();

    /** Available on Windows (WSAStartup and a completion port work); elsewhere refused, naming the OS. */
    @Test
    void availabilityFollowsTheOperatingSystem() {
        Availability a = new IocpProvider().availability();
        if (WINDOWS) {
            assertTrue(a.available(), a.reason());
        } else {
            assertFalse(a.available());
            assertEquals("not this operating system: iocp needs Windows, this is " + System.getProperty("os.name"), a.reason());
        }
    }

    /** open() makes a loop on Windows; elsewhere it throws with the reason. */
    @Test
    void openWorksOnWindowsAndRefusesElsewhereWithTheReason() {
        if (WINDOWS) {
            try (AsyncIo io = new IocpProvider().open(AsyncIoConfig.defaults())) {
                assertEquals(IocpProvider.NAME, io.backend());
            }
        } else {
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> new IocpProvider().open(AsyncIoConfig.defaults()));
            assertTrue(e.getMessage().contains("iocp needs Windows"), e.getMessage());
        }
    }

    @Test
    void registeredForServiceLoaderUnderItsName() {
        BackendInfo b = AsyncIo.backends().stream().filter(x -> x.name().equals(IocpProvider.NAME)).findFirst()
                .orElseThrow(() -> new AssertionError("iocp is not found by ServiceLoader: " + AsyncIo.backends()));
        assertEquals(IocpProvider.RANK, b.rank());
        assertEquals(new IocpProvider().availability().reason(), b.reason());
    }
}
