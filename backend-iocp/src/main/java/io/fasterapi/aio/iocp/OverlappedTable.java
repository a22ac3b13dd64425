package io.fasterapi.aio.iocp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One native block per operation slot, holding the {@code OVERLAPPED} the kernel writes while the
 * operation is in flight, the operation's id, and the {@code WSABUF} and flags word of its
 * WSARecv / WSASend. The OVERLAPPED comes first, so the {@code lpOverlapped} of a completion entry
 * is the block's address and leads back to the slot.
 *
 * <p>Blocks are allocated in chunks from the loop's arena as slot numbers grow, and never move or
 * get freed before the loop closes: the kernel keeps the OVERLAPPED's address for as long as the
 * request runs, and a slot is only reused after its completion packet arrived. Chunk sizes double,
 * so finding the slot of an address scans a handful of ranges.
 */
final class OverlappedTable {
    /** The per-slot block: OVERLAPPED, then this backend's own fields. */
    static final StructLayout BLOCK = MemoryLayout.structLayout(
            Winsock.OVERLAPPED.withName("overlapped"),
            JAVA_LONG.withName("operation"),
            Winsock.WSABUF.withName("wsabuf"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(4));
    static final long BLOCK_SIZE = BLOCK.byteSize();
    static final long OPERATION = BLOCK.byteOffset(groupElement("operation"));
    static final long WSABUF = BLOCK.byteOffset(groupElement("wsabuf"));
    static final long FLAGS = BLOCK.byteOffset(groupElement("flags"));

    private final Arena arena;
    private MemorySegment[] chunks = new MemorySegment[4];
    private int[] firstSlot = new int[4];
    private int chunkCount;
    private int capacity;
    /** Per slot: the accept socket an AcceptEx fills, or INVALID_SOCKET. */
    private long[] acceptSocket = new long[0];
    /** Per slot, made at its first accept: the two addresses AcceptEx writes. */
    private MemorySegment[] acceptAddresses = new MemorySegment[0];

    OverlappedTable(Arena arena, int initialSlots) {
        this.arena = arena;
        grow(Math.max(16, initialSlots));
    }

    private void grow(int slots) {
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
            firstSlot = Arrays.copyOf(firstSlot, chunkCount * 2);
        }
        chunks[chunkCount] = arena.allocate(BLOCK_SIZE * slots, 16);
        firstSlot[chunkCount] = capacity;
        chunkCount++;
        capacity += slots;
        int old = acceptSocket.length;
        acceptSocket = Arrays.copyOf(acceptSocket, capacity);
        Arrays.fill(acceptSocket, old, capacity, Winsock.INVALID_SOCKET);
        acceptAddresses = Arrays.copyOf(acceptAddresses, capacity);
    }

    /** The block of {@code slot}, allocating chunks up to it. */
    MemorySegment block(int slot) {
        while (slot >= capacity) grow(capacity);
        for (int c = chunkCount - 1; ; c--) {
            if (slot >= firstSlot[c]) return chunks[c].asSlice((slot - firstSlot[c]) * BLOCK_SIZE, BLOCK_SIZE);
        }
    }

    /**
     * Readies {@code slot}'s block for a new request of operation {@code operationId}: the
     * OVERLAPPED zeroed (as every overlapped call requires), the id recorded. Returns the block.
     */
    MemorySegment prepare(int slot, long operationId) {
        MemorySegment b = block(slot);
        b.asSlice(0, Winsock.OVERLAPPED_SIZE).fill((byte) 0);
        b.set(JAVA_LONG, OPERATION, operationId);
        b.set(JAVA_INT, FLAGS, 0);
        return b;
    }

    /** The OVERLAPPED address of {@code slot}: what the kernel gets as {@code lpOverlapped}. */
    long overlapped(int slot) {
        return block(slot).address();
    }

    /** The operation id last recorded in {@code slot}'s block. */
    long operation(int slot) {
        return block(slot).get(JAVA_LONG, OPERATION);
    }

    /** The slot whose block starts at {@code overlapped}, or -1 for any other address (NULL included). */
    int slotOf(long overlapped) {
        for (int c = 0; c < chunkCount; c++) {
            long offset = overlapped - chunks[c].address();
            if (offset >= 0 && offset < chunks[c].byteSize()) {
                return offset % BLOCK_SIZE == 0 ? firstSlot[c] + (int) (offset / BLOCK_SIZE) : -1;
            }
        }
        return -1;
    }

    /** The NTSTATUS the kernel wrote into {@code slot}'s OVERLAPPED when its request completed. */
    int status(int slot) {
        return Winsock.overlappedStatus(block(slot));
    }

    /** The WSABUF of {@code slot}'s block. */
    MemorySegment wsabuf(int slot) {
        return block(slot).asSlice(WSABUF, Winsock.WSABUF.byteSize());
    }

    /** The DWORD flags word of {@code slot}'s block (WSARecv's lpFlags). */
    MemorySegment flags(int slot) {
        return block(slot).asSlice(FLAGS, 4);
    }

    /** The address buffer AcceptEx writes for {@code slot} (local and remote, each with 16 bytes spare). */
    MemorySegment acceptAddresses(int slot) {
        block(slot); // grows the tables to the slot
        MemorySegment a = acceptAddresses[slot];
        if (a == null) {
            acceptAddresses[slot] = a = arena.allocate(2L * WinSockAddr.ACCEPT_ADDRESS_LENGTH, 8);
        }
        return a;
    }

    long acceptSocket(int slot) {
        return slot < capacity ? acceptSocket[slot] : Winsock.INVALID_SOCKET;
    }

    void setAcceptSocket(int slot, long socket) {
        block(slot);
        acceptSocket[slot] = socket;
    }

    /** Slots with a block so far. */
    int capacity() {
        return capacity;
    }
}
