package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.spi.Availability;
import io.fasterapi.aio.unix.NativeLibc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;

/**
 * Decides once whether io_uring can serve here, and if not says exactly why: setup refused (and
 * the likely cause), a feature or an opcode this backend needs that the kernel lacks.
 */
final class IoUringProbe {
    private static final int REQUIRED_FEATURES = IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_EXT_ARG
            | IORING_FEAT_FAST_POLL;
    private static final byte[] REQUIRED_OPS = {IORING_OP_ACCEPT, IORING_OP_ASYNC_CANCEL, IORING_OP_CONNECT,
            IORING_OP_READ, IORING_OP_SEND, IORING_OP_RECV};
    private static final String[] OP_NAMES = {"ACCEPT", "ASYNC_CANCEL", "CONNECT", "READ", "SEND", "RECV"};

    private IoUringProbe() {
    }

    static Availability probe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(NativeLibc.callStateLayout());
            Ring ring;
            try {
                ring = Ring.open(state, arena, 4, 8, new int[] {0});
            } catch (AsyncIoException e) {
                return Availability.unavailable(explainSetupFailure(e));
            }
            try {
                if ((ring.features & REQUIRED_FEATURES) != REQUIRED_FEATURES) {
                    return Availability.unavailable("kernel too old: io_uring lacks"
                            + missing(ring.features, IORING_FEAT_NODROP, "FEAT_NODROP (5.5)")
                            + missing(ring.features, IORING_FEAT_SUBMIT_STABLE, "FEAT_SUBMIT_STABLE (5.5)")
                            + missing(ring.features, IORING_FEAT_FAST_POLL, "FEAT_FAST_POLL (5.7)")
                            + missing(ring.features, IORING_FEAT_EXT_ARG, "FEAT_EXT_ARG (5.11)"));
                }
                MemorySegment probe = arena.allocate(PROBE);
                int r = IoUringSyscalls.register(state, ring.fd, IORING_REGISTER_PROBE, probe, 256);
                if (r < 0) {
                    return Availability.unavailable("io_uring_register(PROBE) failed: " + Errno.nameOf(-r)
                            + " (kernel before 5.6?)");
                }
                for (int i = 0; i < REQUIRED_OPS.length; i++) {
                    boolean supported = IoUringSyscalls.probeSupports(probe, REQUIRED_OPS[i]);
                    if (!supported) {
                        return Availability.unavailable("kernel too old: io_uring has no IORING_OP_" + OP_NAMES[i]);
                    }
                }
                return Availability.yes();
            } finally {
                ring.close();
            }
        }
    }

    /** What {@link IoUringProvider#zeroCopy()} says: the zero-copy opcodes this kernel has. */
    static String zeroCopy() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(NativeLibc.callStateLayout());
            Ring ring = Ring.open(state, arena, 4, 8, new int[] {0});
            try {
                if (!ring.supports(IORING_OP_SEND_ZC)) return "none: this kernel has no IORING_OP_SEND_ZC (Linux 6.0+); sends copy";
                return ring.supports(IORING_OP_SENDMSG_ZC) ? "IORING_OP_SEND_ZC, IORING_OP_SENDMSG_ZC (gather writes)"
                        : "IORING_OP_SEND_ZC (gather writes copy: no SENDMSG_ZC before Linux 6.1)";
            } finally {
                ring.close();
            }
        } catch (RuntimeException e) {
            return "none: io_uring is unavailable (" + e.getMessage() + ")";
        }
    }

    private static String missing(int features, int flag, String name) {
        return (features & flag) == 0 ? " " + name : "";
    }

    private static String explainSetupFailure(AsyncIoException e) {
        int errno = e.errno();
        if (errno == Errno.ENOSYS.code()) {
            return "io_uring_setup: ENOSYS: this kernel has no io_uring (needs Linux 5.1+ built with CONFIG_IO_URING)";
        }
        if (errno == Errno.EPERM.code()) {
            String disabled = sysctl("kernel/io_uring_disabled");
            return "io_uring_setup refused: EPERM: " + switch (disabled) {
                case "2" -> "io_uring is disabled on this machine (kernel.io_uring_disabled=2)";
                case "1" -> "kernel.io_uring_disabled=1 and this process is not in kernel.io_uring_group ("
                        + sysctl("kernel/io_uring_group") + ")";
                default -> "blocked by a seccomp or container policy (kernel.io_uring_disabled=" + disabled + ")";
            };
        }
        if (errno == Errno.ENOMEM.code()) {
            return "io_uring_setup refused: ENOMEM: not enough locked memory for the rings (RLIMIT_MEMLOCK "
                    + memlock() + "); raise it with ulimit -l";
        }
        return e.getMessage();
    }

    private static String sysctl(String name) {
        try {
            return Files.readString(Path.of("/proc/sys", name)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memlock() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    return line.substring("Max locked memory".length()).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
