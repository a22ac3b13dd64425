package io.fasterapi.aio.iocp;

import io.fasterapi.aio.ListenOptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A {@link CompletionPort} that simulates nothing: it records each call the loop makes, answers
 * with the result the test set (0, "the kernel took the request", by default), and hands the loop
 * exactly the completion entries the test wrote, in OVERLAPPED_ENTRY layout, at its next wait,
 * each request's status written where the kernel writes it (its OVERLAPPED).
 */
final class ScriptedPort implements CompletionPort {
    /** One recorded call. {@code buffer}/{@code length} come from the (first) WSABUF the loop filled. */
    record Call(String name, long socket, long overlapped, long key, long buffer, int length) {
    }

    final List<Call> calls = new ArrayList<>();
    /** Every WSABUF of each send, in order, as (buffer, length) pairs. */
    final List<long[]> sends = new ArrayList<>();
    /** Results to return, per call name, in order; 0 when none is set. */
    final Map<String, ArrayDeque<Long>> results = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment queued = arena.allocate(Winsock.ENTRY_SIZE * 64, 8);
    private int queuedCount;
    private long nextSocket = 100;
    int posts;
    boolean closed;
    InetSocketAddress localAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4242);

    void answer(String call, long result) {
        results.computeIfAbsent(call, k -> new ArrayDeque<>()).add(result);
    }

    private long result(String call) {
        ArrayDeque<Long> q = results.get(call);
        return q == null || q.isEmpty() ? 0 : q.poll();
    }

    /**
     * Completes a request as the kernel does: {@code status} and {@code bytes} into its OVERLAPPED
     * (Internal, InternalHigh), then its entry queued for the loop's next wait, exactly as
     * GetQueuedCompletionStatusEx would write it. An address that is no request still out (a bogus
     * or duplicate entry a test feeds) gets the entry only: there is no OVERLAPPED to write.
     */
    @SuppressWarnings("restricted")
    void entry(long key, long overlapped, int status, int bytes) {
        if (outstanding.remove(overlapped) != null) {
            MemorySegment block = MemorySegment.ofAddress(overlapped).reinterpret(Winsock.OVERLAPPED_SIZE);
            Winsock.completeOverlapped(block, status, Integer.toUnsignedLong(bytes));
        }
        Winsock.writeEntry(queued, queuedCount++, key, overlapped, bytes);
    }

    /** Requests the loop started (the call answered 0) and no entry was queued for yet: OVERLAPPED → key. */
    private final Map<Long, Long> outstanding = new java.util.LinkedHashMap<>();
    private final Map<Long, Long> keys = new HashMap<>();

    /** Queues a STATUS_CANCELLED entry for every request still out (what closing their sockets does). */
    void cancelOutstanding() {
        for (Map.Entry<Long, Long> e : List.copyOf(outstanding.entrySet())) {
            entry(e.getValue(), e.getKey(), WindowsErrors.STATUS_CANCELLED, 0);
        }
    }

    private int request(String name, long socket, long overlapped) {
        int r = (int) result(name);
        if (r == 0) outstanding.put(overlapped, keys.getOrDefault(socket, 0L));
        return r;
    }

    /** The last recorded call of that name. */
    Call last(String name) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).name().equals(name)) return calls.get(i);
        }
        throw new AssertionError("no call of " + name + " in " + calls);
    }

    long count(String name) {
        return calls.stream().filter(c -> c.name().equals(name)).count();
    }

    private void record(String name, long socket, long overlapped, long key, MemorySegment wsabuf) {
        record(name, socket, overlapped, key, wsabuf, wsabuf == null ? 0 : 1);
    }

    private void record(String name, long socket, long overlapped, long key, MemorySegment wsabufs, int count) {
        long[] pieces = new long[2 * count];
        for (int i = 0; i < count; i++) {
            long at = i * Winsock.WSABUF.byteSize();
            pieces[2 * i] = wsabufs.get(JAVA_LONG, at + Winsock.WSABUF_BUF);
            pieces[2 * i + 1] = Integer.toUnsignedLong(wsabufs.get(JAVA_INT, at + Winsock.WSABUF_LEN));
        }
        if (name.equals("send")) sends.add(pieces);
        calls.add(new Call(name, socket, overlapped, key, count == 0 ? 0 : pieces[0], count == 0 ? 0 : (int) pieces[1]));
    }

    @Override
    public long openListener(InetSocketAddress address, ListenOptions options) {
        record("openListener", nextSocket, 0, 0, null);
        return nextSocket++;
    }

    @Override
    public long openListener(java.net.UnixDomainSocketAddress address, ListenOptions options) {
        throw WinsockPort.noUnixSockets(address);
    }

    @Override
    public long openDatagram(InetSocketAddress bind, io.fasterapi.aio.DatagramOptions options) {
        record("openDatagram", nextSocket, 0, 0, null);
        return nextSocket++;
    }

    @Override
    public void membership(long socket, java.net.InetAddress group, java.net.NetworkInterface ni, boolean join) {
        record(join ? "joinGroup" : "leaveGroup", socket, 0, 0, null);
    }

    @Override
    public void connectDatagram(long socket, InetSocketAddress remote) {
        record("connectDatagram", socket, 0, 0, null);
    }

    /** Where each WSARecvFrom wants its sender (the test writes it there as the kernel would), and the int length after it. */
    final List<MemorySegment[]> receivesFrom = new ArrayList<>();
    /** The address bytes of each WSASendTo. */
    final List<byte[]> sentTo = new ArrayList<>();

    @Override
    public int receiveFrom(long socket, MemorySegment wsabuf, MemorySegment flags, MemorySegment from, MemorySegment fromLength,
                           long overlapped) {
        record("receiveFrom", socket, overlapped, 0, wsabuf);
        receivesFrom.add(new MemorySegment[] {from, fromLength});
        return request("receiveFrom", socket, overlapped);
    }

    @Override
    public int sendTo(long socket, MemorySegment wsabuf, MemorySegment to, int toLength, long overlapped) {
        record("sendTo", socket, overlapped, 0, wsabuf);
        sentTo.add(to.asSlice(0, toLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        return request("sendTo", socket, overlapped);
    }

    @Override
    public long openStream(java.net.UnixDomainSocketAddress remote) {
        throw WinsockPort.noUnixSockets(remote);
    }

    @Override
    public long openStream(InetSocketAddress remote, io.fasterapi.aio.ConnectOptions options) {
        record("openStream", nextSocket, 0, 0, null);
        return nextSocket++;
    }

    @Override
    public long openAcceptSocket(int family) {
        long r = result("openAcceptSocket");
        long s = r < 0 ? r : nextSocket++;
        record("openAcceptSocket", s, 0, family, null);
        return s;
    }

    @Override
    public int associate(long socket, long key) {
        record("associate", socket, 0, key, null);
        keys.put(socket, key);
        return (int) result("associate");
    }

    @Override
    public int accept(long listener, int family, long acceptSocket, MemorySegment addresses, long overlapped) {
        record("accept", listener, overlapped, acceptSocket, null);
        return request("accept", listener, overlapped);
    }

    @Override
    public int accepted(long acceptSocket, long listener) {
        record("accepted", acceptSocket, 0, listener, null);
        return (int) result("accepted");
    }

    @Override
    public int connect(long socket, InetSocketAddress remote, long overlapped) {
        record("connect", socket, overlapped, 0, null);
        return request("connect", socket, overlapped);
    }

    @Override
    public int connected(long socket) {
        record("connected", socket, 0, 0, null);
        return (int) result("connected");
    }

    @Override
    public int receive(long socket, MemorySegment wsabuf, MemorySegment flags, long overlapped) {
        record("receive", socket, overlapped, 0, wsabuf);
        return request("receive", socket, overlapped);
    }

    @Override
    public int send(long socket, MemorySegment wsabufs, int count, long overlapped) {
        record("send", socket, overlapped, 0, wsabufs, count);
        return request("send", socket, overlapped);
    }

    @Override
    public int cancel(long socket, long overlapped) {
        record("cancel", socket, overlapped, 0, null);
        return (int) result("cancel");
    }

    @Override
    public int close(long socket) {
        record("close", socket, 0, 0, null);
        return (int) result("close");
    }

    @Override
    public java.net.SocketAddress address(long socket, boolean local) {
        return localAddress;
    }

    @Override
    public void shutdownOutput(long socket) {
        record("shutdownOutput", socket, 0, 0, null);
    }

    /** Checks the option and value as Windows would (WinsockPort's table), records the call. */
    @Override
    public <T> void setOption(long socket, java.net.SocketOption<T> option, T value) {
        io.fasterapi.aio.core.SocketOptions.encode(WinsockPort.OPTIONS.entry(option), value);
        record("setOption " + option.name() + "=" + value, socket, 0, 0, null);
    }

    @Override
    public <T> T getOption(long socket, java.net.SocketOption<T> option) {
        WinsockPort.OPTIONS.entry(option);
        throw new UnsupportedOperationException("a scripted port has no socket to ask");
    }

    @Override
    public int adoptable(long socket) {
        record("adoptable", socket, 0, 0, null);
        return io.fasterapi.aio.core.Handles.KIND_STREAM;
    }

    @Override
    public void prepareAdopted(long socket) {
        record("prepareAdopted", socket, 0, 0, null);
    }

    @Override
    public java.util.Set<java.net.SocketOption<?>> supportedOptions() {
        return WinsockPort.OPTIONS.supported();
    }

    @Override
    public int wait(MemorySegment entries, int max, long timeoutMillis) {
        int n = Math.min(max, queuedCount);
        MemorySegment.copy(queued, 0, entries, 0, n * Winsock.ENTRY_SIZE);
        MemorySegment.copy(queued, n * Winsock.ENTRY_SIZE, queued, 0, (queuedCount - n) * Winsock.ENTRY_SIZE);
        queuedCount -= n;
        return n;
    }

    @Override
    public void post(long key) {
        posts++;
        entry(key, 0, 0, 0);
    }

    @Override
    public void close() {
        closed = true;
        arena.close();
    }
}
