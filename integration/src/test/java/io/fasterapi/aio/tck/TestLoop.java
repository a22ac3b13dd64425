package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Operation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives a loop from the test thread: {@link #await} polls until a condition holds or a deadline
 * passes (then fails, saying what it waited for and the loop's counters), rethrowing what handlers
 * threw. Also the socket chores every case needs: a connected pair, writing and reading whole
 * messages through the library.
 */
public final class TestLoop implements AutoCloseable {

    /** How long {@link #await} waits by default; -Daio.tck.timeoutSeconds overrides. */
    public static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("aio.tck.timeoutSeconds", 20));

    /** 127.0.0.1 */
    public static final InetAddress IPV4 = address("127.0.0.1");

    private final Backend backend;
    private final AsyncIo io;

    TestLoop(Backend backend, AsyncIo io) {
        this.backend = backend;
        this.io = io;
    }

    public AsyncIo io() {
        return io;
    }

    public Backend backend() {
        return backend;
    }

    /** Polls until {@code done} holds; fails after {@link #TIMEOUT}. */
    public void await(String what, BooleanSupplier done) {
        await(what, TIMEOUT, done);
    }

    /** Polls until {@code done} holds; fails after {@code timeout}. */
    public void await(String what, Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            backend.checkHandlerFailures();
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                fail(backend + ": timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; loop counters: " + io.stats());
            }
            io.poll(Math.min(leftMillis, 50));
        }
        backend.checkHandlerFailures();
    }

    /** Polls for the whole duration (to let anything that should not happen, happen). */
    public void pollFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        long left;
        while ((left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
            io.poll(Math.min(left, 20));
        }
        io.poll(0);
        backend.checkHandlerFailures();
    }

    /** Listens on {@code host} port 0, connects to it and accepts, all through this loop. */
    public Pair connectPair(InetAddress host) {
        long listener = io.listen(new InetSocketAddress(host, 0));
        assertTrue(listener > 0, "listen returned a non-positive handle " + listener);
        Pair p = connectPair(listener);
        return new Pair(listener, p.client(), p.server());
    }

    /** A connected pair on 127.0.0.1. */
    public Pair connectPair() {
        return connectPair(IPV4);
    }

    /** Connects to {@code listener} (through the loop) and accepts; the pair's listener is 0. */
    public Pair connectPair(long listener) {
        InetSocketAddress at = io.localAddress(listener);
        assertTrue(at.getPort() > 0, "listening on port 0 did not report the chosen port: " + at);
        Completion accepted = new Completion();
        Completion connected = new Completion();
        io.accept(listener, accepted, 1);
        long client = io.connect(at, connected, 2);
        assertTrue(client > 0, "connect returned a non-positive handle " + client);
        await("accept and connect to " + at, () -> accepted.done() && connected.done());
        connected.assertSucceeded(Operation.CONNECT);
        assertEquals(0, connected.result(), "CONNECT result");
        assertEquals(client, connected.event().handle(), "CONNECT completion's handle is the one connect() returned");
        assertEquals(2, connected.event().userData(), "CONNECT userData");
        long server = accepted.assertSucceeded(Operation.ACCEPT);
        assertTrue(server > 0, "ACCEPT result must be the new handle");
        assertEquals(listener, accepted.event().handle(), "ACCEPT completion's handle is the listener");
        assertEquals(1, accepted.event().userData(), "ACCEPT userData");
        return new Pair(0, client, server);
    }

    /**
     * Connects a JDK socket (a peer whose behaviour is the JDK's, not the library's) to
     * {@code listener} and accepts it through the loop; returns the accepted handle.
     */
    public long acceptPeer(long listener, java.net.Socket peer) throws java.io.IOException {
        Completion accepted = new Completion();
        io.accept(listener, accepted);
        peer.connect(io.localAddress(listener), 10_000); // the kernel completes it; the loop accepts
        await("the accept of a JDK client", accepted::done);
        return accepted.assertSucceeded(Operation.ACCEPT);
    }

    /** Writes the whole segment with one write and waits for it: the result must be its size. */
    public void writeAll(long handle, MemorySegment data) {
        Completion w = new Completion();
        io.write(handle, data, w);
        await("a write of " + data.byteSize() + " bytes", w::done);
        assertEquals(data.byteSize(), w.assertSucceeded(Operation.WRITE), "WRITE result (partial-write rule)");
    }

    /** Reads exactly {@code n} bytes (with as many reads as it takes); fails at end of stream or error. */
    public MemorySegment readExactly(long handle, long n, Arena arena) {
        MemorySegment into = arena.allocate(Math.max(n, 1)).asSlice(0, n);
        long got = 0;
        while (got < n) {
            Completion r = new Completion();
            io.read(handle, into.asSlice(got), r);
            long before = got;
            await("bytes " + before + ".." + n + " of a read", r::done);
            long k = r.assertSucceeded(Operation.READ);
            assertTrue(k > 0, () -> "end of stream after " + before + " of " + n + " bytes");
            assertTrue(k <= n - before, "a read returned more than its buffer's size");
            got += k;
        }
        return into;
    }

    /** Reads until end of stream; fails if any byte arrives. */
    public void assertEndOfStream(long handle, Arena arena) {
        Completion r = new Completion();
        io.read(handle, arena.allocate(64), r);
        await("end of stream", r::done);
        assertEquals(0, r.assertSucceeded(Operation.READ), "expected end of stream (0), got bytes");
    }

    /** Sends distinct data each way over the pair and verifies it: the pair works. */
    public void exchange(Pair p, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment up = Bytes.random(arena, 3000 + (int) (seed & 1023), seed);
            MemorySegment down = Bytes.random(arena, 2000 + (int) (seed & 511), ~seed);
            writeAll(p.client(), up);
            Bytes.assertSame(up, readExactly(p.server(), up.byteSize(), arena), "client -> server");
            writeAll(p.server(), down);
            Bytes.assertSame(down, readExactly(p.client(), down.byteSize(), arena), "server -> client");
        }
    }

    /** Opens a fresh pair, exchanges data, closes it: the loop still works. */
    public void assertStillWorks() {
        Pair p = connectPair();
        exchange(p, System.nanoTime());
        assertTrue(io.close(p.server()));
        assertTrue(io.close(p.client()));
        assertTrue(io.close(p.listener()));
    }

    @Override
    public void close() {
        io.close();
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
