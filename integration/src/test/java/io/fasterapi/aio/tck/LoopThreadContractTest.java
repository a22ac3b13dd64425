package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.Operation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The thread-safe entry points: wake, execute, stop, and the loop thread's own behaviour. */
class LoopThreadContractTest {

    private static final long JOIN_MILLIS = 10_000;

    @ContractTest
    void wakeReachesLoopBlockedInPoll(Backend backend) throws Exception {
        AtomicReference<AsyncIo> loop = new AtomicReference<>();
        AtomicReference<Throwable> loopError = new AtomicReference<>();
        AtomicReference<Thread> onWakeThread = new AtomicReference<>();
        AtomicInteger onWakeCalls = new AtomicInteger();
        AtomicBoolean wakeCalled = new AtomicBoolean();
        AtomicBoolean returnedBeforeWake = new AtomicBoolean();
        AtomicLong wakesCounted = new AtomicLong(-1);
        CountDownLatch created = new CountDownLatch(1);
        CountDownLatch firstPollReturned = new CountDownLatch(1);
        CountDownLatch secondWakeSent = new CountDownLatch(1);
        AtomicBoolean secondPollReturned = new AtomicBoolean();

        Thread t = new Thread(() -> {
            try (AsyncIo io = backend.create()) {
                io.onWake(() -> {
                    onWakeCalls.incrementAndGet();
                    onWakeThread.set(Thread.currentThread());
                });
                loop.set(io);
                created.countDown();
                io.poll(-1); // nothing pending: only a wake can end this
                returnedBeforeWake.set(!wakeCalled.get());
                wakesCounted.set(io.stats().wakes());
                firstPollReturned.countDown();
                // A wake sent while the loop is not blocked must not be lost: the next poll returns.
                secondWakeSent.await();
                io.poll(-1);
                secondPollReturned.set(true);
            } catch (Throwable x) {
                loopError.set(x);
            } finally {
                created.countDown();
                firstPollReturned.countDown();
            }
        }, "tck-wake-loop");
        t.setDaemon(true);
        t.start();
        assertTrue(created.await(JOIN_MILLIS, TimeUnit.MILLISECONDS));
        assertNull(loopError.get(), "loop thread failed");
        Thread.sleep(200); // let it block in poll(-1)
        assertTrue(t.isAlive() && firstPollReturned.getCount() == 1, "poll(-1) returned with nothing to do and no wake()");

        wakeCalled.set(true);
        loop.get().wake();
        if (!firstPollReturned.await(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
            fail("poll(-1) did not return within " + JOIN_MILLIS + " ms of wake() from another thread");
        }
        assertNull(loopError.get(), "loop thread failed");
        assertFalse(returnedBeforeWake.get(), "poll(-1) returned before wake() was called");
        assertEquals(1, onWakeCalls.get(), "onWake callback runs once for one wake()");
        assertSame(t, onWakeThread.get(), "onWake callback runs on the loop thread");
        assertTrue(wakesCounted.get() >= 1, "stats().wakes() counts the wake-up; was " + wakesCounted.get());

        loop.get().wake();
        secondWakeSent.countDown();
        t.join(JOIN_MILLIS);
        assertFalse(t.isAlive(), "a wake() sent while the loop was not polling was lost: the next poll(-1) blocked");
        assertNull(loopError.get(), "loop thread failed");
        assertTrue(secondPollReturned.get());
        assertEquals(2, onWakeCalls.get(), "onWake callback ran for the second wake()");
    }

    /** Runs {@code io.run()} on a new thread; the loop is created there. */
    private static final class RunningLoop {
        final Thread thread;
        final AtomicReference<AsyncIo> io = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch created = new CountDownLatch(1);
        final AtomicBoolean runReturned = new AtomicBoolean();
        final AtomicBoolean runningAfterRun = new AtomicBoolean(true);

        RunningLoop(Backend backend, java.util.function.Consumer<AsyncIo> beforeRun, java.util.function.Consumer<AsyncIo> afterRun) {
            thread = new Thread(() -> {
                try (AsyncIo loop = backend.create()) {
                    io.set(loop);
                    beforeRun.accept(loop);
                    created.countDown();
                    loop.run();
                    runReturned.set(true);
                    runningAfterRun.set(loop.isRunning());
                    afterRun.accept(loop);
                } catch (Throwable t) {
                    error.set(t);
                } finally {
                    created.countDown();
                }
            }, "tck-run-loop");
            thread.setDaemon(true);
            thread.start();
        }

        AsyncIo awaitRunning() throws InterruptedException {
            assertTrue(created.await(JOIN_MILLIS, TimeUnit.MILLISECONDS), "loop thread started");
            assertNull(error.get(), "loop thread failed");
            long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
            while (!io.get().isRunning()) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    fail("isRunning() never became true after run() was called; error: " + error.get());
                }
                Thread.sleep(1);
            }
            return io.get();
        }

