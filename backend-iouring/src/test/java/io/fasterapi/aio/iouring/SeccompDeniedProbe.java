package io.fasterapi.aio.iouring;

import io.fasterapi.aio.spi.Availability;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Run in a child JVM by {@link IoUringAvailabilityTest}: installs on its main thread a seccomp
 * filter that answers io_uring_setup with EPERM (what a container runtime's policy does), then
 * probes io_uring on that thread and prints the availability. The filter binds only this thread of
 * this child process, so nothing else on the machine is affected (unlike kernel.io_uring_disabled,
 * a machine-wide switch that broke io_uring for every other process while a test held it).
 */
public final class SeccompDeniedProbe {
    // <linux/prctl.h>, <linux/seccomp.h>, <linux/filter.h>, <asm/unistd.h> (io_uring_setup is 425 on every
    // architecture since it was added to the generic table).
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int NR_IO_URING_SETUP = 425;
    private static final int SECCOMP_RET_ERRNO = 0x0005_0000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff_0000;
    private static final int EPERM = 1;
    private static final short BPF_LD_W_ABS = 0x20;
    private static final short BPF_JMP_JEQ_K = 0x15;
    private static final short BPF_RET_K = 0x06;

    private SeccompDeniedProbe() {
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        @SuppressWarnings("restricted")
        MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        try (Arena arena = Arena.ofConfined()) {
            // struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }: seccomp_data.nr is at offset 0.
            MemorySegment filter = arena.allocate(4 * 8L, 8);
            instruction(filter, 0, BPF_LD_W_ABS, 0, 0, 0);                            // A = nr
            instruction(filter, 1, BPF_JMP_JEQ_K, 0, 1, NR_IO_URING_SETUP);           // nr == io_uring_setup?
            instruction(filter, 2, BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);        // yes: EPERM
            instruction(filter, 3, BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW);               // no: allow
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            MemorySegment program = arena.allocate(16, 8);
            program.set(ValueLayout.JAVA_SHORT, 0, (short) 4);
            program.set(ValueLayout.ADDRESS, 8, filter);
            int r = (int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
            if (r != 0) throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed");
            r = (int) prctl.invokeExact(PR_SET_SECCOMP, (long) SECCOMP_MODE_FILTER, program.address(), 0L, 0L);
            if (r != 0) throw new IllegalStateException("prctl(PR_SET_SECCOMP) failed");
        }
        Availability a = new IoUringProvider().availability(); // probed on this, the filtered, thread
        System.out.println("available=" + a.available());
        System.out.println("reason=" + a.reason());
    }

    private static void instruction(MemorySegment f, int i, short code, int jt, int jf, int k) {
        f.set(ValueLayout.JAVA_SHORT, i * 8L, code);
        f.set(ValueLayout.JAVA_BYTE, i * 8L + 2, (byte) jt);
        f.set(ValueLayout.JAVA_BYTE, i * 8L + 3, (byte) jf);
        f.set(ValueLayout.JAVA_INT, i * 8L + 4, k);
    }
}
