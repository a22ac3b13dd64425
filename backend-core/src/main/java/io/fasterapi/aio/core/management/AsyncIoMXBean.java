package io.fasterapi.aio.core.management;

/**
 * One open loop as a platform MXBean, named
 * {@code io.fasterapi.aio:type=AsyncIo,backend=<backend>,loop=<number>}: registered when the
 * loop opens (unless {@code AsyncIoConfig.jmx} is off) and unregistered when it closes. Every
 * attribute may be read from any thread while the loop runs; each counter is the value
 * {@code AsyncIo.stats()} gives from another thread (recent, never torn), and the two gauges are
 * likewise recent values.
 */
public interface AsyncIoMXBean {
    /** The backend's name ({@code epoll}, {@code io_uring}, ...). */
    String getBackend();

    /** The loop's number, unique among the loops open in this process. */
    int getLoopNumber();

    /** Operations submitted and not yet delivered. */
    int getPendingOperations();

    /** Handles (listeners, sockets) open. */
    int getOpenHandles();

    long getAccepts();

    long getReads();

    long getWrites();

    long getConnects();

    long getCloses();

    long getTimers();

    long getPolls();

    long getEvents();

    long getErrors();

    long getWakes();

    long getBytesRead();

    long getBytesWritten();

    long getDatagramsReceived();

    long getDatagramsSent();
}
