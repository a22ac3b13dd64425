/**
 * JMX: each open loop as an {@link io.fasterapi.aio.AsyncIoMXBean} in the platform MBean server,
 * through {@link io.fasterapi.aio.core.management.LoopRegistration}. The loop reaches it only
 * where {@code java.management} is usable (an optional module). Not exported: the MBean server
 * calls the interface's methods, which the API exports to everyone (as JMX needs: it reflects
 * from an unnamed module).
 */
package io.fasterapi.aio.core.management;
