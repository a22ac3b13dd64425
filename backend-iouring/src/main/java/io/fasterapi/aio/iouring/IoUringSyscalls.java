package io.fasterapi.aio.iouring;

import io.fasterapi.aio.unix.NativeLibc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The io_uring system calls (through libc's {@code syscall}: glibc has no wrappers), mmap, the
 * constants of {@code <linux/io_uring.h>} and its struct layouts. Nothing else in this backend
 * knows an offset; {@code IoUringLayoutTest} checks every one against the C compiler.
 */
final class IoUringSyscalls {
    // System call numbers: io_uring has the same numbers on every architecture (the unified table).
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_setup flags
    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_CLAMP = 1 << 4;
    static final int IORING_SETUP_R_DISABLED = 1 << 6;
    static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;

    // features
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final int IORING_FEAT_NODROP = 1 << 1;
    static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    static final int IORING_FEAT_FAST_POLL = 1 << 5;
    static final int IORING_FEAT_EXT_ARG = 1 << 8;
    /** Since 6.12: io_uring_getevents_arg's {@code pad} is {@code min_wait_usec}. */
    static final int IORING_FEAT_MIN_TIMEOUT = 1 << 15;

    // opcodes
    static final byte IORING_OP_SENDMSG = 9;
    static final byte IORING_OP_RECVMSG = 10;
    static final byte IORING_OP_ACCEPT = 13;
    static final byte IORING_OP_ASYNC_CANCEL = 14;
    static final byte IORING_OP_CONNECT = 16;
    static final byte IORING_OP_READ = 22;
    static final byte IORING_OP_SEND = 26;
    static final byte IORING_OP_RECV = 27;
    /** Since 6.0: a send from the caller's pages; a second CQE (F_NOTIF) says when they are free. */
    static final byte IORING_OP_SEND_ZC = 47;
    /** Since 6.1: the same for sendmsg. */
    static final byte IORING_OP_SENDMSG_ZC = 48;

    // sqe flags, op flags, cqe flags
    static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    static final int IORING_ACCEPT_MULTISHOT = 1;
    static final int IORING_RECV_MULTISHOT = 1 << 1;
    static final int IORING_CQE_F_BUFFER = 1;
    static final int IORING_CQE_F_MORE = 1 << 1;
    /** The notification CQE of a zero-copy send: the kernel no longer uses the buffer. */
    static final int IORING_CQE_F_NOTIF = 1 << 3;
    static final int IORING_CQE_BUFFER_SHIFT = 16;

    // io_uring_enter flags
    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // sq ring flags
    static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // io_uring_register opcodes
    static final int IORING_REGISTER_PROBE = 8;
    static final int IORING_REGISTER_ENABLE_RINGS = 12;
    static final int IORING_REGISTER_PBUF_RING = 22;
    static final int IO_URING_OP_SUPPORTED = 1;

    // mmap offsets and flags
    static final long IORING_OFF_SQ_RING = 0L;
    static final long IORING_OFF_CQ_RING = 0x8000000L;
    static final long IORING_OFF_SQES = 0x10000000L;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;

    /** struct io_sqring_offsets. */
    static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));

    /** struct io_cqring_offsets. */
    static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));

    /** struct io_uring_params. */
    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"));

    /** struct io_uring_sqe (64 bytes; the union members this backend uses are named). */
    static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"), JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"), JAVA_LONG.withName("user_data"), JAVA_SHORT.withName("buf_index"),
            JAVA_SHORT.withName("personality"), JAVA_INT.withName("file_index"), JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2"));

    /** struct io_uring_cqe (16 bytes, no CQE32). */
    static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    /** struct io_uring_buf: one entry of a provided buffer ring. */
    static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"), JAVA_SHORT.withName("resv"));

    /**
     * struct io_uring_recvmsg_out: what a multishot RECVMSG writes at the start of each buffer,
     * before the sender's address (the name room asked for) and the datagram.
     */
    static final StructLayout RECVMSG_OUT = MemoryLayout.structLayout(
            JAVA_INT.withName("namelen"), JAVA_INT.withName("controllen"), JAVA_INT.withName("payloadlen"),
            JAVA_INT.withName("flags"));

    /** struct io_uring_buf_reg, for IORING_REGISTER_PBUF_RING. */
    static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));

    /**
     * struct io_uring_getevents_arg, for IORING_ENTER_EXT_ARG. Its {@code pad} became
     * {@code min_wait_usec} in 6.12; Debian's headers still say {@code pad}, which the layout test checks.
     */
    static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("pad"),
            JAVA_LONG.withName("ts"));

    /** struct __kernel_timespec. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** struct io_uring_probe_op. */
    static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"), JAVA_INT.withName("resv2"));

    /** struct io_uring_probe with room for 256 ops. */
    static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"),
            MemoryLayout.sequenceLayout(256, PROBE_OP).withName("ops"));

    static final long SQE_SIZE = SQE.byteSize();
    static final long CQE_SIZE = CQE.byteSize();

    // offsets inside io_uring_params
    static final long P_SQ_ENTRIES = PARAMS.byteOffset(groupElement("sq_entries"));
    static final long P_CQ_ENTRIES = PARAMS.byteOffset(groupElement("cq_entries"));
    static final long P_FLAGS = PARAMS.byteOffset(groupElement("flags"));
    static final long P_FEATURES = PARAMS.byteOffset(groupElement("features"));
    static final long P_SQ_OFF = PARAMS.byteOffset(groupElement("sq_off"));
    static final long P_CQ_OFF = PARAMS.byteOffset(groupElement("cq_off"));

    // offsets inside the sqe
    static final long SQE_OPCODE = SQE.byteOffset(groupElement("opcode"));
    static final long SQE_FLAGS = SQE.byteOffset(groupElement("flags"));
    static final long SQE_IOPRIO = SQE.byteOffset(groupElement("ioprio"));
    static final long SQE_FD = SQE.byteOffset(groupElement("fd"));
    static final long SQE_OFF = SQE.byteOffset(groupElement("off"));
    static final long SQE_ADDR = SQE.byteOffset(groupElement("addr"));
    static final long SQE_LEN = SQE.byteOffset(groupElement("len"));
    static final long SQE_OP_FLAGS = SQE.byteOffset(groupElement("op_flags"));
    static final long SQE_USER_DATA = SQE.byteOffset(groupElement("user_data"));
    static final long SQE_BUF_GROUP = SQE.byteOffset(groupElement("buf_index"));

    // a provided buffer ring: entries, and the tail that overlays bufs[0].resv (struct io_uring_buf_ring)
    static final long BUF_SIZE = BUF.byteSize();
    static final long BUF_ADDR = BUF.byteOffset(groupElement("addr"));
    static final long BUF_LEN = BUF.byteOffset(groupElement("len"));
    static final long BUF_BID = BUF.byteOffset(groupElement("bid"));
    static final long BUF_RING_TAIL = BUF.byteOffset(groupElement("resv"));

    // offsets inside the cqe
    static final long CQE_USER_DATA = CQE.byteOffset(groupElement("user_data"));
    static final long CQE_RES = CQE.byteOffset(groupElement("res"));
    static final long CQE_FLAGS = CQE.byteOffset(groupElement("flags"));

    static final long GA_TS = GETEVENTS_ARG.byteOffset(groupElement("ts"));
    /** min_wait_usec (6.12+, IORING_FEAT_MIN_TIMEOUT), where older headers have {@code pad}. */
    static final long GA_MIN_WAIT_USEC = GETEVENTS_ARG.byteOffset(groupElement("pad"));
    static final long TS_SEC = TIMESPEC.byteOffset(groupElement("tv_sec"));
    static final long TS_NSEC = TIMESPEC.byteOffset(groupElement("tv_nsec"));

    // struct io_uring_recvmsg_out
    static final long RECVMSG_OUT_FLAGS = RECVMSG_OUT.byteOffset(groupElement("flags"));

    // struct io_uring_buf_reg
    static final long BUF_REG_RING_ADDR = BUF_REG.byteOffset(groupElement("ring_addr"));
    static final long BUF_REG_RING_ENTRIES = BUF_REG.byteOffset(groupElement("ring_entries"));
    static final long BUF_REG_BGID = BUF_REG.byteOffset(groupElement("bgid"));

    // struct io_uring_probe and its ops
    private static final long PROBE_OPS_LEN = PROBE.byteOffset(groupElement("ops_len"));
    private static final long PROBE_OPS = PROBE.byteOffset(groupElement("ops"));
    private static final long PROBE_OP_FLAGS = PROBE_OP.byteOffset(groupElement("flags"));

    /**
     * A field of {@code io_uring_params.sq_off} (struct io_sqring_offsets) as the kernel filled it
     * in: where that field lives in the mapped SQ ring.
     */
    static long sqRingOffset(MemorySegment params, String field) {
        return Integer.toUnsignedLong(params.get(JAVA_INT, P_SQ_OFF + SQRING_OFFSETS.byteOffset(groupElement(field))));
    }

    /** A field of {@code io_uring_params.cq_off} (struct io_cqring_offsets): where it lives in the CQ ring. */
    static long cqRingOffset(MemorySegment params, String field) {
        return Integer.toUnsignedLong(params.get(JAVA_INT, P_CQ_OFF + CQRING_OFFSETS.byteOffset(groupElement(field))));
    }

    /** Whether a filled io_uring_probe says the kernel supports {@code opcode}. */
    static boolean probeSupports(MemorySegment probe, int opcode) {
        int opsLen = Byte.toUnsignedInt(probe.get(JAVA_BYTE, PROBE_OPS_LEN));
        return opcode < opsLen
                && (probe.get(JAVA_SHORT, PROBE_OPS + opcode * PROBE_OP.byteSize() + PROBE_OP_FLAGS) & IO_URING_OP_SUPPORTED) != 0;
    }

    /** Acquire/release access to the 32-bit ring indexes shared with the kernel. */
    static final VarHandle RING_INT = JAVA_INT.varHandle();
    /** Release stores of a buffer ring's 16-bit tail. */
    static final VarHandle RING_SHORT = JAVA_SHORT.varHandle();

    private static final MethodHandle SETUP = NativeLibc.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle ENTER = NativeLibc.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle REGISTER = NativeLibc.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = NativeLibc.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = NativeLibc.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private IoUringSyscalls() {
    }

    private static long check(MemorySegment st, long r) {
        return r == -1 ? -NativeLibc.errno(st) : r;
    }

    /** io_uring_setup: the ring's descriptor, or the negated errno. */
    static int setup(MemorySegment st, int entries, MemorySegment params) {
        try {
            return (int) check(st, (long) SETUP.invokeExact(st, SYS_IO_URING_SETUP, (long) entries, params));
        } catch (Throwable t) {
            throw NativeLibc.fail("io_uring_setup", t);
        }
    }

    /** io_uring_enter: SQEs consumed, or the negated errno. */
    static int enter(MemorySegment st, int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        try {
            return (int) check(st, (long) ENTER.invokeExact(st, SYS_IO_URING_ENTER, (long) fd,
                    Integer.toUnsignedLong(toSubmit), Integer.toUnsignedLong(minComplete), Integer.toUnsignedLong(flags),
                    arg, argSize));
        } catch (Throwable t) {
            throw NativeLibc.fail("io_uring_enter", t);
        }
    }

    /** io_uring_register: the call's result, or the negated errno. */
    static int register(MemorySegment st, int fd, int opcode, MemorySegment arg, int nrArgs) {
        try {
            return (int) check(st, (long) REGISTER.invokeExact(st, SYS_IO_URING_REGISTER, (long) fd, (long) opcode, arg,
                    (long) nrArgs));
        } catch (Throwable t) {
            throw NativeLibc.fail("io_uring_register", t);
        }
    }

    /**
     * Maps {@code length} bytes of the ring at {@code offset}; returns a segment of exactly that
     * size, or {@code null} with the negated errno in {@code error[0]}.
     */
    @SuppressWarnings("restricted")
    static MemorySegment mmap(MemorySegment st, int fd, long length, long offset, int[] error) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(st, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
            if (p.address() == -1L) {
                error[0] = -NativeLibc.errno(st);
                return null;
            }
            return p.reinterpret(length); // bounded: exactly the mapping
        } catch (Throwable t) {
            throw NativeLibc.fail("mmap", t);
        }
    }

    static int munmap(MemorySegment st, MemorySegment mapping) {
        try {
            return (int) check(st, (int) MUNMAP.invokeExact(st, mapping, mapping.byteSize()));
        } catch (Throwable t) {
            throw NativeLibc.fail("munmap", t);
        }
    }
}
