package io.fasterapi.aio.iouring;

import io.fasterapi.aio.spi.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class IoUringAvailabilityTest {
    private static final Path DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");

    @Test
    void availableOnThisKernel() {
        Availability a = new IoUringProvider().availability();
        assertTrue(a.available(), "io_uring should run on this machine's kernel: " + a.reason());
    }

    /**
     * The real refusal, not a simulation: with kernel.io_uring_disabled=2 the kernel answers
     * io_uring_setup with EPERM, and the reason must say so. Needs root (the sysctl is restored).
     */
    @Test
    void setupRefusedWithEpermIsExplained() throws IOException {
        assumeTrue(Files.isWritable(DISABLED), "changing kernel.io_uring_disabled needs root");
        String before = Files.readString(DISABLED).trim();
        try {
            Files.writeString(DISABLED, "2");
            Availability a = new IoUringProvider().availability(); // a new provider probes again
            assertFalse(a.available(), "io_uring must be unavailable while the kernel disables it");
            assertTrue(a.reason().contains("EPERM") && a.reason().contains("io_uring_disabled=2"),
                    "the reason names the refusal and its cause: " + a.reason());
        } finally {
            Files.writeString(DISABLED, before);
        }
    }
}
