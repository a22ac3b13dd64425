package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.core.BufferPool;
import io.fasterapi.aio.core.Gather;
import io.fasterapi.aio.core.Kernel;
import io.fasterapi.aio.core.SlotLeases;
import io.fasterapi.aio.core.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.BitSet;

/**
 * An I/O completion port as a {@link Kernel}. Every socket is associated with the port under its
 * handle id as completion key; every request (AcceptEx, ConnectEx, WSARecv, WSASend) carries the
 * OVERLAPPED of its operation slot ({@link OverlappedTable}), so a completion entry leads straight
 * back to its operation. Cancellation asks CancelIoEx, batched at the next wait (a closed socket
 * needs none: closesocket cancels its requests). Wake-ups are entries posted with key
 * {@link #WAKE_KEY}.
 *
 * <p>What the engine must not see of Windows is done here: an AcceptEx's result becomes the
 * accepted socket (after SO_UPDATE_ACCEPT_CONTEXT), a ConnectEx's becomes 0 (after
 * SO_UPDATE_CONNECT_CONTEXT), an NTSTATUS becomes a portable error.
 */
final class IocpKernel implements Kernel {
    /** The completion key of wake-ups; handle ids are never 0. */
    static final long WAKE_KEY = 0;
    private static final byte NONE = 0, TRANSFER = 1, ACCEPT = 2, CONNECT = 3, RECEIVE_FROM = 4;
    /** A datagram's address memory: a sockaddr_storage, then the int length WSARecvFrom writes. */
    private static final long ADDRESS_MEMORY = WinSockAddr.STORAGE_SIZE + 8;

    private final CompletionPort port;
    private final Arena arena = Arena.ofShared();
    /** The address of each WSARecvFrom / WSASendTo (and its length), valid for the whole request; reused after. */
    private final SlotLeases<MemorySegment> datagramAddresses = new SlotLeases<>(() -> arena.allocate(ADDRESS_MEMORY, 8));
    /** Per block slot: where a WSARecvFrom's sender goes (null: a connected socket's read). */
    private io.fasterapi.aio.DatagramSender[] senders = new io.fasterapi.aio.DatagramSender[0];
    private final byte[] addressBytes = new byte[16];
    /** The WSABUF array of each gather WSASend, valid for the whole send as WSASend requires; reused after. */
    private final SlotLeases<MemorySegment> wsabufArrays =
            new SlotLeases<>(() -> arena.allocate(Winsock.WSABUF.byteSize() * Gather.MAX_ENTRIES, 8));
    private final OverlappedTable blocks;
    private final MemorySegment entries;
    private final int maxEntries;
    private final Object wakeLock = new Object();
    private boolean portClosed;
    /** Per block slot: the request the kernel holds ({@link #NONE} when none), its socket and completion key. */
    private byte[] request = new byte[0];
    private long[] socketOf = new long[0];
    /** Per request slot: the handle slot it was made for. */
    private int[] handleOf = new int[0];
    private long[] keyOf = new long[0];
    /** Requests the kernel holds. */
    private int inFlight;
    /** Listeners (by handle slot) of the IPv6 family: their AcceptEx sockets must be too. */
    private final BitSet ipv6 = new BitSet();
    /** Per handle slot: the completion key its socket was associated with (the handle's id). */
    private long[] keyOfHandle = new long[64];
    /**
     * Per handle slot: the request slot of its ConnectEx or AcceptEx, or -1. Those need a call on
     * the socket when they complete (SO_UPDATE_*_CONTEXT); once the handle closed, its socket
     * number may belong to a new socket, so that call must not happen.
     */
    private int[] contextOp = new int[64];
    /** Requests to CancelIoEx at the next wait: their slots and operation ids (a stale one is skipped). */
    private int[] cancelSlots = new int[16];
    private long[] cancelIds = new long[16];
    private int cancelCount;

