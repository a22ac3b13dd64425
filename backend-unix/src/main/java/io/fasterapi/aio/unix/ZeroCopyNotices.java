package io.fasterapi.aio.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux's {@code MSG_ZEROCOPY} (4.14+ for TCP): the flag and socket option, and the reading of the
 * notices the kernel queues on a socket's error queue when it is done with the pages of zero-copy
 * sends. Each send with the flag takes the next number of a per-socket 32-bit counter; a notice
 * ({@code struct sock_extended_err} with origin {@code SO_EE_ORIGIN_ZEROCOPY}) names a range of them,
 * {@code ee_info} to {@code ee_data} inclusive. Constants and layouts from {@code <linux/errqueue.h>},
 * {@code <sys/socket.h>} and {@code <netinet/in.h>}, checked against gcc.
 */
public final class ZeroCopyNotices {
    public static final int MSG_ZEROCOPY = 0x4000000;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int SO_ZEROCOPY = 60;
    public static final int SOL_IP = 0;
    public static final int IP_RECVERR = 11;
    public static final int SOL_IPV6 = 41;
    public static final int IPV6_RECVERR = 25;
    public static final int SO_EE_ORIGIN_ZEROCOPY = 5;
    /** In {@code ee_code}: the kernel copied the data after all (always over loopback). */
    public static final int SO_EE_CODE_ZEROCOPY_COPIED = 1;

    /** {@code struct cmsghdr} (64-bit glibc); the data follows at its aligned size, 16. */
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));
    /** {@code struct sock_extended_err}. */
    public static final StructLayout SOCK_EXTENDED_ERR = MemoryLayout.structLayout(
            JAVA_INT.withName("ee_errno"),
            JAVA_BYTE.withName("ee_origin"),
            JAVA_BYTE.withName("ee_type"),
            JAVA_BYTE.withName("ee_code"),
            JAVA_BYTE.withName("ee_pad"),
            JAVA_INT.withName("ee_info"),
            JAVA_INT.withName("ee_data"));
    private static final long LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
    private static final long TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
    private static final long DATA = CMSGHDR.byteSize(); // CMSG_DATA: the header is already 8-aligned
    private static final long ORIGIN = DATA + SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_origin"));
    private static final long CODE = DATA + SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_code"));
    private static final long INFO = DATA + SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_info"));
    private static final long ERRNO = DATA + SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_errno"));
    private static final long END = DATA + SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_data"));
    private static final long CONTROL_SIZE = 128;
    private static final long CONTROL = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_control"));
    private static final long CONTROLLEN = MsgHdr.LINUX_MSGHDR.byteOffset(groupElement("msg_controllen"));

    private final MemorySegment header;
    private final MemorySegment control;
    /** Sends the notices said were copied (for statistics and benchmarks). */
    private long copied;

    public ZeroCopyNotices(Arena arena) {
        this.header = arena.allocate(MsgHdr.LINUX_MSGHDR);
        this.control = arena.allocate(CONTROL_SIZE, 8);
        header.set(JAVA_LONG, CONTROL, control.address());
    }

    /**
     * Reads the notices queued on {@code fd} until none is left; returns how many zero-copy sends
     * they complete, or a negated errno when reading failed with something other than EAGAIN.
     */
    public long drain(MemorySegment callState, int fd) {
        long done = 0;
        while (true) {
            header.set(JAVA_LONG, CONTROLLEN, CONTROL_SIZE);
            long r = Posix.recvmsg(callState, fd, header, MSG_ERRQUEUE);
            if (r == -io.fasterapi.aio.Errno.EAGAIN.code()) return done;
            if (r == -io.fasterapi.aio.Errno.EINTR.code()) continue;
            if (r < 0) return r;
            long done1 = completedBy(control, header.get(JAVA_LONG, CONTROLLEN));
            if (done1 > 0) done += done1;
        }
    }

    /**
     * The zero-copy sends one notice completes (0 if it is no zero-copy notice), from the control
     * data of an error-queue message of {@code length} bytes.
     */
    long completedBy(MemorySegment control, long length) {
        if (length < DATA + SOCK_EXTENDED_ERR.byteSize()) return 0;
        int level = control.get(JAVA_INT, LEVEL), type = control.get(JAVA_INT, TYPE);
        boolean recverr = (level == SOL_IP && type == IP_RECVERR) || (level == SOL_IPV6 && type == IPV6_RECVERR);
        if (!recverr || control.get(JAVA_BYTE, ORIGIN) != SO_EE_ORIGIN_ZEROCOPY || control.get(JAVA_INT, ERRNO) != 0) return 0;
        long n = Integer.toUnsignedLong(control.get(JAVA_INT, END) - control.get(JAVA_INT, INFO)) + 1;
        if ((control.get(JAVA_BYTE, CODE) & SO_EE_CODE_ZEROCOPY_COPIED) != 0) copied += n;
        return n;
    }

    /** Zero-copy sends whose notices said the kernel copied the data after all. */
    public long copied() {
        return copied;
    }
}
