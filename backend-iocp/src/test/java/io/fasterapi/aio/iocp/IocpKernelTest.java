package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.CompletionEngine;
import io.fasterapi.aio.core.Loop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static io.fasterapi.aio.iocp.WindowsErrors.STATUS_CANCELLED;
import static io.fasterapi.aio.iocp.WindowsErrors.STATUS_CONNECTION_REFUSED;
import static io.fasterapi.aio.iocp.WindowsErrors.STATUS_CONNECTION_RESET;
import static io.fasterapi.aio.iocp.WindowsErrors.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IOCP kernel under the shared completion engine, run for real on any OS: it makes its calls on a
 * {@link ScriptedPort}, and the test hands it completion entries laid out as OVERLAPPED_ENTRY,
 * as GetQueuedCompletionStatusEx would. What the contract promises (order, partial writes,
 * cancellation, close) is checked on what the handlers receive.
 */
class IocpKernelTest {
    /** What a handler saw (the event object itself is reused by the loop). */
    record Seen(Operation op, long handle, long result, int flags, int bufferId) {
    }

    private final ScriptedPort port = new ScriptedPort();
    private final List<Seen> seen = new ArrayList<>();
    private final CompletionHandler record = e -> seen.add(new Seen(e.operation(), e.handle(), e.result(), e.flags(), e.bufferId()));
    private final Arena arena = Arena.ofConfined();
    private IocpKernel kernel;
    private AsyncIo io;

    @BeforeEach
    void open() {
        AsyncIoConfig config = AsyncIoConfig.builder().backend("iocp").maxEvents(8).queueDepth(16).build();
        kernel = new IocpKernel(config.maxEvents(), config.queueDepth(), port);
        io = new Loop(IocpProvider.NAME, config, ctx -> new CompletionEngine(ctx, kernel));
    }

    @AfterEach
    void close() {
        port.cancelOutstanding();
        if (io.isOpen()) io.close();
        arena.close();
    }

