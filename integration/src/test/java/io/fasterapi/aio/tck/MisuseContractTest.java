package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.ListenOptions;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Misuse throws at the call site and changes nothing: no completion is ever delivered for the
 * refused call, no descriptor is opened, and the loop (and the connection used) still works.
 */
class MisuseContractTest {

    /** A handler that must never run. */
    private static final class Never implements CompletionHandler {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void completed(io.fasterapi.aio.IoEvent event) {
            calls.incrementAndGet();
        }
    }

    /** The calls that did not throw {@code expected}, each with what it did instead. */
    static List<String> notRefused(Map<String, Executable> calls, Class<? extends Throwable> expected) {
        List<String> wrong = new ArrayList<>();
        calls.forEach((name, call) -> {
            try {
                call.execute();
                wrong.add(name + " returned normally");
            } catch (Throwable t) {
                if (!expected.isInstance(t)) wrong.add(name + " threw " + t);
            }
        });
        return wrong;
    }

    /** For the cases that take no descriptor count before their refused calls. */
    private static final int DESCRIPTORS_NOT_CHECKED = Integer.MIN_VALUE;

    /** Polls a little and checks the refused calls delivered nothing, then that everything works. */
    private static void assertNothingChanged(TestLoop loop, Never never, Pair used, int fdsBefore) {
        loop.pollFor(Duration.ofMillis(30));
        assertEquals(0, never.calls.get(), "a refused call delivered a completion");
        if (fdsBefore != DESCRIPTORS_NOT_CHECKED) {
            Fds.assertCount(fdsBefore, "a refused call opened or closed a descriptor");
        }
        if (used != null) {
            loop.exchange(used, 77);
        }
        loop.assertStillWorks();
    }

    private static int fds() {
        return Fds.count();
    }

