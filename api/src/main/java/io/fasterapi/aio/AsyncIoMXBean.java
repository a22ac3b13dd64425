package io.fasterapi.aio;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One open loop as a platform MXBean, named
 * {@code io.fasterapi.aio:type=AsyncIo,backend=<backend>,loop=<number>}: registered when the
 * loop opens (unless {@link AsyncIoConfig#jmx()} is off, or the {@code java.management} module is
 * absent) and unregistered when it closes. Its attributes are {@code Backend}, {@code LoopNumber},
 * {@code PendingOperations}, {@code OpenHandles} and one per counter of {@link IoStats}
 * ({@code Accepts}, {@code Reads}, ..., {@code DatagramsSent}). They may be read from any thread
 * while the loop runs: each counter is what {@link AsyncIo#stats()} gives another thread (recent,
 * never torn), and the two gauges are likewise recent values. A JMX client can read them by name
 * (jconsole), or through {@code JMX.newMXBeanProxy(connection, name, AsyncIoMXBean.class)}.
 *
 * <p>The library implements this interface; it is here, in the API, so that the attributes are
 * part of the contract and a client has a type for its proxy.
 *
 * @since 1.1
 */
@ProviderType
public interface AsyncIoMXBean {
    /** The backend's name ({@code epoll}, {@code io_uring}, ...). */
    String getBackend();

    /** The loop's number, unique among the loops open in this process. */
    int getLoopNumber();

    /** Operations submitted and not yet delivered. */
    int getPendingOperations();

    /** Handles (listeners, sockets) open. */
    int getOpenHandles();

    /** {@link IoStats#accepts()} */
    long getAccepts();

    /** {@link IoStats#reads()} */
    long getReads();

    /** {@link IoStats#writes()} */
    long getWrites();

    /** {@link IoStats#connects()} */
    long getConnects();

    /** {@link IoStats#closes()} */
    long getCloses();

    /** {@link IoStats#timers()} */
    long getTimers();

    /** {@link IoStats#polls()} */
    long getPolls();

    /** {@link IoStats#events()} */
    long getEvents();

    /** {@link IoStats#errors()} */
    long getErrors();

    /** {@link IoStats#wakes()} */
    long getWakes();

    /** {@link IoStats#bytesRead()} */
    long getBytesRead();

    /** {@link IoStats#bytesWritten()} */
    long getBytesWritten();

    /** {@link IoStats#datagramsReceived()} */
    long getDatagramsReceived();

    /** {@link IoStats#datagramsSent()} */
    long getDatagramsSent();
}