    private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    /** A connected stream handle: connect, and its ConnectEx entry delivered. */
    private long connected() {
        long h = io.connect(REMOTE, record);
        ScriptedPort.Call c = port.last("connect");
        assertEquals(h, port.last("associate").key(), "the completion key is the handle id");
        port.entry(h, c.overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        assertEquals(new Seen(Operation.CONNECT, h, 0, 0, -1), seen.removeLast());
        assertEquals(c.socket(), port.last("connected").socket(), "SO_UPDATE_CONNECT_CONTEXT after ConnectEx");
        return h;
    }

    @Test
    void connectThenReadCompletesWithTheEntrysBytes() {
        long h = connected();
        MemorySegment buf = arena.allocate(64);
        io.read(h, buf, record);
        ScriptedPort.Call r = port.last("receive");
        assertEquals(buf.address(), r.buffer());
        assertEquals(64, r.length());
        io.poll(0);
        assertTrue(seen.isEmpty(), "nothing completes before the kernel's entry");
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 5);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.READ, h, 5, 0, -1)), seen);
        assertEquals(0, kernel.inFlight());
    }

    @Test
    void readOfZeroBytesAtThePeersCloseIsEndOfStream() {
        long h = connected();
        io.read(h, arena.allocate(8), record);
        port.entry(h, port.last("receive").overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        assertEquals(0, seen.getFirst().result());
    }

    @Test
    void readsQueuedBeforeTheConnectCompletesStartAfterIt() {
        long h = io.connect(REMOTE, record);
        io.read(h, arena.allocate(8), record);
        assertEquals(0, port.count("receive"), "no WSARecv on a socket still connecting");
        port.entry(h, port.last("connect").overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        assertEquals(1, port.count("receive"));
    }

    @Test
    void aPartialWriteIsContinuedAndCompletesWithTheWholeLength() {
        long h = connected();
        MemorySegment buf = arena.allocate(10);
        io.write(h, buf, record);
        ScriptedPort.Call first = port.last("send");
        assertEquals(10, first.length());
        port.entry(h, first.overlapped(), STATUS_SUCCESS, 4);
        io.poll(0);
        assertTrue(seen.isEmpty(), "a write completes only when the whole buffer is sent");
        ScriptedPort.Call rest = port.last("send");
        assertEquals(buf.address() + 4, rest.buffer());
        assertEquals(6, rest.length());
        port.entry(h, rest.overlapped(), STATUS_SUCCESS, 6);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.WRITE, h, 10, 0, -1)), seen);
    }

    @Test
    void aGatherWriteIsOneWsaSendOfSeveralBuffersContinuedAcrossTheirBoundaries() {
        long h = connected();
        MemorySegment a = arena.allocate(10);
        MemorySegment empty = arena.allocate(0);
        MemorySegment b = arena.allocate(6);
        io.write(h, new MemorySegment[] {a, empty, b}, record);
        assertEquals(1, port.count("send"));
        assertEquals(List.of(a.address(), 10L, b.address(), 6L), pieces(port.sends.getLast()),
                "one WSABUF per non-empty buffer, in order");
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 12); // into b
        io.poll(0);
        assertTrue(seen.isEmpty(), "a gather write completes only when every buffer is sent");
        assertEquals(List.of(b.address() + 2, 4L), pieces(port.sends.getLast()), "the rest starts inside b");
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 4);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.WRITE, h, 16, 0, -1)), seen);
    }

    @Test
    void aGatherOfMoreThan64BuffersGoesOutIn64BufferRequests() {
        long h = connected();
        MemorySegment[] parts = new MemorySegment[100];
        for (int i = 0; i < parts.length; i++) parts[i] = arena.allocate(3);
        io.write(h, parts, record);
        assertEquals(128, port.sends.getLast().length, "64 WSABUFs in the first request");
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 64 * 3);
        io.poll(0);
        assertEquals(72, port.sends.getLast().length, "the other 36");
        assertEquals(parts[64].address(), port.sends.getLast()[0]);
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 36 * 3);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.WRITE, h, 300, 0, -1)), seen);
    }

    @Test
    void aDatagramIsReceivedWithItsSenderAndACutOneIsFlagged() throws Exception {
        long h = io.openDatagram(REMOTE);
        assertEquals(h, port.last("associate").key());
        MemorySegment buf = arena.allocate(64);
        io.fasterapi.aio.DatagramSender from = new io.fasterapi.aio.DatagramSender();
        io.receiveFrom(h, buf, from, record, 0);
        ScriptedPort.Call r = port.last("receiveFrom");
        assertEquals(buf.address(), r.buffer());
        MemorySegment[] where = port.receivesFrom.getLast();
        assertEquals(WinSockAddr.STORAGE_SIZE, Integer.toUnsignedLong(where[1].get(java.lang.foreign.ValueLayout.JAVA_INT, 0)),
                "WSARecvFrom is told the room for the address");
        InetSocketAddress sender = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 5555);
        WinSockAddr.encode(sender, where[0]); // what the kernel writes
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 7);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.READ, h, 7, 0, -1)), seen);
        assertTrue(from.is(sender), from.toString());

        seen.clear();
        io.receiveFrom(h, buf, from, record, 0);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 6666);
        WinSockAddr.encode(v6, port.receivesFrom.getLast()[0]);
        port.entry(h, port.last("receiveFrom").overlapped(), WindowsErrors.STATUS_BUFFER_OVERFLOW, 64);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.READ, h, 64, IoEvent.TRUNCATED, -1)), seen, "cut to the buffer, and said so");
        assertTrue(from.is(v6), from.toString());
        assertEquals(2, io.stats().datagramsReceived());
    }

    @Test
    void aDatagramIsSentToItsTarget() throws Exception {
        long h = io.openDatagram(REMOTE);
        MemorySegment buf = arena.allocate(10);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 4000);
        io.sendTo(h, buf, target, record, 0);
        ScriptedPort.Call w = port.last("sendTo");
        assertEquals(buf.address(), w.buffer());
        assertEquals(10, w.length());
        MemorySegment expected = arena.allocate(WinSockAddr.STORAGE_SIZE);
        int len = WinSockAddr.encode(target, expected);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                port.sentTo.getLast(), "the target's sockaddr_in");
        port.entry(h, w.overlapped(), STATUS_SUCCESS, 10);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.WRITE, h, 10, 0, -1)), seen);
        assertEquals(1, io.stats().datagramsSent());
    }

    private static List<Long> pieces(long[] p) {
        List<Long> l = new ArrayList<>();
        for (long v : p) l.add(v);
        return l;
    }

    @Test
    void writesOnOneHandleReachTheKernelOneAtATimeInOrder() {
        long h = connected();
        MemorySegment a = arena.allocate(3);
        MemorySegment b = arena.allocate(7);
        io.write(h, a, record, 1);
        io.write(h, b, record, 2);
        assertEquals(1, port.count("send"), "only the queue's head is in the kernel");
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 3);
        io.poll(0);
        assertEquals(b.address(), port.last("send").buffer());
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 7);
        io.poll(0);
        assertEquals(List.of(3L, 7L), seen.stream().map(Seen::result).toList());
    }

    @Test
    void aWriteEntryOfZeroBytesIsABrokenPipe() {
        long h = connected();
        io.write(h, arena.allocate(4), record);
        port.entry(h, port.last("send").overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        assertEquals(Errno.EPIPE.result(), seen.getFirst().result());
    }

    @Test
    void aFailedEntryCarriesTheMappedError() {
        long h = connected();
        io.read(h, arena.allocate(8), record);
        port.entry(h, port.last("receive").overlapped(), STATUS_CONNECTION_RESET, 0);
        io.poll(0);
        assertEquals(Errno.ECONNRESET.result(), seen.getFirst().result());
    }

    @Test
    void aRequestRefusedAtOnceCompletesOnTheNextTurnWithoutAnEntry() {
        long h = connected();
        port.answer("receive", Errno.ENOTCONN.result());
        io.read(h, arena.allocate(8), record);
        assertTrue(seen.isEmpty(), "never inside the submitting call");
        io.poll(0);
        assertEquals(Errno.ENOTCONN.result(), seen.getFirst().result());
        assertEquals(0, kernel.inFlight());
    }

    @Test
    void aRefusedConnectFailsAndClosesTheHandle() {
        long h = io.connect(REMOTE, record);
        ScriptedPort.Call c = port.last("connect");
        port.entry(h, c.overlapped(), STATUS_CONNECTION_REFUSED, 0);
        io.poll(0);
        assertEquals(new Seen(Operation.CONNECT, h, Errno.ECONNREFUSED.result(), 0, -1), seen.getFirst());
        assertEquals(c.socket(), port.last("close").socket(), "the loop closed the socket");
        assertFalse(io.close(h), "the handle is already closed");
    }

    @Test
    void acceptUsesAcceptExIntoAFreshSocketAndAdoptsIt() {
        long listener = io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        long listenSocket = port.last("openListener").socket();
        assertEquals(listener, port.last("associate").key());
        io.accept(listener, record);
        ScriptedPort.Call a = port.last("accept");
        assertEquals(Winsock.AF_INET, port.last("openAcceptSocket").key(), "the accept socket has the listener's family");
        long acceptSocket = a.key();
        port.entry(listener, a.overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        long conn = seen.getFirst().result();
        assertTrue(conn > 0, "the result is the new connection's handle: " + conn);
        assertEquals(new ScriptedPort.Call("accepted", acceptSocket, 0, listenSocket, 0, 0), port.last("accepted"));
        ScriptedPort.Call assoc = port.last("associate");
        assertEquals(acceptSocket, assoc.socket());
        assertEquals(conn, assoc.key(), "the accepted socket's key is its handle id");
    }

    @Test
    void anAcceptOnAnIpv6ListenerOpensAnIpv6Socket() {
        port.localAddress = new InetSocketAddress("::1", 4242);
        long listener = io.listen(new InetSocketAddress("::1", 0));
        io.accept(listener, record);
        assertEquals(Winsock.AF_INET6, port.last("openAcceptSocket").key());
    }

    @Test
    void cancelAsksCancelIoExAtTheNextWaitAndCompletesWhenTheKernelGivesTheRequestBack() {
        long h = connected();
        MemorySegment buf = arena.allocate(8);
        long id = io.read(h, buf, record);
        ScriptedPort.Call r = port.last("receive");
        assertTrue(io.cancel(id));
        io.cancel(id);
        assertEquals(0, port.count("cancel"), "CancelIoEx is batched into the next wait");
        io.poll(0);
        assertEquals(1, port.count("cancel"), "one CancelIoEx, however often cancel() was called");
        assertEquals(new ScriptedPort.Call("cancel", r.socket(), r.overlapped(), 0, 0, 0), port.last("cancel"));
        assertTrue(seen.isEmpty(), "the buffer is the kernel's until its entry arrives");
        // Meanwhile the slot is not reused: a new operation gets another OVERLAPPED.
        io.write(h, arena.allocate(4), record);
        assertNotEquals(r.overlapped(), port.last("send").overlapped());
        port.entry(h, r.overlapped(), STATUS_CANCELLED, 0);
        io.poll(0);
        assertEquals(new Seen(Operation.READ, h, Errno.ECANCELED.result(), 0, -1), seen.getFirst());
    }

    @Test
    void aReadTheCancelCameTooLateForKeepsItsBytes() {
        long h = connected();
        long id = io.read(h, arena.allocate(8), record);
        io.cancel(id);
        port.answer("cancel", Errno.ENOENT.result()); // ERROR_NOT_FOUND: it completed, its entry is queued
        io.poll(0);
        port.entry(h, port.last("receive").overlapped(), STATUS_SUCCESS, 3);
        io.poll(0);
        assertEquals(3, seen.getFirst().result(), "the 3 bytes received are reported, not dropped");
        assertEquals(0, io.stats().errors(), "a read that succeeded is not an error");
    }

    /** cancel() of an operation the kernel had finished: CancelIoEx finds nothing (ERROR_NOT_FOUND). */
    private void cancelTooLate(long id) {
        assertTrue(io.cancel(id));
        port.answer("cancel", Errno.ENOENT.result());
        io.poll(0);
        assertTrue(seen.isEmpty(), "nothing completes before the kernel's entry");
    }

    @Test
    void aReceiveTheCancelCameTooLateForDeliversItsChunkThenEnds() {
        long h = connected();
        long pool = io.createBufferPool(2, 32);
        long id = io.receive(h, pool, record, 0);
        ScriptedPort.Call r = port.last("receive");
        cancelTooLate(id);
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 5);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.READ, h, 5, IoEvent.MORE, 0),
                new Seen(Operation.READ, h, Errno.ECANCELED.result(), 0, -1)), seen,
                "the 5 bytes the kernel received are delivered (cancelling never loses data), then the receive ends");
        assertEquals(1, port.count("receive"), "no new WSARecv after the cancel");
    }

    @Test
    void aWriteTheCancelCameTooLateForCompletesWhenItSentEverything() {
        long h = connected();
        long id = io.write(h, arena.allocate(4), record);
        ScriptedPort.Call w = port.last("send");
        cancelTooLate(id);
        port.entry(h, w.overlapped(), STATUS_SUCCESS, 4);
        io.poll(0);
        assertEquals(new Seen(Operation.WRITE, h, 4, 0, -1), seen.getFirst(), "the whole write went out: its length");
    }

    @Test
    void aWriteTheCancelCameTooLateForIsCancelledWhenItSentOnlyPart() {
        long h = connected();
        long id = io.write(h, arena.allocate(4), record);
        ScriptedPort.Call w = port.last("send");
        cancelTooLate(id);
        port.entry(h, w.overlapped(), STATUS_SUCCESS, 3);
        io.poll(0);
        assertEquals(new Seen(Operation.WRITE, h, Errno.ECANCELED.result(), 0, -1), seen.getFirst(),
                "part of the write went out: ECANCELED (the contract says: close the connection)");
        assertEquals(1, port.count("send"), "the rest is not sent after the cancel");
    }

    @Test
    void anAcceptCancelledWhileTheAcceptExIsOutKeepsItsConnectionForTheNextAccept() {
        long listener = io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        long id = io.accept(listener, record);
        ScriptedPort.Call a = port.last("accept");
        long acceptSocket = a.key();
        assertTrue(io.cancel(id));
        io.poll(0);
        assertEquals(new Seen(Operation.ACCEPT, listener, Errno.ECANCELED.result(), 0, -1), seen.removeFirst(),
                "an accept is never in the kernel itself: cancelling it is immediate");
        assertEquals(0, port.count("cancel"), "the listener's AcceptEx stays out");
        port.entry(listener, a.overlapped(), STATUS_SUCCESS, 0); // the kernel accepted a connection meanwhile
        io.poll(0);
        assertTrue(seen.isEmpty(), "nobody asked for it yet");
        assertTrue(port.calls.stream().noneMatch(c -> c.name().equals("close") && c.socket() == acceptSocket),
                "the accepted socket is kept, not closed");
        io.accept(listener, record);
        io.poll(0);
        long conn = seen.getFirst().result();
        assertTrue(conn > 0, "the next accept gets the connection the kernel had accepted: " + seen.getFirst());
        assertEquals(1, port.count("accept"), "from the backlog, without a new AcceptEx");
        assertEquals(acceptSocket, port.last("accepted").socket(), "SO_UPDATE_ACCEPT_CONTEXT on it");
        assertTrue(io.close(conn), "and it is a live handle");
    }

    @Test
    void closingAHandleCancelsThroughClosesocketAndCompletesInOrderWhenTheEntryArrives() {
        long h = connected();
        io.read(h, arena.allocate(8), record, 1);
        io.read(h, arena.allocate(8), record, 2);
        ScriptedPort.Call r = port.last("receive");
        List<Long> order = new ArrayList<>();
        io.close(h, e -> order.add(-1L), 0);
        assertEquals(r.socket(), port.last("close").socket());
        io.poll(0);
        assertEquals(0, port.count("cancel"), "closesocket cancelled the request: no CancelIoEx");
        assertTrue(seen.isEmpty(), "the read in the kernel, and those behind it, wait for its entry");
        port.entry(h, r.overlapped(), STATUS_CANCELLED, 0); // the key is now a stale handle id
        io.poll(0);
        assertEquals(List.of((long) Errno.ECANCELED.result(), (long) Errno.ECANCELED.result()),
                seen.stream().map(Seen::result).toList());
        assertEquals(List.of(-1L), order, "the CLOSE completes after the cancelled reads");
    }

    @Test
    void closingAListenerClosesTheSocketAnAcceptExStillHeld() {
        long listener = io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        io.accept(listener, record);
        ScriptedPort.Call a = port.last("accept");
        io.close(listener);
        port.entry(listener, a.overlapped(), STATUS_CANCELLED, 0);
        io.poll(0);
        assertEquals(Errno.ECANCELED.result(), seen.getFirst().result());
        assertEquals(a.key(), port.last("close").socket(), "the pre-created accept socket is closed, not leaked");
    }

    @Test
    void aConnectEntryAfterItsHandleClosedMakesNoCallOnTheSocketNumber() {
        long h = io.connect(REMOTE, record);
        ScriptedPort.Call c = port.last("connect");
        io.close(h);
        port.entry(h, c.overlapped(), STATUS_SUCCESS, 0); // ConnectEx had finished before closesocket
        io.poll(0);
        assertEquals(new Seen(Operation.CONNECT, h, Errno.ECANCELED.result(), 0, -1), seen.getFirst(),
                "a closed handle's connect is cancelled");
        assertEquals(0, port.count("connected"), "no SO_UPDATE_CONNECT_CONTEXT: the number may be a new socket's by now");
        assertEquals(0, kernel.inFlight());
    }

    @Test
    void anAcceptExEntryAfterItsListenerClosedClosesTheAcceptedSocketUntouched() {
        long listener = io.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        io.accept(listener, record);
        ScriptedPort.Call a = port.last("accept");
        io.close(listener);
        port.entry(listener, a.overlapped(), STATUS_SUCCESS, 0); // AcceptEx had finished before closesocket
        io.poll(0);
        assertEquals(Errno.ECANCELED.result(), seen.getFirst().result());
        assertEquals(0, port.count("accepted"), "no SO_UPDATE_ACCEPT_CONTEXT against a closed listener's number");
        assertEquals(a.key(), port.last("close").socket(), "the accepted socket is closed, not leaked");
        assertEquals(0, kernel.inFlight());
    }

    @Test
    void anEntryForNoOperationInTheKernelIsCountedAndDropped() {
        long h = connected();
        io.read(h, arena.allocate(8), record);
        ScriptedPort.Call r = port.last("receive");
        long before = io.stats().errors();
        port.entry(h, r.overlapped() + 8, STATUS_SUCCESS, 1); // not the start of a block
        port.entry(h, 0x1000, STATUS_SUCCESS, 1);             // not this loop's memory
        port.entry(h + 1, r.overlapped(), STATUS_SUCCESS, 1); // right block, wrong key
        io.poll(0);
        assertEquals(before + 3, io.stats().errors());
        assertTrue(seen.isEmpty());
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 1);
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 1); // a duplicate: the operation left the kernel
        io.poll(0);
        assertEquals(1, seen.size());
        assertEquals(before + 4, io.stats().errors());
    }

    @Test
    void aWakeUpIsAPostedEntryWithTheReservedKey() {
        int[] woken = {0};
        io.onWake(() -> woken[0]++);
        io.wake();
        io.wake();
        assertEquals(1, port.posts, "a second wake before the loop ran is free");
        io.poll(0);
        assertEquals(1, woken[0]);
        assertEquals(1, io.stats().wakes());
    }

    @Test
    void closingTheLoopWaitsForTheKernelToGiveBackEveryRequest() {
        long h = connected();
        io.read(h, arena.allocate(8), record);
        port.entry(h, port.last("receive").overlapped(), STATUS_CANCELLED, 0);
        io.close();
        assertEquals(Errno.ECANCELED.result(), seen.getFirst().result());
        assertEquals(0, kernel.inFlight());
        assertTrue(port.closed);
    }

    @Test
    void receiveHandsOutPoolBuffersAndPausesWhenTheUserHoldsThemAll() {
        long h = connected();
        long pool = io.createBufferPool(1, 32);
        MemorySegment memory = io.bufferPoolMemory(pool);
        io.receive(h, pool, record, 0);
        ScriptedPort.Call r = port.last("receive");
        assertEquals(memory.address(), r.buffer());
        assertEquals(32, r.length());
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 7);
        io.poll(0);
        assertEquals(new Seen(Operation.READ, h, 7, IoEvent.MORE, 0), seen.get(0));
        assertEquals(new Seen(Operation.READ, h, Errno.ENOBUFS.result(), IoEvent.MORE, -1), seen.get(1));
        assertEquals(1, port.count("receive"), "paused: no buffer to receive into");
        io.releaseBuffer(pool, 0);
        assertEquals(2, port.count("receive"), "resumed by the release");
        port.entry(h, port.last("receive").overlapped(), STATUS_SUCCESS, 0);
        io.poll(0);
        assertEquals(new Seen(Operation.READ, h, 0, 0, -1), seen.getLast());
    }

    @Test
    void aPoolDatagramReceiveIsOneWsaRecvFromPerBufferAfterTheOffsetWithItsSender() throws Exception {
        long h = io.openDatagram(REMOTE);
        long pool = io.createBufferPool(2, 128);
        MemorySegment memory = io.bufferPoolMemory(pool);
        io.fasterapi.aio.DatagramSender from = new io.fasterapi.aio.DatagramSender();
        java.util.List<InetSocketAddress> senders = new java.util.ArrayList<>();
        io.receiveFrom(h, pool, from, e -> {
            record.completed(e);
            if (e.bufferId() >= 0) {
                assertEquals(AsyncIo.POOL_DATAGRAM_OFFSET, e.bufferOffset());
                senders.add(from.socketAddress());
            }
        }, 0);
        int at = AsyncIo.POOL_DATAGRAM_OFFSET;
        ScriptedPort.Call r = port.last("receiveFrom");
        assertEquals(memory.address() + at, r.buffer(), "the datagram goes after the room every backend leaves");
        assertEquals(128 - at, r.length());
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 5555);
        WinSockAddr.encode(a, port.receivesFrom.getLast()[0]);
        port.entry(h, r.overlapped(), STATUS_SUCCESS, 0); // an empty datagram: no end
        io.poll(0);
        ScriptedPort.Call r2 = port.last("receiveFrom");
        assertEquals(memory.address() + 128 + at, r2.buffer(), "the next buffer, at once");
        InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("::1"), 6666);
        WinSockAddr.encode(b, port.receivesFrom.getLast()[0]);
        port.entry(h, r2.overlapped(), WindowsErrors.STATUS_BUFFER_OVERFLOW, 128 - at);
        io.poll(0);
        assertEquals(List.of(new Seen(Operation.READ, h, 0, IoEvent.MORE, 0),
                new Seen(Operation.READ, h, 128 - at, IoEvent.MORE | IoEvent.TRUNCATED, 1),
                new Seen(Operation.READ, h, Errno.ENOBUFS.result(), IoEvent.MORE, -1)), seen);
        assertEquals(List.of(a, b), senders, "each datagram's own sender, though both were reaped before delivery");
        assertEquals(2, port.count("receiveFrom"), "paused: both buffers are held");
        io.releaseBuffer(pool, 1);
        assertEquals(3, port.count("receiveFrom"), "resumed by the release");
        assertEquals(2, io.stats().datagramsReceived());
    }
}
