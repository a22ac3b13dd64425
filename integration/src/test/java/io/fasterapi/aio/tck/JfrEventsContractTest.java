package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.DatagramSender;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.Operation;
import io.fasterapi.aio.core.Ids;
import io.fasterapi.aio.spi.AsyncIoProvider;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 16, item 4: the loop's JFR events, read back from a recording of this JVM while real
 * sockets move data. The statistics events of a loop add up exactly to its final
 * {@code stats()}; each rare event is provoked for real and carries what happened.
 */
class JfrEventsContractTest {

    /** The counters a statistics event carries, by the names IoStats gives them. */
    private static final RecordComponent[] COUNTERS = IoStats.class.getRecordComponents();

    @ContractTest
    void statisticsEventsAddUpToTheLoopsFinalStats(Backend backend) throws Exception {
        try (JfrEvents jfr = new JfrEvents()) {
            TestLoop loop = backend.open();
            AsyncIo io = loop.io();
            Pair p = loop.connectPair();
            int number = Ids.loop(p.client());
            // Traffic until a periodic event of this loop has come back, then a little more: the
            // sums then span periodic events and the last one the close emits.
            long deadline = System.nanoTime() + TestLoop.TIMEOUT.toNanos();
            long seed = 0;
            while (jfr.of(JfrEvents.STATISTICS, number).isEmpty()) {
                if (System.nanoTime() > deadline) fail("no periodic statistics event of loop " + number + " arrived");
                loop.exchange(p, seed++);
            }
            loop.exchange(p, seed);
            assertTrue(io.close(p.client()));
            assertTrue(io.close(p.server()));
            assertTrue(io.close(p.listener()));
            io.close();
            IoStats last = io.stats();

            jfr.await(JfrEvents.STATISTICS, e -> e.getInt("loop") == number && e.getBoolean("closing"), "the close's event");
            List<RecordedEvent> mine = jfr.of(JfrEvents.STATISTICS, number);
            assertTrue(mine.size() >= 2, "periodic events and the close's: " + mine.size());
            assertEquals(1, mine.stream().filter(e -> e.getBoolean("closing")).count(), "one event at the close: " + mine);
            for (RecordedEvent e : mine) assertEquals(backend.name(), e.getString("backend"), "backend");
            assertAll("the sums of loop " + number + "'s " + mine.size() + " statistics events against its final stats() " + last,
                    java.util.Arrays.stream(COUNTERS).map(c -> () -> assertEquals(
                            (long) c.getAccessor().invoke(last), mine.stream().mapToLong(e -> e.getLong(c.getName())).sum(),
                            c.getName())));
            assertTrue(last.bytesRead() > 0 && last.accepts() == 1, "the loop moved data: " + last);
        }
    }

    @ContractTest
    void aHandlerThatThrowsIsRecorded(Backend backend) throws Exception {
        List<Throwable> caught = new CopyOnWriteArrayList<>();
        String message = "thrown on purpose " + UUID.randomUUID();
        try (JfrEvents jfr = new JfrEvents();
             TestLoop loop = backend.open(backend.config().uncaughtHandler(caught::add).build())) {
            long timer = loop.io().schedule(0, e -> {
                throw new IllegalStateException(message);
            }, 0);
            loop.await("the handler to throw", () -> !caught.isEmpty());
            RecordedEvent e = jfr.await(JfrEvents.HANDLER_FAILED, ev -> message.equals(ev.getString("message")), message);
            assertEquals(Ids.loop(timer), e.getInt("loop"), "loop");
            assertEquals(backend.name(), e.getString("backend"), "backend");
            assertEquals(IllegalStateException.class.getName(), e.getClass("exceptionClass").getName(), "exception class");
            assertTrue(e.getString("thrownAt").contains(JfrEventsContractTest.class.getName()), e.getString("thrownAt"));
            assertEquals(1, caught.size(), "the uncaught handler still gets it: " + caught);
        }
    }

    /** An exception that cannot describe itself still reaches the uncaught handler, and the loop goes on. */
    @ContractTest
    void anExceptionThatFailsToBeRecordedStillReachesTheUncaughtHandler(Backend backend) throws Exception {
        List<Throwable> caught = new CopyOnWriteArrayList<>();
        RuntimeException unreadable = new RuntimeException() {
            @Override
            public String getMessage() {
                throw new IllegalStateException("no message");
            }
        };
        try (JfrEvents jfr = new JfrEvents();
             TestLoop loop = backend.open(backend.config().uncaughtHandler(caught::add).build())) {
            loop.io().schedule(0, e -> {
                throw unreadable;
            }, 0);
            loop.await("the handler to throw", () -> !caught.isEmpty());
            assertTrue(caught.get(0) == unreadable, "the uncaught handler gets it: " + caught.size());
            boolean[] later = {false};
            loop.io().schedule(0, e -> later[0] = true, 0);
            loop.await("a later timer", () -> later[0]);
        }
    }

