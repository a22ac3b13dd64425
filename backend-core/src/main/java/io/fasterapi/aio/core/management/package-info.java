/**
 * JMX: each open loop as an {@link io.fasterapi.aio.core.management.AsyncIoMXBean} in the
 * platform MBean server, through {@link io.fasterapi.aio.core.management.LoopRegistration}. The
 * loop reaches it only where {@code java.management} is usable (an optional module). Exported to
 * {@code java.management}, which calls the MXBean interface by reflection.
 */
package io.fasterapi.aio.core.management;
