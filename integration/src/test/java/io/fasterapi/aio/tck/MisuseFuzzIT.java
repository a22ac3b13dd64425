package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.Ids;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 6: API misuse in bulk. Three loops, each owned and polled by its own thread, and
 * each thread makes seeded random calls: accept, read, write, close (both forms), shutdownOutput,
 * addresses, cancel, schedule, releaseBuffer, listen and connect, on handles drawn from five
 * kinds (valid, closed/stale, another loop's, another kind of id, bogus values), with good and bad
 * buffers (native, direct, heap, read-only, from a closed arena, null) and null handlers; and,
 * now and then, calls on another thread's loop. Every call must either work or fail as the API
 * documents: IllegalArgumentException for a bad handle, buffer or id; IllegalStateException for
 * the wrong thread; NullPointerException for a null argument; AsyncIoException (or a negated
 * errno in the completion, -EBADF for a stale handle) for what the kernel refuses. Every
 * operation accepted completes exactly once, never inside the call; the loops keep working; at
 * the end every descriptor is closed.
 *
 * <p>The seed is printed; {@code -Daio.fuzz.seed=N} replays a run (each thread's sequence of calls
 * is reproducible; their interleaving is up to the scheduler).
 */
class MisuseFuzzIT {

    static final int LOOPS = 3;
    static final int STEPS = Reliability.scaled(20_000);
    static final int MAX_OPEN = 48;

    /** One loop under test: its owner's view of its handles. */
    private static final class Target {
        volatile AsyncIo io;
        volatile Thread owner;
        final List<Long> listeners = new CopyOnWriteArrayList<>();
        final List<Long> connections = new CopyOnWriteArrayList<>();
        final List<Long> stale = new CopyOnWriteArrayList<>();
        final List<Long> opIds = new CopyOnWriteArrayList<>();
        final java.util.Map<Long, InetSocketAddress> addresses = new java.util.concurrent.ConcurrentHashMap<>();
        volatile long pool;

        long listen() {
            long l = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            addresses.put(l, io.localAddress(l));
            listeners.add(l);
            return l;
        }

        /** Keeps the lists of stale handles and old operation ids short (they are copied on write). */
        static void addCapped(List<Long> l, long v) {
            l.add(v);
            if (l.size() > 256) l.removeFirst();
        }
    }

    /** Memory only calls from the wrong thread are given (they must be refused before using it). */
    private static final MemorySegment SCRATCH = Arena.global().allocate(64);

    /** One accepted operation: must complete exactly once, never inside the call. */
    private final class Rec implements CompletionHandler {
        final String what;
        final boolean staleHandle;
        final boolean validHandle;
        int calls;
        boolean inCall = true;
        IoEvent.Snapshot last;
        final Target t;

        Rec(Target t, String what, boolean staleHandle, boolean validHandle) {
            this.t = t;
            this.what = what;
            this.staleHandle = staleHandle;
            this.validHandle = validHandle;
            synchronized (recs) {
                recs.add(this);
            }
        }

        /** The call threw: no completion is due. */
        void disown() {
            synchronized (recs) {
                recs.remove(this);
            }
        }

        @Override
        public void completed(IoEvent e) {
            calls++;
            last = e.snapshot();
            if (inCall) violation("completion inside the submitting call: " + what + " " + e);
            if (Thread.currentThread() != t.owner) violation("completion on a foreign thread: " + what);
            if (calls > 1) violation("completed " + calls + " times: " + what + " " + e);
            long r = e.result();
            outcomes.merge(e.operation() + (r > 0 ? ">0" : r == 0 ? "=0" : " " + Errno.of((int) -r)), 1L, Long::sum);
            if (r < 0 && Errno.of((int) -r) == null) violation("unknown error " + r + ": " + what);
            if (staleHandle && r != -Errno.EBADF.code()) violation("on a stale handle expected -EBADF: " + what + " " + e);
            if (validHandle && r == -Errno.EBADF.code()) violation("-EBADF on a valid handle: " + what + " " + e);
            if (e.operation() == Operation.ACCEPT && r > 0) {
                t.connections.add(r);
            }
            if (e.operation() == Operation.CONNECT && r < 0) {
                // The loop closed the handle of a failed connect.
                t.connections.remove(e.handle());
                Target.addCapped(t.stale, e.handle());
            }
        }
    }

    private final java.util.Set<Rec> recs = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong calls = new AtomicLong();
    private final java.util.Map<String, Long> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicLong thrown = new AtomicLong();
    private final AtomicLong crossThread = new AtomicLong();

    private void violation(String s) {
        if (violations.size() < 1000) violations.add(Thread.currentThread().getName() + ": " + s);
    }

    @ContractTest
    void randomMisuseFromSeveralThreads(Backend backend) throws Exception {
        CancellationContractTest.warmUp(backend);
        long seed = Long.getLong("aio.fuzz.seed", System.nanoTime());
        Reliability.report(backend.name(), "misuse fuzz seed " + seed + " (replay: -Daio.fuzz.seed=" + seed + ")");
        int fdsBefore = Fds.count();
        Target[] targets = new Target[LOOPS];
        for (int i = 0; i < LOOPS; i++) targets[i] = new Target();
        CyclicBarrier setUp = new CyclicBarrier(LOOPS);
        CyclicBarrier fuzzed = new CyclicBarrier(LOOPS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> crashes = new CopyOnWriteArrayList<>();
        for (int i = 0; i < LOOPS; i++) {
            int me = i;
            threads.add(Thread.ofPlatform().name("fuzz-" + i).start(() -> {
                try {
                    drive(backend, targets, me, new Random(seed * 31 + me), setUp, fuzzed);
                } catch (Throwable t) {
                    crashes.add(t);
                    setUp.reset();
                    fuzzed.reset();
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(5));
            assertTrue(!t.isAlive(), t.getName() + " still running");
        }
        if (!crashes.isEmpty()) {
            AssertionError e = new AssertionError("a fuzz thread failed (seed " + seed + ")", crashes.getFirst());
            crashes.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        assertTrue(violations.isEmpty(), () -> violations.size() + " contract violations (seed " + seed + "), first: "
                + violations.subList(0, Math.min(20, violations.size())));
        int completedOnce = 0;
        for (Rec r : recs) {
            if (r.calls != 1) violation("completed " + r.calls + " times: " + r.what + " " + r.last);
            completedOnce++;
        }
        assertTrue(violations.isEmpty(), () -> violations.size() + " operations not completed exactly once (seed "
                + seed + "), first: " + violations.subList(0, Math.min(20, violations.size())));
        Fds.assertCount(fdsBefore, "descriptors after every loop closed (seed " + seed + ")");
        String leaked = Fds.countable() ? Integer.toString(Fds.count() - fdsBefore) + " descriptors" : "descriptors not countable";
        Reliability.report(backend.name(), "misuse fuzz: " + calls.get() + " calls (" + LOOPS + " loops, "
                + crossThread.get() + " from the wrong thread), " + thrown.get() + " threw as documented, "
                + completedOnce + " operations each completed exactly once " + outcomes + "; violations " + violations.size()
                + ", crashed fuzz threads " + crashes.size() + ", leaked " + leaked);
    }

    private void drive(Backend backend, Target[] targets, int me, Random rnd, CyclicBarrier setUp, CyclicBarrier fuzzed)
            throws Exception {
        Target t = targets[me];
        Arena closed = Arena.ofConfined();
        MemorySegment dead = closed.allocate(16);
        closed.close();
        try (Arena arena = Arena.ofConfined(); TestLoop loop = backend.open()) {
            AsyncIo io = loop.io();
            t.io = io;
            t.owner = Thread.currentThread();
            io.poll(0); // bind the loop to this thread for good
            t.pool = io.createBufferPool(4, 256);
            for (int i = 0; i < 2; i++) t.listen();
            setUp.await(1, TimeUnit.MINUTES);
            for (int step = 0; step < STEPS; step++) {
                if (rnd.nextInt(8) == 0) {
                    crossThreadCall(targets[(me + 1 + rnd.nextInt(LOOPS - 1)) % LOOPS], rnd);
                } else {
                    ownCall(t, targets, me, rnd, arena, dead, step);
                }
                if (step % 8 == 0) io.poll(0);
                if (step % 5000 == 4999) {
                    loop.assertStillWorks();
                }
            }
            loop.assertStillWorks();
            fuzzed.await(1, TimeUnit.MINUTES); // nobody calls a loop that is closing
            loop.pollFor(Duration.ofMillis(20));
        } // close(): every pending operation completes with ECANCELED
    }

    // ---- calls on the own loop --------------------------------------------------------------

    private enum Kind { CONNECTION, LISTENER, STALE, FOREIGN, OTHER_KIND, BOGUS }

    /** A handle of a kind, and what the loop must make of it. */
    private record Pick(Kind kind, long id, boolean ownLoopShape) {
    }

    private static <T> T any(List<T> l, Random rnd) {
        // Another thread's lists change under us: read the size once (empty now even if it was not a moment ago).
        int n = l.size();
        if (n == 0) return null;
        try {
            return l.get(rnd.nextInt(n));
        } catch (IndexOutOfBoundsException e) {
            return null; // shrank meanwhile
        }
    }

    private Pick pick(Target t, Target[] targets, int me, Random rnd, int loopNumber) {
        Kind k = Kind.values()[rnd.nextInt(Kind.values().length)];
        Long id = switch (k) {
            case CONNECTION -> any(t.connections, rnd);
            case LISTENER -> any(t.listeners, rnd);
            case STALE -> any(t.stale, rnd);
            case FOREIGN -> {
                Target o = targets[(me + 1 + rnd.nextInt(LOOPS - 1)) % LOOPS];
                yield rnd.nextBoolean() ? any(o.connections, rnd) : any(o.listeners, rnd);
            }
            case OTHER_KIND -> rnd.nextBoolean() ? any(t.opIds, rnd) : t.pool;
            case BOGUS -> switch (rnd.nextInt(6)) {
                case 0 -> 0L;
                case 1 -> -1L;
                case 2 -> Long.MIN_VALUE;
                case 3 -> Long.MAX_VALUE;
                case 4 -> Ids.make(Ids.HANDLE, loopNumber, 1 + rnd.nextInt(Ids.GEN_MASK), rnd.nextInt(Ids.INDEX_MASK));
                default -> rnd.nextLong();
            };
        };
        if (id == null) return new Pick(Kind.BOGUS, 0L, false);
        boolean ownShape = id > 0 && Ids.kind(id) == Ids.HANDLE && Ids.generation(id) != 0 && Ids.loop(id) == loopNumber;
        return new Pick(k, id, ownShape);
    }

    private enum Buf { NATIVE, DIRECT, HEAP_SEGMENT, HEAP_BUFFER, READ_ONLY, CLOSED_ARENA, NULL }

    private void ownCall(Target t, Target[] targets, int me, Random rnd, Arena arena, MemorySegment dead, int step) {
        AsyncIo io = t.io;
        long someOwnHandle = t.listeners.getFirst();
        int loopNumber = Ids.loop(someOwnHandle);
        Pick p = pick(t, targets, me, rnd, loopNumber);
        // What the call must do with this handle, whatever the method:
        //   CONNECTION / LISTENER (right kind): work;  STALE: EBADF (completion or exception);
        //   FOREIGN / OTHER_KIND / BOGUS not shaped like an own handle: IllegalArgumentException.
        boolean mustRefuse = switch (p.kind()) {
            case FOREIGN, OTHER_KIND -> true;
            case BOGUS -> !p.ownLoopShape();
            default -> false;
        };
        boolean stale = p.kind() == Kind.STALE || (p.kind() == Kind.BOGUS && p.ownLoopShape());
        int op = rnd.nextInt(14);
        String what = "op" + op + " " + p;
        boolean nullHandler = rnd.nextInt(50) == 0;
        calls.incrementAndGet();
        Rec rec = null;
        boolean[] expectIae = {mustRefuse};
        boolean expectNpe = nullHandler;
        boolean wrongKind = false;
        try {
            switch (op) {
                case 0 -> { // accept
                    wrongKind = p.kind() == Kind.CONNECTION;
                    rec = nullHandler ? null : new Rec(t, "accept " + what, stale, p.kind() == Kind.LISTENER);
                    long id = io.accept(p.id(), rec, step);
                    Target.addCapped(t.opIds, id);
                }
                case 1, 2 -> { // read / write
                    boolean read = op == 1;
                    wrongKind = p.kind() == Kind.LISTENER;
                    Buf b = Buf.values()[rnd.nextInt(10) < 6 ? rnd.nextInt(2) : rnd.nextInt(Buf.values().length)];
                    int size = rnd.nextInt(4096);
                    boolean badBuffer = switch (b) {
                        case HEAP_SEGMENT, HEAP_BUFFER, CLOSED_ARENA -> true;
                        case READ_ONLY -> read;
                        default -> false;
                    };
                    expectIae[0] |= badBuffer;
                    expectNpe |= b == Buf.NULL;
                    rec = nullHandler ? null : new Rec(t, (read ? "read " : "write ") + b + " " + what, stale,
                            p.kind() == Kind.CONNECTION);
                    long id;
                    switch (b) {
                        case NATIVE -> id = read ? io.read(p.id(), arena.allocate(size), rec, step)
                                : io.write(p.id(), Bytes.random(arena, size, step), rec, step);
                        case DIRECT -> id = read ? io.read(p.id(), ByteBuffer.allocateDirect(size), rec, step)
                                : io.write(p.id(), ByteBuffer.allocateDirect(size), rec, step);
                        case HEAP_SEGMENT -> id = read ? io.read(p.id(), MemorySegment.ofArray(new byte[size]), rec, step)
                                : io.write(p.id(), MemorySegment.ofArray(new byte[size]), rec, step);
                        case HEAP_BUFFER -> id = read ? io.read(p.id(), ByteBuffer.allocate(size), rec, step)
                                : io.write(p.id(), ByteBuffer.allocate(size), rec, step);
                        case READ_ONLY -> id = read ? io.read(p.id(), arena.allocate(size).asReadOnly(), rec, step)
                                : io.write(p.id(), arena.allocate(size).asReadOnly(), rec, step);
                        case CLOSED_ARENA -> id = read ? io.read(p.id(), dead, rec, step) : io.write(p.id(), dead, rec, step);
                        default -> id = read ? io.read(p.id(), (MemorySegment) null, rec, step)
                                : io.write(p.id(), (ByteBuffer) null, rec, step);
                    }
                    Target.addCapped(t.opIds, id);
                }
                case 3 -> { // close(handle)
                    expectNpe = false;
                    boolean was = io.close(p.id());
                    if (was) markClosed(t, p.id());
                    if (was && (stale || mustRefuse)) violation("close of a " + p.kind() + " handle returned true: " + what);
                    if (!was && (p.kind() == Kind.CONNECTION || p.kind() == Kind.LISTENER) && !isClosedMeanwhile(t, p.id())) {
                        violation("close of a valid handle returned false: " + what);
                    }
                }
                case 4 -> { // close(handle, handler)
                    rec = nullHandler ? null : new Rec(t, "close " + what, stale, false);
                    long id = io.close(p.id(), rec, step);
                    if (p.kind() == Kind.CONNECTION || p.kind() == Kind.LISTENER) markClosed(t, p.id());
                    Target.addCapped(t.opIds, id);
                }
                case 5 -> { // shutdownOutput
                    wrongKind = p.kind() == Kind.LISTENER;
                    expectNpe = false;
                    io.shutdownOutput(p.id());
                }
                case 6 -> { // addresses
                    expectNpe = false;
                    if (rnd.nextBoolean()) io.localAddress(p.id()); else io.remoteAddress(p.id());
                }
                case 7 -> { // cancel: an operation id, or anything else
                    expectNpe = false;
                    Long id = rnd.nextBoolean() ? any(t.opIds, rnd) : Long.valueOf(p.id());
                    long v = id == null ? 0 : id;
                    boolean ownOp = v > 0 && Ids.kind(v) == Ids.OPERATION && Ids.loop(v) == loopNumber && Ids.generation(v) != 0;
                    expectIae[0] = !ownOp;
                    io.cancel(v);
                }
                case 8 -> { // schedule
                    rec = nullHandler ? null : new Rec(t, "timer", false, false);
                    long delay = rnd.nextInt(4) == 0 ? -1 - rnd.nextInt(10) : rnd.nextInt(3_000_000);
                    expectIae[0] = delay < 0;
                    Target.addCapped(t.opIds, io.schedule(delay, rec, step));
                }
                case 9 -> { // releaseBuffer of a buffer never received, or of a pool that is not one
                    expectNpe = false;
                    expectIae[0] = true;
                    io.releaseBuffer(rnd.nextBoolean() ? t.pool : p.id(), rnd.nextInt(8) - 2);
                }
                case 10 -> { // a connection: connect to a listener of this loop (or another's)
                    expectIae[0] = false;
                    expectNpe = nullHandler;
                    if (t.connections.size() + t.listeners.size() >= MAX_OPEN) {
                        trim(t, rnd);
                        return;
                    }
                    Target o = rnd.nextInt(4) == 0 ? targets[(me + 1 + rnd.nextInt(LOOPS - 1)) % LOOPS] : t;
                    Long l = any(o.listeners, rnd);
                    if (l == null) return;
                    InetSocketAddress at = o.addresses.get(l);
                    if (at == null) return;
                    rec = nullHandler ? null : new Rec(t, "connect", false, false);
                    long h = io.connect(at, rec, step);
                    t.connections.add(h);
                    if (o == t && !nullHandler) {
                        Rec ar = new Rec(t, "accept for connect", false, true);
                        Target.addCapped(t.opIds, io.accept(l, ar, step));
                        ar.inCall = false;
                    }
                }
                case 11 -> { // another listener now and then
                    expectIae[0] = false;
                    expectNpe = false;
                    if (t.listeners.size() < 4) t.listen();
                }
                case 12 -> { // createBufferPool with bad sizes
                    expectNpe = false;
                    int count = rnd.nextInt(3) - 1;
                    expectIae[0] = true;
                    io.createBufferPool(count == 1 ? 3 : count, 16);
                }
                default -> { // thread-safe calls on the own loop
                    expectIae[0] = false;
                    expectNpe = false;
                    io.wake();
                    io.stats();
                    io.isOpen();
                    io.isRunning();
                }
            }
            if (rec != null) rec.inCall = false;
            if (expectNpe) violation("a null argument was accepted: " + what);
            else if (expectIae[0]) violation("accepted, expected IllegalArgumentException: " + what);
            else if (wrongKind && !stale && !isClosedMeanwhile(t, p.id())) violation("wrong kind of handle accepted: " + what);
        } catch (IllegalArgumentException e) {
            thrown.incrementAndGet();
            if (rec != null) rec.disown();
            if (!expectIae[0] && !wrongKind && !expectNpe && !(op == 6 && p.kind() == Kind.LISTENER)) {
                violation("unexpected IllegalArgumentException: " + what + ": " + e.getMessage());
            }
        } catch (NullPointerException e) {
            thrown.incrementAndGet();
            if (rec != null) rec.disown();
            if (!expectNpe) violation("NullPointerException without a null argument: " + what + ": " + e);
        } catch (AsyncIoException e) {
            thrown.incrementAndGet();
            if (rec != null) rec.disown();
            // What the kernel refuses (shutdown of a connection not yet connected, address of a
            // closed handle...): only where a real or stale handle reached the kernel's side.
            if (expectIae[0] || expectNpe) violation("AsyncIoException where misuse was expected: " + what + ": " + e);
            if (!(op == 5 || op == 6 || op == 10 || op == 11)) violation("AsyncIoException from " + what + ": " + e);
            if (stale && e.error() != Errno.EBADF) violation("stale handle: expected EBADF, got " + e);
        } catch (IllegalStateException e) {
            thrown.incrementAndGet();
            if (rec != null) rec.disown();
            violation("IllegalStateException on the loop's own thread: " + what + ": " + e);
        } catch (RuntimeException e) {
            thrown.incrementAndGet();
            if (rec != null) rec.disown();
            violation("undocumented " + e.getClass().getName() + ": " + what + ": " + e);
        }
    }

    private static boolean isClosedMeanwhile(Target t, long id) {
        return t.stale.contains(id);
    }

    private static void markClosed(Target t, long id) {
        if (t.connections.remove(id) || t.listeners.remove(id)) Target.addCapped(t.stale, id);
        t.addresses.remove(id);
        if (t.listeners.isEmpty()) t.listen();
    }

    private static void trim(Target t, Random rnd) {
        while (t.connections.size() > MAX_OPEN / 2) {
            Long h = any(t.connections, rnd);
            if (h == null) break;
            t.io.close(h);
            markClosed(t, h);
        }
    }

    // ---- calls from the wrong thread ----------------------------------------------------------

    private void crossThreadCall(Target o, Random rnd) {
        AsyncIo io = o.io;
        if (io == null) return;
        Long h = any(rnd.nextBoolean() ? o.connections : o.listeners, rnd);
        long id = h == null ? 1 : h;
        calls.incrementAndGet();
        crossThread.incrementAndGet();
        int op = rnd.nextInt(9);
        try {
            switch (op) {
                case 0 -> io.read(id, SCRATCH, e -> { }, 0);
                case 1 -> io.close(id);
                case 2 -> io.accept(id, e -> { }, 0);
                case 3 -> io.schedule(0, e -> { }, 0);
                case 4 -> io.poll(0);
                case 5 -> io.localAddress(id);
                case 6 -> io.shutdownOutput(id);
                case 7 -> io.cancel(id);
                default -> { // the thread-safe ones: must work from any thread
                    io.wake();
                    io.stats();
                    io.isOpen();
                    io.isRunning();
                    Thread owner = o.owner;
                    io.execute(() -> {
                        if (Thread.currentThread() != owner) violation("execute() ran a task off the loop thread");
                    });
                    return;
                }
            }
            violation("a call from the wrong thread was accepted: op" + op + " on " + Long.toHexString(id));
        } catch (IllegalStateException e) {
            thrown.incrementAndGet(); // documented
        } catch (IllegalArgumentException e) {
            thrown.incrementAndGet();
            if (op != 7 && h != null) violation("wrong thread + valid handle: expected IllegalStateException, got " + e);
        } catch (RuntimeException e) {
            thrown.incrementAndGet();
            violation("from the wrong thread: undocumented " + e + " for op" + op);
        }
    }
}