    IocpKernel(int maxEvents, int queueDepth, CompletionPort port) {
        this.port = port;
        this.maxEntries = maxEvents;
        this.entries = arena.allocate(Winsock.ENTRY_SIZE * maxEntries, 8);
        this.blocks = new OverlappedTable(arena, Math.min(queueDepth, 1 << 16));
    }

    @Override
    public Sockets sockets() {
        return port;
    }

    @Override
    public boolean picksBuffers() {
        return false;
    }

    @Override
    public int register(int h, long fd, long handleId, boolean listener) {
        if (h >= keyOfHandle.length) {
            int n = Math.max(h + 1, keyOfHandle.length * 2);
            keyOfHandle = Arrays.copyOf(keyOfHandle, n);
            contextOp = Arrays.copyOf(contextOp, n);
        }
        keyOfHandle[h] = handleId;
        contextOp[h] = -1;
        int r = port.associate(fd, handleId);
        if (r < 0) return r;
        if (!listener) return 0;
        try {
            ipv6.set(h, ((InetSocketAddress) port.address(fd, true)).getAddress() instanceof Inet6Address);
            return 0;
        } catch (AsyncIoException e) {
            return -e.errno();
        }
    }

    // ---- requests -----------------------------------------------------------------------------

    /** Readies slot {@code op}'s block for a request of {@code id} on {@code socket}, of handle slot {@code h}. */
    private void prepare(int op, long id, int h, long socket, byte kind) {
        blocks.prepare(op, id);
        if (op >= request.length) {
            int n = Math.max(blocks.capacity(), op + 1);
            request = Arrays.copyOf(request, n);
            socketOf = Arrays.copyOf(socketOf, n);
            keyOf = Arrays.copyOf(keyOf, n);
            handleOf = Arrays.copyOf(handleOf, n);
        }
        request[op] = kind;
        socketOf[op] = socket;
        keyOf[op] = keyOfHandle[h];
        handleOf[op] = h;
    }

    /** The kernel took the request ({@code r == 0}), or refused it: then the slot holds nothing. */
    private int sent(int op, int r) {
        if (r < 0) {
            request[op] = NONE;
            wsabufArrays.giveBack(op);
            datagramAddresses.giveBack(op);
        } else {
            inFlight++;
        }
        return r;
    }

    @Override
    public int read(int op, long id, int h, long fd, long address, int length) {
        return receiveInto(op, id, h, fd, address, length);
    }

    @Override
    public int receive(int op, long id, int h, long fd, BufferPool pool, int bufferId) {
        return receiveInto(op, id, h, fd, pool.address(bufferId), pool.bufferSize());
    }

    private int receiveInto(int op, long id, int h, long fd, long address, int length) {
        prepare(op, id, h, fd, TRANSFER);
        Winsock.setWsabuf(blocks.wsabuf(op), address, length);
        return sent(op, port.receive(fd, blocks.wsabuf(op), blocks.flags(op), blocks.overlapped(op)));
    }

    @Override
    public int write(int op, long id, int h, long fd, long address, int length) {
        prepare(op, id, h, fd, TRANSFER);
        Winsock.setWsabuf(blocks.wsabuf(op), address, length);
        return sent(op, port.send(fd, blocks.wsabuf(op), 1, blocks.overlapped(op)));
    }

