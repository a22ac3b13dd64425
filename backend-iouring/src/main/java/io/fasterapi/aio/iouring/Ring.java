package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.unix.Posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.fasterapi.aio.iouring.IoUringSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One io_uring instance: set up with the best flags the kernel accepts, its rings mapped, every
 * pointer derived from the offsets the kernel returned in {@code io_uring_params}.
 */
final class Ring implements AutoCloseable {
    /** Flag sets tried in order: the first the kernel accepts wins (older kernels say EINVAL). */
    static final int[] FLAG_PREFERENCES = {
            IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED | IORING_SETUP_SUBMIT_ALL,
            IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL,
            0,
    };

    final int fd;
    final int flags;
    final int features;
    final SubmissionQueue sq;
    final CompletionQueue cq;
    private final MemorySegment ringMap;
    private final MemorySegment cqMap;
    private final MemorySegment sqeMap;
    private final MemorySegment state;

    private Ring(int fd, int flags, int features, MemorySegment ringMap, MemorySegment cqMap, MemorySegment sqeMap,
                 MemorySegment params, MemorySegment state) {
        this.fd = fd;
        this.flags = flags;
        this.features = features;
        this.ringMap = ringMap;
        this.cqMap = cqMap;
        this.sqeMap = sqeMap;
        this.state = state;
        this.sq = new SubmissionQueue(ringMap, sqeMap, params);
        this.cq = new CompletionQueue(cqMap, params);
    }

    /**
     * Sets up a ring of {@code entries} SQEs and {@code cqEntries} CQEs with the first accepted
     * of {@code preferences} (each also gets CQSIZE and CLAMP).
     *
     * @throws AsyncIoException naming the refused call and errno
     */
    static Ring open(MemorySegment state, Arena arena, int entries, int cqEntries, int[] preferences) {
        MemorySegment params = arena.allocate(PARAMS);
        int fd = -1;
        int chosen = 0;
        for (int flags : preferences) {
            params.fill((byte) 0);
            chosen = flags | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
            params.set(JAVA_INT, P_FLAGS, chosen);
            params.set(JAVA_INT, P_CQ_ENTRIES, cqEntries);
            fd = IoUringSyscalls.setup(state, entries, params);
            if (fd != -Errno.EINVAL.code()) break; // EINVAL: a flag this kernel lacks, try fewer
        }
        if (fd < 0) {
            throw new AsyncIoException("io_uring_setup(" + entries + " entries) refused", -fd);
        }
        int features = params.get(JAVA_INT, P_FEATURES);
        int sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
        int cqCount = params.get(JAVA_INT, P_CQ_ENTRIES);
        long sqRingSize = IoUringSyscalls.sqRingOffset(params, "array") + 4L * sqEntries;
        long cqRingSize = IoUringSyscalls.cqRingOffset(params, "cqes") + CQE_SIZE * cqCount;
        boolean single = (features & IORING_FEAT_SINGLE_MMAP) != 0;
        int[] err = new int[1];
        MemorySegment ringMap = IoUringSyscalls.mmap(state, fd, single ? Math.max(sqRingSize, cqRingSize) : sqRingSize,
                IORING_OFF_SQ_RING, err);
        MemorySegment cqMap = ringMap == null ? null
                : single ? ringMap : IoUringSyscalls.mmap(state, fd, cqRingSize, IoUringSyscalls.IORING_OFF_CQ_RING, err);
        MemorySegment sqeMap = cqMap == null ? null : IoUringSyscalls.mmap(state, fd, SQE_SIZE * sqEntries, IORING_OFF_SQES, err);
        if (sqeMap == null) {
            if (cqMap != null && cqMap != ringMap) IoUringSyscalls.munmap(state, cqMap);
            if (ringMap != null) IoUringSyscalls.munmap(state, ringMap);
            Posix.close(state, fd);
            throw new AsyncIoException("mmap of the io_uring rings failed", -err[0]);
        }
        return new Ring(fd, chosen, features, ringMap, cqMap, sqeMap, params, state);
    }

    boolean has(int feature) {
        return (features & feature) != 0;
    }

    boolean setupFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Whether the kernel has {@code opcode} (IORING_REGISTER_PROBE); false when it cannot say (before 5.6). */
    boolean supports(byte opcode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment probe = a.allocate(PROBE);
            return IoUringSyscalls.register(state, fd, IORING_REGISTER_PROBE, probe, 256) >= 0
                    && IoUringSyscalls.probeSupports(probe, opcode);
        }
    }

    /** IORING_REGISTER_ENABLE_RINGS: binds a SINGLE_ISSUER ring to the calling thread. */
    int enable() {
        return IoUringSyscalls.register(state, fd, IORING_REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
    }

    int enter(MemorySegment st, int toSubmit, int minComplete, int enterFlags, MemorySegment arg, long argSize) {
        return IoUringSyscalls.enter(st, fd, toSubmit, minComplete, enterFlags, arg, argSize);
    }

    @Override
    public void close() {
        IoUringSyscalls.munmap(state, sqeMap);
        if (cqMap != ringMap) IoUringSyscalls.munmap(state, cqMap);
        IoUringSyscalls.munmap(state, ringMap);
        Posix.close(state, fd);
    }

    /** The setup flags in words, for messages and `aio backends`. */
    String describeFlags() {
        StringBuilder b = new StringBuilder();
        if (setupFlag(IORING_SETUP_SINGLE_ISSUER)) b.append("SINGLE_ISSUER ");
        if (setupFlag(IORING_SETUP_DEFER_TASKRUN)) b.append("DEFER_TASKRUN ");
        if (setupFlag(IORING_SETUP_COOP_TASKRUN)) b.append("COOP_TASKRUN ");
        if (setupFlag(IORING_SETUP_SUBMIT_ALL)) b.append("SUBMIT_ALL ");
        b.append("CQSIZE");
        if (has(IORING_FEAT_NODROP)) b.append(" +NODROP");
        if (has(IORING_FEAT_EXT_ARG)) b.append(" +EXT_ARG");
        if (has(IORING_FEAT_MIN_TIMEOUT)) b.append(" +MIN_TIMEOUT");
        return b.toString();
    }
}