    @ContractTest
    void heapSegmentIsRefused(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Never never = new Never();
            MemorySegment heap = MemorySegment.ofArray(new byte[64]);
            assertThrows(IllegalArgumentException.class, () -> io.read(p.server(), heap, never), "read into a heap segment");
            assertThrows(IllegalArgumentException.class, () -> io.write(p.client(), heap, never), "write from a heap segment");
            MemorySegment heapLongs = MemorySegment.ofArray(new long[8]);
            assertThrows(IllegalArgumentException.class, () -> io.write(p.client(), heapLongs, never), "write from a long[] segment");
            assertNothingChanged(loop, never, p, DESCRIPTORS_NOT_CHECKED);
        }
    }

    @ContractTest
    void heapByteBufferIsRefused(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Never never = new Never();
            ByteBuffer heap = ByteBuffer.allocate(64);
            ByteBuffer wrapped = ByteBuffer.wrap(new byte[64], 8, 16);
            assertThrows(IllegalArgumentException.class, () -> io.read(p.server(), heap, never), "read into a heap ByteBuffer");
            assertThrows(IllegalArgumentException.class, () -> io.write(p.client(), heap, never), "write from a heap ByteBuffer");
            assertThrows(IllegalArgumentException.class, () -> io.write(p.client(), wrapped, never), "write from a wrapped array");
            assertEquals(0, heap.position(), "a refused call leaves the position alone");
            assertEquals(8, wrapped.position(), "a refused call leaves the position alone");
            assertNothingChanged(loop, never, p, DESCRIPTORS_NOT_CHECKED);
        }
    }

    @ContractTest
    void readOnlyBufferForReadIsRefused(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            Never never = new Never();
            ByteBuffer readOnly = ByteBuffer.allocateDirect(64).asReadOnlyBuffer();
            MemorySegment readOnlySegment = arena.allocate(64).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> io.read(p.server(), readOnly, never), "read into a read-only ByteBuffer");
            assertThrows(IllegalArgumentException.class, () -> io.read(p.server(), readOnlySegment, never), "read into a read-only segment");
            assertNothingChanged(loop, never, p, DESCRIPTORS_NOT_CHECKED);

            // Writing from read-only memory is fine.
            MemorySegment data = Bytes.random(arena, 32, 5);
            ByteBuffer direct = ByteBuffer.allocateDirect(32);
            MemorySegment.ofBuffer(direct).copyFrom(data);
            loop.writeAll(p.client(), data.asReadOnly());
            Completion w = new Completion();
            io.write(p.client(), direct.asReadOnlyBuffer(), w);
            loop.await("a write from a read-only ByteBuffer", w::done);
            assertEquals(32, w.assertSucceeded(Operation.WRITE));
            MemorySegment got = loop.readExactly(p.server(), 64, arena);
            Bytes.assertSame(data, got.asSlice(0, 32), "write from a read-only segment");
            Bytes.assertSame(data, got.asSlice(32, 32), "write from a read-only ByteBuffer");
        }
    }

    @ContractTest
    void nullHandlerIsRefused(Backend backend) {
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            int fds = fds();
            MemorySegment buf = arena.allocate(16);
            ByteBuffer bb = ByteBuffer.allocateDirect(16);
            InetSocketAddress at = io.localAddress(p.listener());
            Map<String, Executable> calls = new TreeMap<>();
            calls.put("read(segment, null)", () -> io.read(p.server(), buf, null));
            calls.put("read(ByteBuffer, null)", () -> io.read(p.server(), bb, null));
            calls.put("write(segment, null)", () -> io.write(p.client(), buf, null));
            calls.put("write(ByteBuffer, null)", () -> io.write(p.client(), bb, null));
            calls.put("write(segments, null)", () -> io.write(p.client(), new MemorySegment[] {buf}, null));
            calls.put("write(ByteBuffers, null)", () -> io.write(p.client(), new ByteBuffer[] {bb}, null));
            calls.put("accept(null)", () -> io.accept(p.listener(), null));
            calls.put("connect(address, null)", () -> io.connect(at, null));
            calls.put("connect(null, handler)", () -> io.connect((java.net.InetSocketAddress) null, new Never()));
            calls.put("listen(null)", () -> io.listen((java.net.InetSocketAddress) null));
            calls.put("listen(null Unix domain address)", () -> io.listen((java.net.UnixDomainSocketAddress) null));
            calls.put("connect(null Unix domain address, handler)", () -> io.connect((java.net.UnixDomainSocketAddress) null, new Never()));
            calls.put("schedule(null)", () -> io.schedule(1_000_000, null, 0));
            calls.put("close(handle, null)", () -> io.close(p.server(), null, 0));
            List<String> wrong = notRefused(calls, NullPointerException.class);
            assertTrue(wrong.isEmpty(), "expected NullPointerException from: " + wrong);
            assertNothingChanged(loop, new Never(), p, fds);
        }
    }

    @ContractTest
    void closedLoopRefusesCalls(Backend backend) {
        try (Arena arena = Arena.ofConfined()) {
            TestLoop loop = backend.open();
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            InetSocketAddress at = io.localAddress(p.listener());
            io.close();
            assertFalse(io.isOpen());
            Never never = new Never();
            MemorySegment buf = arena.allocate(16);
            Map<String, Executable> calls = new TreeMap<>();
            calls.put("listen", () -> io.listen(new InetSocketAddress(TestLoop.IPV4, 0)));
            calls.put("connect", () -> io.connect(at, never));
            calls.put("accept", () -> io.accept(p.listener(), never));
            calls.put("read", () -> io.read(p.server(), buf, never));
            calls.put("write", () -> io.write(p.client(), buf, never));
            calls.put("write(gather)", () -> io.write(p.client(), new MemorySegment[] {buf}, never));
            calls.put("schedule", () -> io.schedule(0, never, 0));
            calls.put("poll", () -> io.poll(0));
            calls.put("run", io::run);
            List<String> wrong = notRefused(calls, IllegalStateException.class);
            assertTrue(wrong.isEmpty(), "expected IllegalStateException on a closed loop from: " + wrong);
            io.close(); // closing twice does nothing
            assertEquals(0, never.calls.get(), "a closed loop delivered a completion");
            try (TestLoop fresh = backend.open()) {
                fresh.assertStillWorks();
            }
        }
    }

    @ContractTest
    void listenOnPortInUseThrowsEaddrinuse(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            long first = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            InetSocketAddress taken = io.localAddress(first);
            RoundTripContractTest.loopbackWorks(TestLoop.IPV4); // the JDK's first socket opens a descriptor it keeps
            int fds = fds();
            AsyncIoException e = assertThrows(AsyncIoException.class, () -> io.listen(taken),
                    "listen on a port this loop already listens on");
            assertSame(Errno.EADDRINUSE, e.error(), () -> "error of " + e);
            assertEquals(Errno.EADDRINUSE.code(), e.errno());
            assertEquals(fds, fds(), "the failed listen left a descriptor open");

            try (ServerSocket jdk = new ServerSocket(0, 1, TestLoop.IPV4)) {
                InetSocketAddress jdkTaken = new InetSocketAddress(TestLoop.IPV4, jdk.getLocalPort());
                AsyncIoException e2 = assertThrows(AsyncIoException.class,
                        () -> io.listen(jdkTaken, ListenOptions.defaults().withReusePort(true)),
                        "listen with SO_REUSEPORT on a port another socket (without it) listens on");
                // ListenOptions: Windows has no SO_REUSEPORT and refuses the option itself.
                Errno expected = OS.current() == OS.WINDOWS ? Errno.EOPNOTSUPP : Errno.EADDRINUSE;
                assertSame(expected, e2.error(), () -> "error of " + e2 + " on " + OS.current());
            }
            assertEquals(fds, fds(), "the failed listen left a descriptor open");
            Pair p = loop.connectPair(first); // the first listener is unharmed
            loop.exchange(p, 3);
            loop.assertStillWorks();
        }
    }

    @ContractTest
    void handleFromAnotherLoopIsRefused(Backend backend) {
        // Three loops created one after the other: each has handles with the same slots and
        // generations as the others', so only a loop identity inside the handle tells them apart.
        try (Arena arena = Arena.ofConfined(); TestLoop a = backend.open(); TestLoop b = backend.open();
             TestLoop c = backend.open()) {
            List<TestLoop> loops = List.of(a, b, c);
            List<Pair> pairs = new ArrayList<>();
            for (TestLoop loop : loops) {
                pairs.add(loop.connectPair());
            }
            Never never = new Never();
            MemorySegment buf = arena.allocate(16);
            List<String> wrong = new ArrayList<>();
            for (int x = 0; x < loops.size(); x++) {
                for (int y = 0; y < loops.size(); y++) {
                    if (x == y) {
                        continue;
                    }
                    Pair foreign = pairs.get(x);
                    String label = "loop " + (char) ('A' + x) + "'s handle on loop " + (char) ('A' + y);
                    refusedAsForeign(loops.get(y).io(), new long[] {foreign.client(), foreign.server(), foreign.listener()},
                            buf, never, label, wrong);
                }
            }
            refusedAsForeign(a.io(), new long[] {0, -1, Long.MIN_VALUE}, buf, never, "never a handle", wrong);
            for (TestLoop loop : loops) {
                loop.pollFor(Duration.ofMillis(10));
            }
            assertTrue(wrong.isEmpty(), () -> "expected IllegalArgumentException for another loop's handles and values "
                    + "that never were handles; " + wrong.size() + " calls were not refused, first: "
                    + wrong.subList(0, Math.min(8, wrong.size())));
            assertEquals(0, never.calls.get(), "a refused call delivered a completion");
            for (int i = 0; i < loops.size(); i++) {
                loops.get(i).exchange(pairs.get(i), 5 + i);
                loops.get(i).assertStillWorks();
            }
        }
    }

    /** Calls every handle-taking method of {@code io} with each value; each must throw IllegalArgumentException. */
    private static void refusedAsForeign(AsyncIo io, long[] values, MemorySegment buf, Never never, String label,
                                         List<String> wrong) {
        // Harmless calls first, the closing ones last: a wrongly accepted close would close one of
        // this loop's own sockets.
        Map<String, Function<Long, Object>> calls = new java.util.LinkedHashMap<>();
        calls.put("localAddress", io::localAddress);
        calls.put("read", h -> io.read(h, buf, never));
        calls.put("write", h -> io.write(h, buf.asSlice(0, 0), never));
        calls.put("write(gather)", h -> io.write(h, new MemorySegment[] {buf.asSlice(0, 0)}, never));
        calls.put("accept", h -> io.accept(h, never));
        calls.put("shutdownOutput", h -> {
            io.shutdownOutput(h);
            return null;
        });
        calls.put("close with handler", h -> io.close(h, never, 0));
        calls.put("close", io::close);
        for (long h : values) {
            calls.forEach((name, call) -> {
                try {
                    Object r = call.apply(h);
                    wrong.add(label + ": " + name + "(0x" + Long.toHexString(h) + ") returned " + r);
                } catch (IllegalArgumentException expected) {
                    // right
                } catch (Throwable t) {
                    wrong.add(label + ": " + name + "(0x" + Long.toHexString(h) + ") threw " + t);
                }
            });
        }
    }

    @ContractTest
    void callFromWrongThreadIsRefused(Backend backend) throws Exception {
        try (Arena arena = Arena.ofShared(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair(); // this thread has polled: the loop is confined to it
            int fds = fds();
            Never never = new Never();
            MemorySegment buf = arena.allocate(16);
            InetSocketAddress at = io.localAddress(p.listener());
            Map<String, Executable> calls = new TreeMap<>();
            calls.put("listen", () -> io.listen(new InetSocketAddress(TestLoop.IPV4, 0)));
            calls.put("connect", () -> io.connect(at, never));
            calls.put("accept", () -> io.accept(p.listener(), never));
            calls.put("read", () -> io.read(p.server(), buf, never));
            calls.put("write", () -> io.write(p.client(), buf, never));
            calls.put("write(gather)", () -> io.write(p.client(), new MemorySegment[] {buf}, never));
            calls.put("schedule", () -> io.schedule(0, never, 0));
            calls.put("cancel", () -> io.cancel(1));
            calls.put("close(handle)", () -> io.close(p.client()));
            calls.put("shutdownOutput", () -> io.shutdownOutput(p.client()));
            // poll(), run() and close() from another thread: see pollFromWrongThreadIsRefused, closeFromWrongThreadIsRefused
            List<String> wrong = new ArrayList<>();
            AtomicReference<Thread> taskThread = new AtomicReference<>();
            AtomicInteger otherThreadOk = new AtomicInteger();
            Thread other = new Thread(() -> {
                wrong.addAll(notRefused(calls, IllegalStateException.class));
                // The thread-safe methods work from any thread.
                try {
                    io.stats();
                    if (!io.isRunning() && io.isOpen()) {
                        otherThreadOk.incrementAndGet();
                    }
                    io.wake();
                    io.execute(() -> taskThread.set(Thread.currentThread()));
                } catch (Throwable t) {
                    wrong.add("a thread-safe method threw " + t);
                }
            }, "tck-wrong-thread");
            other.start();
            other.join(10_000);
            assertFalse(other.isAlive());
            assertTrue(wrong.isEmpty(), "expected IllegalStateException from another thread: " + wrong);
            assertEquals(1, otherThreadOk.get(), "isRunning()/isOpen() from another thread");
            loop.await("the task executed from another thread", () -> taskThread.get() != null);
            assertSame(Thread.currentThread(), taskThread.get(), "an executed task runs on the loop's thread");
            assertNothingChanged(loop, never, p, fds);
        }
    }

    /**
     * The other loop-thread methods refuse another thread the same way, and change nothing: the
     * refused onWake installs no callback, the refused release keeps the buffer held, the refused
     * receive queues nothing on the handle, the refused close leaves it open.
     */
    @ContractTest
    void receiveBufferPoolsOnWakeAndCloseWithHandlerFromWrongThreadAreRefused(Backend backend) throws Exception {
        try (Arena arena = Arena.ofShared(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair(); // this thread has polled: the loop is confined to it
            long pool = io.createBufferPool(4, 256);
            AtomicInteger held = new AtomicInteger(-1);
            AtomicReference<IoEvent.Snapshot> receiveEnd = new AtomicReference<>();
            long receive = io.receive(p.server(), pool, e -> {
                if (e.bufferId() >= 0) held.set(e.bufferId());
                if ((e.flags() & IoEvent.MORE) == 0) receiveEnd.set(e.snapshot());
            }, 0);
            loop.writeAll(p.client(), Bytes.random(arena, 10, 1));
            loop.await("a chunk, kept by this thread", () -> held.get() >= 0);
            assertTrue(io.cancel(receive));
            loop.await("the receive's end", () -> receiveEnd.get() != null);
            int fds = fds();
            Never never = new Never();
            AtomicInteger onWakeCalls = new AtomicInteger();
            Map<String, Executable> calls = new TreeMap<>();
            calls.put("receive", () -> io.receive(p.server(), pool, never, 0));
            calls.put("createBufferPool", () -> io.createBufferPool(4, 256));
            calls.put("bufferPoolMemory", () -> io.bufferPoolMemory(pool));
            calls.put("releaseBuffer", () -> io.releaseBuffer(pool, held.get()));
            calls.put("onWake", () -> io.onWake(onWakeCalls::incrementAndGet));
            calls.put("close(handle, handler, userData)", () -> io.close(p.client(), never, 9));
            List<String> wrong = new ArrayList<>();
            Thread other = new Thread(() -> wrong.addAll(notRefused(calls, IllegalStateException.class)), "tck-wrong-thread");
            other.start();
            other.join(10_000);
            assertFalse(other.isAlive());
            assertTrue(wrong.isEmpty(), "expected IllegalStateException from another thread: " + wrong);

            io.wake();
            loop.pollFor(Duration.ofMillis(30));
            assertEquals(0, onWakeCalls.get(), "the refused onWake installed its callback");
            io.releaseBuffer(pool, held.get()); // throws if the refused release had released it
            assertNothingChanged(loop, never, p, fds); // reads and writes on both ends: no receive queued, not closed
        }
    }

    /**
     * The loop is confined to the thread that polls it; poll() is not among the methods any thread
     * may call. A poll from another thread must not silently move the loop to that thread while its
     * owner may still be using it.
     */
    @ContractTest
    void pollFromWrongThreadIsRefused(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair(); // this thread has polled: the loop is confined to it
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Throwable> readAfterwards = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    io.poll(0);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "tck-wrong-thread-poll");
            other.start();
            other.join(10_000);
            try {
                long op = io.read(p.server(), Arena.ofAuto().allocate(1), new Completion());
                if (!io.cancel(op)) {
                    throw new AssertionError("cancel of a pending read returned false");
                }
            } catch (Throwable t) {
                readAfterwards.set(t);
            }
            assertTrue(thrown.get() instanceof IllegalStateException, "expected IllegalStateException from poll(0) "
                    + "on a thread that is not the loop's, got " + (thrown.get() == null ? "a normal return" : thrown.get())
                    + "; afterwards the owning thread's own read threw: " + readAfterwards.get());
            assertEquals(null, readAfterwards.get(), "the loop's own thread can still use it");
        }
    }

    /**
     * close() is not among the methods any thread may call (wake, execute, stop, isRunning, stats),
     * and its Javadoc says to call it on the loop's thread.
     */
    @ContractTest
    void closeFromWrongThreadIsRefused(Backend backend) throws Exception {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair(); // this thread has polled: the loop is confined to it
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    io.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "tck-wrong-thread-close");
            other.start();
            other.join(10_000);
            assertTrue(io.isOpen(), "close() from a thread that is not the loop's closed the loop");
            assertTrue(thrown.get() instanceof IllegalStateException, "expected IllegalStateException, got " + thrown.get());
            assertNothingChanged(loop, new Never(), p, DESCRIPTORS_NOT_CHECKED);
        }
    }

    @ContractTest
    void misuseInsideHandlerThrowsThere(Backend backend) {
        try (TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Completion t = new Completion(() -> {
                try {
                    io.read(p.server(), MemorySegment.ofArray(new byte[4]), e -> fail("refused read completed"));
                } catch (Throwable x) {
                    thrown.set(x);
                }
            });
            io.schedule(0, t, 0);
            loop.await("the timer", t::done);
            assertTrue(thrown.get() instanceof IllegalArgumentException, "heap buffer refused inside a handler too: " + thrown.get());
            assertNothingChanged(loop, new Never(), p, DESCRIPTORS_NOT_CHECKED);
        }
    }
}