    @Override
    public int receiveFrom(int op, long id, int h, long fd, long address, int length, io.fasterapi.aio.DatagramSender from) {
        prepare(op, id, h, fd, RECEIVE_FROM);
        Winsock.setWsabuf(blocks.wsabuf(op), address, length);
        MemorySegment a = datagramAddresses.lend(op);
        MemorySegment fromLength = a.asSlice(WinSockAddr.STORAGE_SIZE, 4);
        fromLength.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, (int) WinSockAddr.STORAGE_SIZE);
        if (op >= senders.length) senders = Arrays.copyOf(senders, Math.max(op + 1, senders.length * 2));
        senders[op] = from;
        return sent(op, port.receiveFrom(fd, blocks.wsabuf(op), blocks.flags(op), a.asSlice(0, WinSockAddr.STORAGE_SIZE),
                fromLength, blocks.overlapped(op)));
    }

    @Override
    public int sendTo(int op, long id, int h, long fd, long address, int length, InetSocketAddress target) {
        prepare(op, id, h, fd, TRANSFER);
        Winsock.setWsabuf(blocks.wsabuf(op), address, length);
        if (target == null) return sent(op, port.send(fd, blocks.wsabuf(op), 1, blocks.overlapped(op))); // connected
        MemorySegment to = datagramAddresses.lend(op);
        int len = WinSockAddr.encode(target, to);
        return sent(op, port.sendTo(fd, blocks.wsabuf(op), to, len, blocks.overlapped(op)));
    }

    @Override
    public int writeGather(int op, long id, int h, long fd, MemorySegment[] buffers, long skip) {
        prepare(op, id, h, fd, TRANSFER);
        MemorySegment array = wsabufArrays.lend(op);
        int count = Gather.fill(buffers, skip, array, Winsock.WSABUF_ENTRY);
        return sent(op, port.send(fd, array, count, blocks.overlapped(op)));
    }

    @Override
    public int connect(int op, long id, int h, long fd, java.net.SocketAddress address) {
        InetSocketAddress remote = (InetSocketAddress) address; // WinsockPort opens no Unix domain socket
        prepare(op, id, h, fd, CONNECT);
        return withContext(h, op, sent(op, port.connect(fd, remote, blocks.overlapped(op))));
    }

    /** AcceptEx into a fresh socket of the listener's family. */
    @Override
    public int accept(int op, long id, int h, long fd) {
        int family = ipv6.get(h) ? Winsock.AF_INET6 : Winsock.AF_INET;
        long s = port.openAcceptSocket(family);
        if (s < 0) return (int) s;
        prepare(op, id, h, fd, ACCEPT);
        int r = port.accept(fd, family, s, blocks.acceptAddresses(op), blocks.overlapped(op));
        if (r < 0) {
            port.close(s);
        } else {
            blocks.setAcceptSocket(op, s);
        }
        return withContext(h, op, sent(op, r));
    }

    /** Remembers that request {@code op} of handle {@code h} is its connect or accept, if the kernel took it. */
    private int withContext(int h, int op, int r) {
        if (r >= 0) contextOp[h] = op;
        return r;
    }

    @Override
    public void cancel(int op, long id) {
        if (cancelCount == cancelSlots.length) {
            cancelSlots = Arrays.copyOf(cancelSlots, cancelCount * 2);
            cancelIds = Arrays.copyOf(cancelIds, cancelCount * 2);
        }
        cancelSlots[cancelCount] = op;
        cancelIds[cancelCount++] = id;
    }

    /** CancelIoEx for this turn's cancellations whose request is still out on an open socket. */
    private void flushCancels(Sink sink) {
        for (int i = 0; i < cancelCount; i++) {
            int op = cancelSlots[i];
            if (cancelIds[i] == 0 || request[op] == NONE || blocks.operation(op) != cancelIds[i]) continue;
            int r = port.cancel(socketOf[op], blocks.overlapped(op));
            if (r < 0 && r != -Errno.ENOENT.code()) sink.error(); // ENOENT: finished first, its entry is queued
        }
        cancelCount = 0;
    }

    @Override
    public int close(int h, long fd) {
        if (h < contextOp.length && contextOp[h] >= 0) {
            socketOf[contextOp[h]] = Winsock.INVALID_SOCKET; // no SO_UPDATE_* on a closed socket
            contextOp[h] = -1;
        }
        // closesocket cancels the socket's requests: no CancelIoEx may name it (or a socket reusing its number).
        for (int i = 0; i < cancelCount; i++) {
            if (socketOf[cancelSlots[i]] == fd) cancelIds[i] = 0;
        }
        return port.close(fd);
    }

    @Override
    public void recycle(BufferPool pool, int bufferId) {
        pool.putBack(bufferId);
    }

    // ---- completions --------------------------------------------------------------------------

    @Override
    public int await(long timeoutNanos, int quiet, Sink sink) { // quiet: a port has no wait for "one more"
        flushCancels(sink);
        // GetQueuedCompletionStatusEx waits in milliseconds: rounded up, so that no timer fires early.
        long millis = timeoutNanos < 0 ? -1 : (timeoutNanos + 999_999) / 1_000_000;
        int n = port.wait(entries, maxEntries, millis);
        if (n < 0) {
            sink.error();
            return 0;
        }
        dispatch(entries, n, sink);
        return n;
    }

    /**
     * Handles {@code n} completion entries laid out as OVERLAPPED_ENTRY: wake-ups, and requests
     * found by their OVERLAPPED's slot. An entry whose OVERLAPPED is not a request this kernel
     * holds under that key is counted as an error and dropped.
     */
    void dispatch(MemorySegment batch, int n, Sink sink) {
        for (int i = 0; i < n; i++) {
            long key = Winsock.entryKey(batch, i);
            long overlapped = Winsock.entryOverlapped(batch, i);
            if (overlapped == 0) {
                if (key == WAKE_KEY) sink.woken(); else sink.error();
                continue;
            }
            int op = blocks.slotOf(overlapped);
            if (op < 0 || op >= request.length || request[op] == NONE || key != keyOf[op]) {
                sink.error();
                continue;
            }
            byte kind = request[op];
            request[op] = NONE;
            wsabufArrays.giveBack(op);
            inFlight--;
            int status = blocks.status(op); // not the entry's Internal: that one is reserved
            long result = WindowsErrors.succeeded(status) ? Winsock.entryBytes(batch, i) : WindowsErrors.resultOfStatus(status);
            int flags = 0;
            if (kind == RECEIVE_FROM) {
                if (status == WindowsErrors.STATUS_BUFFER_OVERFLOW) { // a datagram cut to the buffer: its bytes, flagged
                    result = Winsock.entryBytes(batch, i);
                    flags = TRUNCATED;
                }
                io.fasterapi.aio.DatagramSender from = senders[op];
                senders[op] = null;
                if (from != null && result >= 0 && !WinSockAddr.decodeInto(datagramAddresses.lent(op), from, addressBytes)) from.clear();
            }
            datagramAddresses.giveBack(op);
            int h = handleOf[op];
            if (contextOp[h] == op) contextOp[h] = -1;
            if (kind == ACCEPT) {
                result = accepted(op, result);
            } else if (kind == CONNECT && result >= 0 && socketOf[op] != Winsock.INVALID_SOCKET) {
                result = Math.min(port.connected(socketOf[op]), 0);
            }
            sink.completed(blocks.operation(op), result, flags);
        }
    }

    /** An AcceptEx came back: the accepted socket, ready to use, or the error (the socket closed). */
    private long accepted(int op, long result) {
        long s = blocks.acceptSocket(op);
        blocks.setAcceptSocket(op, Winsock.INVALID_SOCKET);
        long listener = socketOf[op];
        long r = result < 0 ? result : listener == Winsock.INVALID_SOCKET ? -Errno.ECANCELED.code() : port.accepted(s, listener);
        if (r < 0) port.close(s); // failed, or its listener closed meanwhile
        return r < 0 ? r : s;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    // ---- wake-ups and shutdown ----------------------------------------------------------------

    @Override
    public void wake() {
        synchronized (wakeLock) {
            if (!portClosed) port.post(WAKE_KEY);
        }
    }

    @Override
    public void close() {
        synchronized (wakeLock) {
            portClosed = true;
            port.close();
        }
        // If requests are still out (the drain timed out), the kernel may yet write their
        // OVERLAPPED blocks: leaking the memory is the only safe choice.
        if (inFlight == 0) arena.close();
    }
}
