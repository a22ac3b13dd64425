package io.fasterapi.aio.iouring;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.core.CompletionEngine;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The io_uring loop under conditions only it has: a completion queue that overflows, the multishot accept's re-arming. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class IoUringKernelTest {

    // ---- white-box peeks (test-only reflection into this package's private fields) ----------------

    /** The io_uring kernel under a loop of this backend. */
    static IoUringKernel kernelOf(AsyncIo io) {
        return (IoUringKernel) engineOf(io).kernel();
    }

    static CompletionEngine engineOf(AsyncIo io) {
        return (CompletionEngine) ((Loop) io).driver();
    }

    static Ring ringOf(AsyncIo io) {
        return (Ring) field(kernelOf(io), "ring");
    }

    static int acceptBacklog(AsyncIo io) {
        return engineOf(io).acceptBacklog();
    }

    private static Object field(Object o, String name) {
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("IoUringKernel." + name + " (the test peeks at it)", e);
        }
    }

    // ---- shared -----------------------------------------------------------------------------------

    static MemorySegment random(Arena arena, int size, long seed) {
        MemorySegment s = arena.allocate(size, 8);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        return s;
    }

    /** Writes {@code data} on {@code from}, reads it all on {@code to}, compares. */
    static void transfer(Drive d, long from, long to, MemorySegment data, Arena arena) {
        Drive.Rec w = new Drive.Rec();
        d.io.write(from, data, w);
        MemorySegment into = arena.allocate(data.byteSize());
        long[] got = {0};
        boolean[] eof = {false};
        d.io.read(to, into, new CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                if (e.result() <= 0) {
                    eof[0] = true;
                    return;
                }
                got[0] += e.result();
                if (got[0] < into.byteSize()) d.io.read(to, into.asSlice(got[0]), this);
            }
        });
        d.await(data.byteSize() + " bytes across", () -> (w.done() && got[0] == data.byteSize()) || eof[0]);
        assertFalse(eof[0], "end of stream or error before all bytes arrived");
        assertEquals(data.byteSize(), w.one().result(), "WRITE result");
        assertEquals(-1, data.mismatch(into), "bytes arrived intact");
    }

    /** A pair, 64 KiB each way, a timer, a task from another thread, a cancelled read. */
    static void exerciseLoop(Drive d, String what) {
        AsyncIo io = d.io;
        try (Arena arena = Arena.ofConfined()) {
            long listener = d.listen(128);
            long[] p = d.pair(listener);
            transfer(d, p[0], p[1], random(arena, 65536, 1), arena);
            transfer(d, p[1], p[0], random(arena, 65536, 2), arena);
            Drive.Rec t = new Drive.Rec();
            io.schedule(Duration.ofMillis(2), t);
            d.await(what + ": timer", t::done);
            assertEquals(0, t.one().result());
            AtomicBoolean ran = new AtomicBoolean();
            Thread other = new Thread(() -> io.execute(() -> ran.set(true)));
            other.start();
            d.await(what + ": task from another thread", ran::get);
            Drive.Rec r = new Drive.Rec();
            long op = io.read(p[1], arena.allocate(16), r);
            d.pollFor(Duration.ofMillis(10));
            assertFalse(r.done(), what + ": read with nothing to read stays pending");
            assertTrue(io.cancel(op));
            d.await(what + ": cancelled read", r::done);
            r.assertCancelled(Operation.READ);
            transfer(d, p[0], p[1], random(arena, 1000, 3), arena);
            assertTrue(io.close(p[0]) && io.close(p[1]) && io.close(listener));
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    /** Counts completions per operation id: each submitted id exactly once, nothing unknown. */
    static final class Ledger {
        final Map<Long, Integer> submitted = new HashMap<>();
        final Map<Long, Integer> completed = new HashMap<>();

        long submit(long opId) {
            assertEquals(null, submitted.put(opId, 1), "operation id handed out twice while pending");
            return opId;
        }

        void completed(IoEvent e) {
            completed.merge(e.operationId(), 1, Integer::sum);
        }

        void assertExactlyOnce(String what) {
            List<String> wrong = new ArrayList<>();
            for (Long id : submitted.keySet()) {
                int n = completed.getOrDefault(id, 0);
                if (n != 1) wrong.add("op 0x" + Long.toHexString(id) + " completed " + n + " times");
            }
            for (Long id : completed.keySet()) {
                if (!submitted.containsKey(id)) wrong.add("completion for unknown op 0x" + Long.toHexString(id));
            }
            if (!wrong.isEmpty()) fail(what + ": " + wrong.size() + " problems, first: " + wrong.subList(0, Math.min(10, wrong.size())));
        }
    }

    // ---- completion queue overflow ----------------------------------------------------------------

    static final int MESSAGE = 1000;

    static byte[] message(int client) {
        byte[] m = new byte[MESSAGE];
        new SplittableRandom(client * 7919L).nextBytes(m);
        ByteBuffer.wrap(m).putInt(0, client);
        return m;
    }

    /**
     * queueDepth 2 gives 2 SQEs and a CQ of max(4*2, 1024) = 1024 entries. 2,500 accepts, then
     * 2,500 reads, then 2,500 writes complete while the loop is not in the kernel: each phase posts
     * more completions than the CQ holds (the kernel keeps the rest on its overflow list, NODROP),
     * and each must still arrive exactly once, with every byte right.
     */
    @Test
    void cqOverflowLosesNothing() throws IOException {
        int n = 2500;
        // maxEvents above the CQ size: one poll may then reap past it, which shows the overflow was provoked.
        Drive d = new Drive(AsyncIoConfig.builder().queueDepth(2).maxEvents(1 << 20));
        List<Socket> clients = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0); // binds and enables the ring
            Ring ring = ringOf(io);
            int cqSize = ring.cq.entries();
            assertEquals(2, ring.sq.entries(), "queueDepth 2: two SQEs");
            assertTrue(cqSize < n, "the CQ (" + cqSize + ") must be smaller than the completions of one turn (" + n + ")");

            long listener = d.listen(4096);
            int port = io.localAddress(listener).getPort();
            Ledger ledger = new Ledger();
            List<Long> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ledger.submit(io.accept(listener, e -> {
                    ledger.completed(e);
                    accepted.add(e.result());
                }));
            }
            io.poll(0); // the multishot accept goes to the kernel
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(Drive.LOOPBACK, port), 10_000);
                s.setSoTimeout(20_000);
                clients.add(s);
            }
            int acceptBurst = d.await(n + " accepts", () -> accepted.size() >= n);
            d.pollFor(Duration.ofMillis(20));
            ledger.assertExactlyOnce("accepts");
            assertEquals(n, accepted.size());
            assertTrue(accepted.stream().allMatch(h -> h > 0), "every ACCEPT succeeded");
            assertEquals(n, accepted.stream().distinct().count(), "distinct handles");

            // Reads: every server end waits for its client's message.
            MemorySegment buffers = arena.allocate((long) n * MESSAGE);
            int[] got = new int[n];
            int[] done = {0};
            Ledger reads = new Ledger();
            for (int i = 0; i < n; i++) {
                int k = i;
                long h = accepted.get(i);
                MemorySegment mine = buffers.asSlice((long) k * MESSAGE, MESSAGE);
                reads.submit(io.read(h, mine, new CompletionHandler() {
                    @Override
                    public void completed(IoEvent e) {
                        reads.completed(e);
                        if (e.result() <= 0) fail("READ on connection " + k + ": " + e.snapshot());
                        got[k] += (int) e.result();
                        if (got[k] < MESSAGE) reads.submit(io.read(h, mine.asSlice(got[k]), this));
                        else done[0]++;
                    }
                }));
            }
            d.pollFor(Duration.ofMillis(50)); // every recv is in the kernel, waiting
            assertEquals(0, done[0]);
            for (int i = 0; i < n; i++) clients.get(i).getOutputStream().write(message(i));
            int readBurst = d.await(n + " reads", () -> done[0] == n);
            d.pollFor(Duration.ofMillis(20));
            reads.assertExactlyOnce("reads");

            // Which client is on which server end: the message names it. Echo every message back.
            boolean[] seen = new boolean[n];
            Ledger writes = new Ledger();
            int[] written = {0};
            for (int i = 0; i < n; i++) {
                MemorySegment mine = buffers.asSlice((long) i * MESSAGE, MESSAGE);
                int client = Integer.reverseBytes(mine.get(ValueLayout.JAVA_INT, 0));
                assertTrue(client >= 0 && client < n && !seen[client], "message names client " + client);
                seen[client] = true;
                assertEquals(-1, MemorySegment.ofArray(message(client)).mismatch(mine), "bytes from client " + client);
                writes.submit(io.write(accepted.get(i), mine, e -> {
                    writes.completed(e);
                    assertEquals(MESSAGE, e.result(), () -> "WRITE " + e.snapshot());
                    written[0]++;
                }));
            }
            int writeBurst = d.await(n + " writes", () -> written[0] == n);
            d.pollFor(Duration.ofMillis(20));
            writes.assertExactlyOnce("writes");
            for (int i = 0; i < n; i++) {
                byte[] back = new byte[MESSAGE];
                new DataInputStream(clients.get(i).getInputStream()).readFully(back);
                assertEquals(-1, java.util.Arrays.mismatch(message(i), back), "echo to client " + i);
            }

            // Reads submitted after the data arrived complete inline, during submission: all n
            // completions are posted before the loop reaps any.
            for (int i = 0; i < n; i++) clients.get(i).getOutputStream().write(message(i));
            MemorySegment again = arena.allocate((long) n * MESSAGE);
            int[] got2 = new int[n];
            int[] done2 = {0};
            Ledger reads2 = new Ledger();
            try (Socket probe = new Socket()) { // a round trip on loopback: the bytes above have landed
                probe.connect(new InetSocketAddress(Drive.LOOPBACK, port), 10_000);
            }
            for (int i = 0; i < n; i++) {
                int k = i;
                long h = accepted.get(i);
                MemorySegment mine = again.asSlice((long) k * MESSAGE, MESSAGE);
                reads2.submit(io.read(h, mine, new CompletionHandler() {
                    @Override
                    public void completed(IoEvent e) {
                        reads2.completed(e);
                        if (e.result() <= 0) fail("second READ on connection " + k + ": " + e.snapshot());
                        got2[k] += (int) e.result();
                        if (got2[k] < MESSAGE) reads2.submit(io.read(h, mine.asSlice(got2[k]), this));
                        else done2[0]++;
                    }
                }));
            }
            int inlineReadBurst = d.await(n + " second reads", () -> done2[0] == n);
            d.pollFor(Duration.ofMillis(20));
            reads2.assertExactlyOnce("second reads");
            assertEquals(-1, buffers.mismatch(again), "the second messages equal the first, connection by connection");

            System.out.printf("[io_uring] cqOverflowLosesNothing: CQ %d entries; most completions in one poll: "
                    + "accepts %d, reads %d, writes %d, inline reads %d%n", cqSize, acceptBurst, readBurst, writeBurst,
                    inlineReadBurst);
            int most = Math.max(Math.max(acceptBurst, readBurst), Math.max(writeBurst, inlineReadBurst));
            assertTrue(most > cqSize, "no poll delivered more than the CQ holds (" + cqSize + "): the overflow was "
                    + "not provoked (bursts " + acceptBurst + "/" + readBurst + "/" + writeBurst + "/" + inlineReadBurst + ")");
            exerciseLoop(d, "after the overflow");
        } finally {
            for (Socket s : clients) s.close();
            d.close();
        }
    }

    // ---- multishot accept: cancelled at 256 backlogged connections, re-armed later ------------------

    @Test
    void multishotAcceptRearms() throws IOException {
        int batch = 300;
        int n = 2 * batch;
        Drive d = new Drive();
        List<Socket> clients = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            AsyncIo io = d.io;
            io.poll(0);
            long listener = d.listen(4096);
            int port = io.localAddress(listener).getPort();
            Ledger accepts = new Ledger();
            List<Long> accepted = new ArrayList<>();
            CompletionHandler onAccept = e -> {
                accepts.completed(e);
                assertTrue(e.result() > 0, () -> "ACCEPT " + e.snapshot());
                accepted.add(e.result());
            };
            for (int i = 0; i < 4; i++) accepts.submit(io.accept(listener, onAccept));
            io.poll(0);
            for (int i = 0; i < batch; i++) clients.add(connect(port, i));
            d.await("4 accepts", () -> accepted.size() == 4);
            d.pollFor(Duration.ofMillis(200));
            assertEquals(4, accepted.size(), "only 4 accepts were asked for");
            int backlog = acceptBacklog(io);
            assertTrue(backlog >= 256, "the multishot accept took connections nobody asked for yet: " + backlog);

            // The multishot accept is cancelled now: new connections stay in the kernel's queue.
            for (int i = batch; i < n; i++) clients.add(connect(port, i));
            d.pollFor(Duration.ofMillis(200));
            assertEquals(backlog, acceptBacklog(io), "connections taken after the backlog limit (the multishot accept"
                    + " was not cancelled)");

            // Accept the rest a few at a time: the backlog first, then the re-armed multishot accept.
            while (accepted.size() < n) {
                int want = Math.min(n, accepted.size() + 7);
                while (accepts.submitted.size() < want) accepts.submit(io.accept(listener, onAccept));
                d.await("accepts up to " + want + " (have " + accepted.size() + ", backlog " + acceptBacklog(io) + ")",
                        () -> accepted.size() >= want);
            }
            d.pollFor(Duration.ofMillis(50));
            accepts.assertExactlyOnce("accepts");
            assertEquals(n, accepted.size());
            assertEquals(0, acceptBacklog(io), "backlog drained");

            // Every accepted connection works: it carries its client's number; answer number + 1.
            MemorySegment buf = arena.allocate(4L * n);
            int[] answered = {0};
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                long h = accepted.get(i);
                MemorySegment mine = buf.asSlice(4L * i, 4);
                io.read(h, mine, e -> {
                    assertEquals(4, e.result(), () -> "READ " + e.snapshot());
                    int client = mine.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0);
                    assertFalse(seen[client], "client " + client + " accepted twice");
                    seen[client] = true;
                    mine.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0, client + 1);
                    io.write(h, mine, w -> {
                        assertEquals(4, w.result());
                        answered[0]++;
                    });
                });
            }
            d.await(n + " answers", () -> answered[0] == n);
            for (int i = 0; i < n; i++) {
                assertEquals(i + 1, new DataInputStream(clients.get(i).getInputStream()).readInt(), "answer to client " + i);
            }
            // One more accept stays pending: no connection is left over or duplicated.
            Drive.Rec extra = new Drive.Rec();
            long op = io.accept(listener, extra);
            d.pollFor(Duration.ofMillis(50));
            assertFalse(extra.done(), "an accept beyond the " + n + " connections completed: " + extra);
            assertTrue(io.cancel(op));
            d.await("cancelled accept", extra::done);
            extra.assertCancelled(Operation.ACCEPT);
            exerciseLoop(d, "after re-arming");
        } finally {
            for (Socket s : clients) s.close();
            d.close();
        }
    }

    static Socket connect(int port, int id) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(Drive.LOOPBACK, port), 10_000);
        s.setSoTimeout(20_000);
        new DataOutputStream(s.getOutputStream()).writeInt(id);
        return s;
    }
}