        void stopAndJoin() throws InterruptedException {
            io.get().stop();
            thread.join(JOIN_MILLIS);
            assertFalse(thread.isAlive(), "run() did not return within " + JOIN_MILLIS + " ms of stop() from another thread");
            assertNull(error.get(), "loop thread failed");
        }
    }

    @ContractTest
    void executeRunsTaskOnLoopThread(Backend backend) throws Exception {
        RunningLoop loop = new RunningLoop(backend, io -> { }, io -> { });
        AsyncIo io = loop.awaitRunning();
        int submitters = 4;
        int each = 250;
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger nestedRan = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(submitters * each + 1);
        Thread[] threads = new Thread[submitters];
        for (int s = 0; s < submitters; s++) {
            threads[s] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    io.execute(() -> {
                        ranOn.add(Thread.currentThread());
                        ran.incrementAndGet();
                        all.countDown();
                    });
                }
            }, "tck-submitter-" + s);
            threads[s].start();
        }
        io.execute(() -> io.execute(() -> { // a task submitted from the loop thread itself
            nestedRan.incrementAndGet();
            all.countDown();
        }));
        for (Thread s : threads) {
            s.join(JOIN_MILLIS);
        }
        if (!all.await(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
            fail("only " + ran.get() + " of " + submitters * each + " executed tasks ran (nested: " + nestedRan.get() + ")");
        }
        assertEquals(submitters * each, ran.get(), "each task runs exactly once");
        assertEquals(1, nestedRan.get());
        assertTrue(ranOn.stream().allMatch(x -> x == loop.thread), "every task ran on the loop thread");
        loop.stopAndJoin();
        assertEquals(submitters * each, ran.get(), "no task ran twice");
        backend.checkHandlerFailures();
    }

    @ContractTest
    void stopFromAnotherThreadEndsRun(Backend backend) throws Exception {
        Completion longTimer = new Completion();
        AtomicInteger longTimerCallsAfterRun = new AtomicInteger(-1);
        AtomicBoolean runningBeforeRun = new AtomicBoolean(true);
        RunningLoop loop = new RunningLoop(backend, io -> {
            runningBeforeRun.set(io.isRunning());
            io.schedule(Duration.ofHours(1), longTimer); // pending, far away: run() blocks
        }, io -> longTimerCallsAfterRun.set(longTimer.calls()));
        AsyncIo io = loop.awaitRunning();
        assertFalse(runningBeforeRun.get(), "isRunning() before run()");
        Thread.sleep(100);
        assertTrue(loop.thread.isAlive() && !loop.runReturned.get(), "run() returned without stop()");
        loop.stopAndJoin();
        assertTrue(loop.runReturned.get(), "run() returned normally");
        assertFalse(loop.runningAfterRun.get(), "isRunning() on the loop thread after run() returned");
        assertFalse(io.isRunning(), "isRunning() from another thread after run() returned");
        assertEquals(0, longTimerCallsAfterRun.get(), "stop() must not complete pending operations");
        // The loop was closed by its thread after run(): the timer was cancelled then.
        longTimer.assertFailed(Operation.TIMER, Errno.ECANCELED);
        assertFalse(io.isOpen());
        io.stop(); // harmless when not running
    }

    /**
     * "A stop() that arrives before run() starts ends that run after its first turn": run() returns
     * though a far timer is pending and its polls have no timeout, having delivered in that turn
     * what was due; the stop is used up, so the next run() runs until the next stop().
     */
    @ContractTest
    void stopBeforeRunEndsThatRunAfterItsFirstTurn(Backend backend) throws Exception {
        Completion dueTimer = new Completion();
        Completion farTimer = new Completion();
        AtomicInteger tasks = new AtomicInteger();
        AtomicReference<String> afterFirstRun = new AtomicReference<>();
        AtomicReference<AsyncIo> loop = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean secondRunReturned = new AtomicBoolean();
        CountDownLatch firstRunReturned = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (AsyncIo io = backend.create(backend.config().pollTimeoutMillis(-1).build())) {
                loop.set(io);
                io.schedule(Duration.ofHours(1), farTimer);
                io.schedule(0, dueTimer, 0);
                io.execute(tasks::incrementAndGet);
                io.stop();
                io.run();
                afterFirstRun.set("due timer calls " + dueTimer.calls() + ", tasks " + tasks.get() + ", far timer calls "
                        + farTimer.calls());
                firstRunReturned.countDown();
                io.run(); // the stop was used up: this one runs until the test thread stops it
                secondRunReturned.set(true);
            } catch (Throwable x) {
                error.set(x);
            } finally {
                firstRunReturned.countDown();
            }
        }, "tck-stop-before-run");
        t.setDaemon(true);
        t.start();
        if (!firstRunReturned.await(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
            fail("run() after stop() did not return within " + JOIN_MILLIS + " ms");
        }
        assertNull(error.get(), "loop thread failed");
        assertEquals("due timer calls 1, tasks 1, far timer calls 0", afterFirstRun.get(),
                "the one turn delivers what was due and completes nothing else");

        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        while (!loop.get().isRunning() && t.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(200);
        assertFalse(secondRunReturned.get(), "the stop() before the first run() also ended the second run()");
        assertTrue(loop.get().isRunning(), "the second run() is running");
        loop.get().stop();
        t.join(JOIN_MILLIS);
        assertFalse(t.isAlive(), "run() did not return within " + JOIN_MILLIS + " ms of stop()");
        assertNull(error.get(), "loop thread failed");
        assertTrue(secondRunReturned.get());
    }

    @ContractTest
    void handlerExceptionGoesToUncaughtHandlerAndLoopGoesOn(Backend backend) {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        RuntimeException boom = new RuntimeException("boom from a TCK handler");
        try (TestLoop loop = new TestLoop(backend, backend.create(backend.config().uncaughtHandler(uncaught::add).build()))) {
            AsyncIo io = loop.io();
            Completion after = new Completion();
            io.schedule(0, e -> {
                throw boom;
            }, 1);
            io.execute(() -> {
                throw new IllegalStateException("boom from a TCK task");
            });
            io.schedule(Duration.ofMillis(20), after);
            loop.await("a timer after the throwing handler", after::done);
            loop.pollFor(Duration.ofMillis(10));
            assertEquals(0, after.result());
            assertEquals(2, uncaught.size(), "uncaught handler receives each exception once: " + uncaught);
            assertTrue(uncaught.contains(boom), "the handler's exception itself reaches the uncaught handler: " + uncaught);
            IoStats s = io.stats();
            assertTrue(s.timers() >= 2, "both timers counted: " + s);
            loop.assertStillWorks();
        }
    }

    /**
     * AsyncIoConfig.pollBusy (issue #13, item 5): run() turns without sleeping. Idle for 300 ms, a
     * busy loop polls thousands of times; a plain one sleeps until the stop wakes it.
     */
    @ContractTest
    void aPollBusyRunNeverSleepsAndAPlainRunDoes(Backend backend) throws Exception {
        long busy = idlePolls(backend, true);
        long plain = idlePolls(backend, false);
        assertTrue(busy > 1_000, "a pollBusy loop made only " + busy + " polls in 300 ms idle");
        assertTrue(plain < 50, "a sleeping loop made " + plain + " polls in 300 ms idle");
    }

    private static long idlePolls(Backend backend, boolean busy) throws Exception {
        AtomicReference<AsyncIo> loop = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        long[] polls = {-1};
        CountDownLatch running = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (AsyncIo io = backend.create(backend.config().pollBusy(busy).pollTimeoutMillis(-1).build())) {
                loop.set(io);
                io.execute(running::countDown);
                io.run();
                polls[0] = io.stats().polls();
            } catch (Throwable x) {
                error.set(x);
                running.countDown();
            }
        }, "tck-poll-busy-" + busy);
        t.setDaemon(true);
        t.start();
        assertTrue(running.await(JOIN_MILLIS, TimeUnit.MILLISECONDS), "the loop did not start");
        Thread.sleep(300);
        loop.get().stop();
        t.join(JOIN_MILLIS);
        assertFalse(t.isAlive(), "run() did not return after stop()");
        assertNull(error.get(), "loop thread failed");
        return polls[0];
    }
}
