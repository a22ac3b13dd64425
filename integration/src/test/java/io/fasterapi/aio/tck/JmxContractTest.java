package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoMXBean;
import io.fasterapi.aio.IoStats;
import io.fasterapi.aio.core.Ids;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, item 5: each open loop is an MXBean of the platform MBean server, named
 * {@code io.fasterapi.aio:type=AsyncIo,backend=<name>,loop=<number>}, with its statistics,
 * pending operations and open handles; it is gone once the loop closes, and never there when
 * the configuration opts out.
 */
class JmxContractTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name(Backend backend, int loop) throws Exception {
        return new ObjectName("io.fasterapi.aio:type=AsyncIo,backend=" + backend.name() + ",loop=" + loop);
    }

    @ContractTest
    void anOpenLoopIsAnMXBeanWithItsStatisticsUntilItCloses(Backend backend) throws Exception {
        TestLoop loop = backend.open();
        AsyncIo io = loop.io();
        ObjectName name;
        try (Arena arena = Arena.ofConfined()) {
            Pair p = loop.connectPair();
            name = name(backend, Ids.loop(p.client()));
            assertTrue(SERVER.isRegistered(name), name + " is registered: " + SERVER.queryNames(new ObjectName("io.fasterapi.aio:*"), null));
            loop.exchange(p, 42);
            io.read(p.server(), arena.allocate(16), e -> { }, 0); // pending until the close below

            // Read on the loop's thread between turns: the counters are exact, and must equal stats().
            IoStats stats = io.stats();
            assertAll("the MXBean's attributes against stats() " + stats,
                    () -> assertEquals(backend.name(), SERVER.getAttribute(name, "Backend")),
                    () -> assertEquals(Ids.loop(p.client()), SERVER.getAttribute(name, "LoopNumber")),
                    () -> assertEquals(1, SERVER.getAttribute(name, "PendingOperations"), "PendingOperations"),
                    () -> assertEquals(3, SERVER.getAttribute(name, "OpenHandles"), "OpenHandles: listener, client, server"),
                    () -> assertAll(Arrays.stream(IoStats.class.getRecordComponents()).map(c -> () -> assertEquals(
                            c.getAccessor().invoke(stats), SERVER.getAttribute(name, attribute(c)), attribute(c)))));
            AsyncIoMXBean proxy = JMX.newMXBeanProxy(SERVER, name, AsyncIoMXBean.class); // as a JMX client would
            assertEquals(stats.bytesWritten(), proxy.getBytesWritten(), "BytesWritten through the API's interface");
            assertTrue(stats.bytesRead() > 0, "the loop moved data: " + stats);
            assertTrue(io.close(p.server()));
            assertTrue(io.close(p.client()));
            assertTrue(io.close(p.listener()));
        } finally {
            io.close();
        }
        assertFalse(SERVER.isRegistered(name), name + " is unregistered once the loop has closed");
    }

    private static String attribute(RecordComponent c) {
        return Character.toUpperCase(c.getName().charAt(0)) + c.getName().substring(1);
    }

    @ContractTest
    void aLoopClosedOnItsOwnThreadAfterRunIsUnregistered(Backend backend) throws Exception {
        AsyncIo io = backend.create();
        ObjectName[] name = new ObjectName[1];
        Thread t = Thread.ofPlatform().name("jmx-loop").start(() -> {
            io.execute(() -> {
                try {
                    name[0] = name(backend, Ids.loop(io.schedule(0, e -> io.stop(), 0)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            io.run();
            io.close();
        });
        t.join(TestLoop.TIMEOUT.toMillis());
        assertFalse(t.isAlive(), "the loop ran and closed");
        assertFalse(SERVER.isRegistered(name[0]), name[0] + " is unregistered");
    }

    @ContractTest
    void twoLoopsOfOneBackendHaveTwoNames(Backend backend) throws Exception {
        try (TestLoop a = backend.open(); TestLoop b = backend.open()) {
            Set<ObjectName> names = SERVER.queryNames(new ObjectName("io.fasterapi.aio:type=AsyncIo,backend=" + backend.name() + ",*"), null);
            ObjectName na = name(backend, Ids.loop(a.io().schedule(0, e -> { }, 0)));
            ObjectName nb = name(backend, Ids.loop(b.io().schedule(0, e -> { }, 0)));
            assertFalse(na.equals(nb), "distinct names: " + na);
            assertTrue(names.contains(na) && names.contains(nb), names + " holds " + na + " and " + nb);
        }
    }

    /**
     * A name already taken (by another MBean) must not fail the loop: it opens and works
     * unregistered, and its close leaves the other MBean alone. Loop numbers are handed out
     * round-robin, so the next ones after an open loop's are taken first.
     */
    @ContractTest
    void aNameTakenAlreadyLeavesTheLoopWorkingAndTheOtherMBeanAlone(Backend backend) throws Exception {
        int after;
        try (TestLoop first = backend.open()) {
            after = Ids.loop(first.io().schedule(0, e -> { }, 0));
        }
        java.util.List<ObjectName> taken = new java.util.ArrayList<>();
        try {
            for (int n = after + 1; n <= after + 8; n++) {
                ObjectName name = name(backend, n);
                SERVER.registerMBean(new javax.management.timer.Timer(), name);
                taken.add(name);
            }
            int number;
            try (TestLoop loop = backend.open()) {
                number = Ids.loop(loop.io().schedule(0, e -> { }, 0));
                assertTrue(taken.contains(name(backend, number)), "the loop took one of the numbers " + taken + ": " + number);
                loop.assertStillWorks();
                assertEquals("javax.management.timer.Timer", SERVER.getObjectInstance(name(backend, number)).getClassName());
            }
            assertTrue(SERVER.isRegistered(name(backend, number)), "the other MBean is still there after the loop closed");
        } finally {
            for (ObjectName n : taken) SERVER.unregisterMBean(n);
        }
    }

    @ContractTest
    void aLoopThatOptsOutIsNotRegistered(Backend backend) throws Exception {
        try (TestLoop loop = backend.open(backend.config().jmx(false).build())) {
            long timer = loop.io().schedule(0, e -> { }, 0);
            ObjectName name = name(backend, Ids.loop(timer));
            assertFalse(SERVER.isRegistered(name), name + " is not registered: the configuration opted out");
            assertTrue(SERVER.queryNames(new ObjectName("io.fasterapi.aio:*"), null).stream()
                    .noneMatch(n -> n.getKeyProperty("loop").equals(Integer.toString(Ids.loop(timer)))), "no name with its number");
        }
    }
}
