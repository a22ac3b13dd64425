package io.fasterapi.aio.core.management;

import io.fasterapi.aio.IoStats;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One loop's {@link io.fasterapi.aio.AsyncIoMXBean} in the platform MBean server, from its registration to its
 * removal. A registration that fails (a name taken, a server that refuses) is logged and leaves
 * the loop unregistered: it never fails the loop. Only loaded where {@code java.management} is
 * usable (the caller checks).
 */
public final class LoopRegistration {
    /** The domain of every name: {@code io.fasterapi.aio:type=AsyncIo,backend=...,loop=N}. */
    public static final String DOMAIN = "io.fasterapi.aio";
    private static final System.Logger LOG = System.getLogger("io.fasterapi.aio");
    private final MBeanServer server;
    private final ObjectName name;

    private LoopRegistration(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /** The name of loop {@code loop} of {@code backend}. */
    public static ObjectName name(String backend, int loop) throws JMException {
        return new ObjectName(DOMAIN + ":type=AsyncIo,backend=" + quoteIfNeeded(backend) + ",loop=" + loop);
    }

    private static String quoteIfNeeded(String value) {
        for (char c : value.toCharArray()) {
            if (",=:\"*?\n".indexOf(c) >= 0) return ObjectName.quote(value);
        }
        return value;
    }

    /**
     * Registers the loop; returns null (having logged why) when it could not be.
     *
     * @param stats             the loop's counters, readable from any thread
     * @param pendingOperations operations pending, readable from any thread
     * @param openHandles       handles open, readable from any thread
     */
    public static LoopRegistration register(String backend, int loop, Supplier<IoStats> stats,
                                            IntSupplier pendingOperations, IntSupplier openHandles) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = name(backend, loop);
            server.registerMBean(new LoopMXBean(backend, loop, stats, pendingOperations, openHandles), name);
            return new LoopRegistration(server, name);
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "io.fasterapi.aio: loop " + loop + " (" + backend
                    + ") is not registered with JMX: " + e);
            return null;
        }
    }

    /** Removes the MXBean; once, and never throws (the loop is closing). */
    public void unregister() {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException alreadyGone) {
            // Someone unregistered it by name: nothing left to do.
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "io.fasterapi.aio: " + name + " could not be unregistered: " + e);
        }
    }
}