    /**
     * EMFILE on accept, as the loop's handle limit gives it (AsyncIoConfig.maxHandles): the
     * connection is accepted by the kernel and refused by the loop, which completes the ACCEPT
     * with -EMFILE, as when the process's descriptor limit refuses it (DescriptorExhaustionIT).
     */
    @ContractTest
    void acceptRefusedAtTheDescriptorLimitIsRecorded(Backend backend) throws Exception {
        try (JfrEvents jfr = new JfrEvents(); TestLoop loop = backend.open(backend.config().maxHandles(2).build());
             Socket first = new Socket(); Socket second = new Socket()) {
            AsyncIo io = loop.io();
            long listener = io.listen(new InetSocketAddress(TestLoop.IPV4, 0));
            int number = Ids.loop(listener);
            loop.acceptPeer(listener, first); // handles: the listener and this one, the limit
            Completion refused = new Completion();
            io.accept(listener, refused);
            second.connect(io.localAddress(listener), 10_000);
            loop.await("the accept at the limit", refused::done);
            refused.assertFailed(Operation.ACCEPT, Errno.EMFILE);

            RecordedEvent e = jfr.await(JfrEvents.ACCEPT_LIMIT, ev -> ev.getInt("loop") == number, "loop " + number);
            assertAll("the event " + e,
                    () -> assertEquals("EMFILE", e.getString("error")),
                    () -> assertEquals(backend.name(), e.getString("backend")),
                    () -> assertEquals(2, e.getInt("openHandles")),
                    () -> assertEquals(2, e.getInt("maxHandles")));
            assertEquals(1, jfr.of(JfrEvents.ACCEPT_LIMIT, number).size(), "one event per refused accept");
        }
    }

    /**
     * io_uring's completion queue overflows when the loop reaps more slowly than the kernel posts:
     * a loop that takes one completion per turn (maxEvents 1) while every completion submits a
     * new request, so that each turn enters the kernel, which posts up to 20 deferred completions
     * at a time, until the 1,024-entry queue is full. Nothing is lost: every datagram arrives.
     */
    @ContractTest
    void completionQueueOverflowIsRecordedAndNothingIsLost(Backend backend) throws Exception {
        assumeTrue(backend.name().equals("io_uring"), "only io_uring has a completion queue that can overflow here");
        int sockets = 1500;
        try (JfrEvents jfr = new JfrEvents(); Arena arena = Arena.ofConfined();
             TestLoop loop = backend.open(backend.config().maxEvents(1).queueDepth(64).build());
             DatagramChannel sender = DatagramChannel.open()) {
            AsyncIo io = loop.io();
            io.poll(0); // the ring is enabled at the first poll
            List<InetSocketAddress> targets = new ArrayList<>();
            int[] received = {0};
            int number = -1;
            for (int i = 0; i < sockets; i++) {
                long h = io.openDatagram(new InetSocketAddress(TestLoop.IPV4, 0));
                number = Ids.loop(h);
                targets.add(io.localAddress(h));
                MemorySegment buffer = arena.allocate(64);
                DatagramSender from = new DatagramSender();
                io.receiveFrom(h, buffer, from, new io.fasterapi.aio.CompletionHandler() {
                    @Override
                    public void completed(io.fasterapi.aio.IoEvent e) {
                        if (e.result() == 8) received[0]++;
                        if (e.result() >= 0) io.receiveFrom(h, buffer, from, this, 0); // a new request each time
                    }
                }, 0);
            }
            io.poll(0); // every receive is in the kernel
            ByteBuffer datagram = ByteBuffer.allocate(8);
            for (InetSocketAddress t : targets) {
                sender.send(datagram.clear(), t);
            }
            loop.await("every datagram", () -> received[0] == sockets);
            int loopNumber = number;
            RecordedEvent e = jfr.await(JfrEvents.OVERFLOW, ev -> ev.getInt("loop") == loopNumber, "loop " + loopNumber);
            assertEquals(0, e.getLong("dropped"), "completions lost: " + e);
            assertEquals(backend.name(), e.getString("backend"));
            assertEquals(sockets, io.stats().datagramsReceived(), "datagrams received: " + io.stats());
        }
    }

    /** AsyncIo.create() falls back from a better backend that is unavailable: an event each time, with the reason. */
    @Test
    void fallbackToAnotherBackendIsRecordedWithItsReason(@TempDir Path dir) throws Exception {
        Optional<BackendInfo> best = AsyncIo.backends().stream().filter(BackendInfo::available).findFirst();
        assumeTrue(best.isPresent(), "no backend is available here to fall back to");
        String reason = "JFR fallback test " + UUID.randomUUID();
        UnavailableProvider.REASON = reason;
        Path services = dir.resolve("META-INF/services/" + AsyncIoProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, UnavailableProvider.class.getName() + "\n");
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        try (JfrEvents jfr = new JfrEvents(); URLClassLoader withProvider = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            me.setContextClassLoader(withProvider);
            for (int i = 0; i < 2; i++) {
                try (AsyncIo io = AsyncIo.create()) {
                    assertEquals(best.get().name(), io.backend());
                }
            }
            me.setContextClassLoader(before);
            jfr.await(JfrEvents.FALLBACK, e -> jfr.of(JfrEvents.FALLBACK).stream()
                    .filter(f -> f.getString("reason").contains(reason)).count() == 2, "two fallbacks");
            for (RecordedEvent e : jfr.of(JfrEvents.FALLBACK)) {
                if (!e.getString("reason").contains(reason)) continue;
                assertEquals(UnavailableProvider.NAME, e.getString("wanted"), "wanted: " + e);
                assertEquals(best.get().name(), e.getString("chosen"), "chosen: " + e);
                assertTrue(e.getString("reason").startsWith(UnavailableProvider.NAME + ": "), e.getString("reason"));
            }
        } finally {
            me.setContextClassLoader(before);
        }
    }
}
