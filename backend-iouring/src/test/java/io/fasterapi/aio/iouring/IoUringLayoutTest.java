package io.fasterapi.aio.iouring;

import io.fasterapi.aio.unix.testsupport.CProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every struct layout, offset and constant of {@link IoUringSyscalls} (and the few literals of
 * {@link Ring} and {@link IoUringKernel}) against gcc with {@code <linux/io_uring.h>}.
 *
 * <p>The installed header here is linux-libc-dev 6.1. Everything this backend uses is in 6.1
 * (checked: no constant needs a skip). The one name that differs between header versions is the
 * last field of {@code io_sqring_offsets}/{@code io_cqring_offsets}: {@code resv2} up to 6.4,
 * {@code user_addr} from 6.5 (the release that added {@code IORING_SETUP_NO_MMAP}); a small
 * compatibility header picks the right name, so the offset is checked with either header.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class IoUringLayoutTest {

    /** One C expression and the value Java uses for it. */
    private record Check(String name, String c, long java) {
    }

    private static final class Checks {
        final List<Check> list = new ArrayList<>();

        void add(String name, String c, long java) {
            list.add(new Check(name, c, java));
        }

        void offset(String struct, StructLayout layout, String javaField, String cField) {
            add("offsetof(" + struct + "," + cField + ")", "offsetof(struct " + struct + ", " + cField + ")",
                    layout.byteOffset(groupElement(javaField)));
        }

        void offset(String struct, StructLayout layout, String field) {
            offset(struct, layout, field, field);
        }

        void size(String struct, MemoryLayout layout) {
            add("sizeof(" + struct + ")", "sizeof(struct " + struct + ")", layout.byteSize());
        }

        /** Size of the field in C equals the size of the Java layout element. */
        void fieldSize(String struct, StructLayout layout, String javaField, String cField) {
            add("sizeof(" + struct + "." + cField + ")", "sizeof(((struct " + struct + " *) 0)->" + cField + ")",
                    layout.select(groupElement(javaField)).byteSize());
        }

        void constant(String name, long java) {
            add(name, "(unsigned long long) (" + name + ")", java);
        }

        void verify(Path dir, String... includes) throws Exception {
            Map<String, String> exprs = new LinkedHashMap<>();
            for (Check c : list) exprs.put(c.name(), c.c());
            Map<String, Long> v = CProbe.evaluate(dir, includes, exprs);
            List<String> wrong = new ArrayList<>();
            for (Check c : list) {
                Long expected = v.get(c.name());
                if (expected == null) {
                    wrong.add(c.name() + ": the C probe printed no value");
                } else if (expected != c.java()) {
                    wrong.add(c.name() + ": C says " + expected + ", Java has " + c.java());
                }
            }
            if (!wrong.isEmpty()) fail(wrong.size() + " of " + list.size() + " differ from the C compiler:\n  "
                    + String.join("\n  ", wrong));
            assertEquals(list.size(), v.size(), "every check printed one value");
        }
    }

    /**
     * Writes a header that includes {@code <linux/io_uring.h>} and defines macros for names that
     * changed between kernel header versions. CProbe includes it by absolute path.
     */
    private static String compatHeader(Path dir) throws Exception {
        Path inc = Files.createDirectories(dir.resolve("include"));
        Path h = inc.resolve("io_uring_compat.h");
        Files.writeString(h, """
                #include <linux/io_uring.h>
                #include <linux/time_types.h>
                #include <sys/syscall.h>
                #include <sys/mman.h>
                #include <errno.h>
                #ifdef IORING_SETUP_NO_MMAP
                #  define SQ_OFF_USER_ADDR user_addr
                #  define CQ_OFF_USER_ADDR user_addr
                #else
                #  define SQ_OFF_USER_ADDR resv2
                #  define CQ_OFF_USER_ADDR resv2
                #endif
                """);
        return h.toAbsolutePath().toString();
    }

    @Test
    void paramsAndRingOffsetsMatchTheCompiler(@TempDir Path dir) throws Exception {
        Checks k = new Checks();
        String sq = "io_sqring_offsets";
        k.size(sq, IoUringSyscalls.SQRING_OFFSETS);
        for (String f : new String[] {"head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array", "resv1"}) {
            k.offset(sq, IoUringSyscalls.SQRING_OFFSETS, f);
        }
        k.offset(sq, IoUringSyscalls.SQRING_OFFSETS, "user_addr", "SQ_OFF_USER_ADDR");
        String cq = "io_cqring_offsets";
        k.size(cq, IoUringSyscalls.CQRING_OFFSETS);
        for (String f : new String[] {"head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags", "resv1"}) {
            k.offset(cq, IoUringSyscalls.CQRING_OFFSETS, f);
        }
        k.offset(cq, IoUringSyscalls.CQRING_OFFSETS, "user_addr", "CQ_OFF_USER_ADDR");

        String p = "io_uring_params";
        k.size(p, IoUringSyscalls.PARAMS);
        for (String f : new String[] {"sq_entries", "cq_entries", "flags", "sq_thread_cpu", "sq_thread_idle", "features",
                "wq_fd", "resv", "sq_off", "cq_off"}) {
            k.offset(p, IoUringSyscalls.PARAMS, f);
        }
        k.fieldSize(p, IoUringSyscalls.PARAMS, "resv", "resv");
        // The derived constants the backend actually reads.
        k.add("P_SQ_ENTRIES", "offsetof(struct io_uring_params, sq_entries)", IoUringSyscalls.P_SQ_ENTRIES);
        k.add("P_CQ_ENTRIES", "offsetof(struct io_uring_params, cq_entries)", IoUringSyscalls.P_CQ_ENTRIES);
        k.add("P_FLAGS", "offsetof(struct io_uring_params, flags)", IoUringSyscalls.P_FLAGS);
        k.add("P_FEATURES", "offsetof(struct io_uring_params, features)", IoUringSyscalls.P_FEATURES);
        k.add("P_SQ_OFF", "offsetof(struct io_uring_params, sq_off)", IoUringSyscalls.P_SQ_OFF);
        k.add("P_CQ_OFF", "offsetof(struct io_uring_params, cq_off)", IoUringSyscalls.P_CQ_OFF);
        k.verify(dir, compatHeader(dir));
    }

    @Test
    void sqeLayoutMatchesTheCompiler(@TempDir Path dir) throws Exception {
        Checks k = new Checks();
        String s = "io_uring_sqe";
        StructLayout sqe = IoUringSyscalls.SQE;
        k.size(s, sqe);
        k.add("SQE_SIZE", "sizeof(struct io_uring_sqe)", IoUringSyscalls.SQE_SIZE);
        for (String f : new String[] {"opcode", "flags", "ioprio", "fd", "off", "addr", "len", "user_data", "buf_index",
                "personality", "file_index", "addr3"}) {
            k.offset(s, sqe, f);
            k.fieldSize(s, sqe, f, f);
        }
        // op_flags is the Java name of the 32-bit union after len; the backend writes msg_flags
        // (SEND) and accept_flags (ACCEPT) through it.
        for (String member : new String[] {"rw_flags", "msg_flags", "accept_flags", "cancel_flags"}) {
            k.offset(s, sqe, "op_flags", member);
            k.fieldSize(s, sqe, "op_flags", member);
        }
        // CONNECT passes addrlen in off; multishot accept goes in ioprio; file_index shares with splice_fd_in.
        k.offset(s, sqe, "off", "addr2");
        k.offset(s, sqe, "file_index", "splice_fd_in");
        k.offset(s, sqe, "addr", "splice_off_in");
        k.offset(s, sqe, "buf_index", "buf_group");
        k.add("offsetof(io_uring_sqe,__pad2)", "offsetof(struct io_uring_sqe, __pad2)",
                sqe.byteOffset(groupElement("pad2")));
        // The derived constants the backend actually writes through.
        k.add("SQE_OPCODE", "offsetof(struct io_uring_sqe, opcode)", IoUringSyscalls.SQE_OPCODE);
        k.add("SQE_FLAGS", "offsetof(struct io_uring_sqe, flags)", IoUringSyscalls.SQE_FLAGS);
        k.add("SQE_IOPRIO", "offsetof(struct io_uring_sqe, ioprio)", IoUringSyscalls.SQE_IOPRIO);
        k.add("SQE_FD", "offsetof(struct io_uring_sqe, fd)", IoUringSyscalls.SQE_FD);
        k.add("SQE_OFF", "offsetof(struct io_uring_sqe, off)", IoUringSyscalls.SQE_OFF);
        k.add("SQE_ADDR", "offsetof(struct io_uring_sqe, addr)", IoUringSyscalls.SQE_ADDR);
        k.add("SQE_LEN", "offsetof(struct io_uring_sqe, len)", IoUringSyscalls.SQE_LEN);
        k.add("SQE_OP_FLAGS", "offsetof(struct io_uring_sqe, msg_flags)", IoUringSyscalls.SQE_OP_FLAGS);
        k.add("SQE_USER_DATA", "offsetof(struct io_uring_sqe, user_data)", IoUringSyscalls.SQE_USER_DATA);
        k.verify(dir, compatHeader(dir));
    }

    @Test
    void cqeGeteventsArgTimespecAndProbeMatchTheCompiler(@TempDir Path dir) throws Exception {
        Checks k = new Checks();
        k.size("io_uring_cqe", IoUringSyscalls.CQE);
        k.add("CQE_SIZE", "sizeof(struct io_uring_cqe)", IoUringSyscalls.CQE_SIZE);
        for (String f : new String[] {"user_data", "res", "flags"}) {
            k.offset("io_uring_cqe", IoUringSyscalls.CQE, f);
            k.fieldSize("io_uring_cqe", IoUringSyscalls.CQE, f, f);
        }
        k.add("CQE_USER_DATA", "offsetof(struct io_uring_cqe, user_data)", IoUringSyscalls.CQE_USER_DATA);
        k.add("CQE_RES", "offsetof(struct io_uring_cqe, res)", IoUringSyscalls.CQE_RES);
        k.add("CQE_FLAGS", "offsetof(struct io_uring_cqe, flags)", IoUringSyscalls.CQE_FLAGS);

        k.size("io_uring_recvmsg_out", IoUringSyscalls.RECVMSG_OUT);
        for (String f : new String[] {"namelen", "controllen", "payloadlen", "flags"}) {
            k.offset("io_uring_recvmsg_out", IoUringSyscalls.RECVMSG_OUT, f);
            k.fieldSize("io_uring_recvmsg_out", IoUringSyscalls.RECVMSG_OUT, f, f);
        }
        k.add("RECVMSG_OUT_FLAGS", "offsetof(struct io_uring_recvmsg_out, flags)", IoUringSyscalls.RECVMSG_OUT_FLAGS);

        k.size("io_uring_getevents_arg", IoUringSyscalls.GETEVENTS_ARG);
        for (String f : new String[] {"sigmask", "sigmask_sz", "pad", "ts"}) {
            k.offset("io_uring_getevents_arg", IoUringSyscalls.GETEVENTS_ARG, f);
            k.fieldSize("io_uring_getevents_arg", IoUringSyscalls.GETEVENTS_ARG, f, f);
        }
        k.add("GA_TS", "offsetof(struct io_uring_getevents_arg, ts)", IoUringSyscalls.GA_TS);

        k.size("__kernel_timespec", IoUringSyscalls.TIMESPEC);
        for (String f : new String[] {"tv_sec", "tv_nsec"}) {
            k.offset("__kernel_timespec", IoUringSyscalls.TIMESPEC, f);
            k.fieldSize("__kernel_timespec", IoUringSyscalls.TIMESPEC, f, f);
        }
        // IoUringKernel.await writes tv_sec at 0 and tv_nsec at 8 as literals.
        k.add("IoUringKernel.literal.tv_sec=0", "offsetof(struct __kernel_timespec, tv_sec)", 0);
        k.add("IoUringKernel.literal.tv_nsec=8", "offsetof(struct __kernel_timespec, tv_nsec)", 8);

        k.size("io_uring_probe_op", IoUringSyscalls.PROBE_OP);
        for (String f : new String[] {"op", "resv", "flags", "resv2"}) {
            k.offset("io_uring_probe_op", IoUringSyscalls.PROBE_OP, f);
            k.fieldSize("io_uring_probe_op", IoUringSyscalls.PROBE_OP, f, f);
        }
        for (String f : new String[] {"last_op", "ops_len", "resv", "resv2", "ops"}) {
            k.offset("io_uring_probe", IoUringSyscalls.PROBE, f);
        }
        // The Java layout has room for 256 ops after the flexible array member's start.
        k.add("sizeof(io_uring_probe)+256*sizeof(io_uring_probe_op)",
                "sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op)", IoUringSyscalls.PROBE.byteSize());
        k.verify(dir, compatHeader(dir));
    }

    @Test
    void constantsMatchTheHeaders(@TempDir Path dir) throws Exception {
        Checks k = new Checks();
        // system call numbers
        k.constant("__NR_io_uring_setup", IoUringSyscalls.SYS_IO_URING_SETUP);
        k.constant("__NR_io_uring_enter", IoUringSyscalls.SYS_IO_URING_ENTER);
        k.constant("__NR_io_uring_register", IoUringSyscalls.SYS_IO_URING_REGISTER);
        // setup flags
        k.constant("IORING_SETUP_CQSIZE", u(IoUringSyscalls.IORING_SETUP_CQSIZE));
        k.constant("IORING_SETUP_CLAMP", u(IoUringSyscalls.IORING_SETUP_CLAMP));
        k.constant("IORING_SETUP_R_DISABLED", u(IoUringSyscalls.IORING_SETUP_R_DISABLED));
        k.constant("IORING_SETUP_SUBMIT_ALL", u(IoUringSyscalls.IORING_SETUP_SUBMIT_ALL));
        k.constant("IORING_SETUP_COOP_TASKRUN", u(IoUringSyscalls.IORING_SETUP_COOP_TASKRUN));
        k.constant("IORING_SETUP_TASKRUN_FLAG", u(IoUringSyscalls.IORING_SETUP_TASKRUN_FLAG));
        k.constant("IORING_SETUP_SINGLE_ISSUER", u(IoUringSyscalls.IORING_SETUP_SINGLE_ISSUER));
        k.constant("IORING_SETUP_DEFER_TASKRUN", u(IoUringSyscalls.IORING_SETUP_DEFER_TASKRUN));
        // features
        k.constant("IORING_FEAT_SINGLE_MMAP", u(IoUringSyscalls.IORING_FEAT_SINGLE_MMAP));
        k.constant("IORING_FEAT_NODROP", u(IoUringSyscalls.IORING_FEAT_NODROP));
        k.constant("IORING_FEAT_SUBMIT_STABLE", u(IoUringSyscalls.IORING_FEAT_SUBMIT_STABLE));
        k.constant("IORING_FEAT_FAST_POLL", u(IoUringSyscalls.IORING_FEAT_FAST_POLL));
        k.constant("IORING_FEAT_EXT_ARG", u(IoUringSyscalls.IORING_FEAT_EXT_ARG));
        // opcodes (an enum in C)
        k.constant("IORING_OP_ACCEPT", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_ACCEPT));
        k.constant("IORING_OP_ASYNC_CANCEL", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_ASYNC_CANCEL));
        k.constant("IORING_OP_CONNECT", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_CONNECT));
        k.constant("IORING_OP_READ", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_READ));
        k.constant("IORING_OP_SENDMSG", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_SENDMSG));
        k.constant("IORING_OP_RECVMSG", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_RECVMSG));
        k.constant("IORING_OP_SEND", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_SEND));
        k.constant("IORING_OP_RECV", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_RECV));
        k.constant("IORING_OP_SEND_ZC", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_SEND_ZC));
        k.constant("IORING_OP_SENDMSG_ZC", Byte.toUnsignedLong(IoUringSyscalls.IORING_OP_SENDMSG_ZC));
        // op flags, cqe flags
        k.constant("IORING_ACCEPT_MULTISHOT", u(IoUringSyscalls.IORING_ACCEPT_MULTISHOT));
        k.constant("IORING_CQE_F_MORE", u(IoUringSyscalls.IORING_CQE_F_MORE));
        k.constant("IORING_CQE_F_NOTIF", u(IoUringSyscalls.IORING_CQE_F_NOTIF));
        // enter flags
        k.constant("IORING_ENTER_GETEVENTS", u(IoUringSyscalls.IORING_ENTER_GETEVENTS));
        k.constant("IORING_ENTER_EXT_ARG", u(IoUringSyscalls.IORING_ENTER_EXT_ARG));
        // sq ring flags
        k.constant("IORING_SQ_CQ_OVERFLOW", u(IoUringSyscalls.IORING_SQ_CQ_OVERFLOW));
        // register opcodes, probe flags
        k.constant("IORING_REGISTER_PROBE", u(IoUringSyscalls.IORING_REGISTER_PROBE));
        k.constant("IORING_REGISTER_ENABLE_RINGS", u(IoUringSyscalls.IORING_REGISTER_ENABLE_RINGS));
        k.constant("IO_URING_OP_SUPPORTED", u(IoUringSyscalls.IO_URING_OP_SUPPORTED));
        // mmap offsets
        k.constant("IORING_OFF_SQ_RING", IoUringSyscalls.IORING_OFF_SQ_RING);
        k.constant("IORING_OFF_SQES", IoUringSyscalls.IORING_OFF_SQES);
        k.constant("IORING_OFF_CQ_RING", IoUringSyscalls.IORING_OFF_CQ_RING);
        // mmap flags
        k.constant("PROT_READ", u(IoUringSyscalls.PROT_READ));
        k.constant("PROT_WRITE", u(IoUringSyscalls.PROT_WRITE));
        k.constant("MAP_SHARED", u(IoUringSyscalls.MAP_SHARED));
        k.constant("MAP_POPULATE", u(IoUringSyscalls.MAP_POPULATE));
        // errno literals in Ring.open (EINVAL: -22) and IoUringKernel.await (ETIME: -62)
        k.constant("EINVAL", 22);
        k.constant("ETIME", 62);
        k.verify(dir, compatHeader(dir));
    }

    @Test
    void ringIntIsAFourByteIndex() {
        // The acquire/release VarHandle reads the 32-bit head/tail words the kernel shares.
        assertEquals(int.class, IoUringSyscalls.RING_INT.varType());
        assertTrue(IoUringSyscalls.SQE_SIZE == 64 && IoUringSyscalls.CQE_SIZE == 16,
                "without SQE128/CQE32 the entries are 64 and 16 bytes");
    }

    private static long u(int v) {
        return Integer.toUnsignedLong(v);
    }
}
