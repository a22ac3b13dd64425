package io.fasterapi.aio.core.management;

import io.fasterapi.aio.AsyncIoMXBean;
import io.fasterapi.aio.IoStats;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** {@link AsyncIoMXBean} over one loop's thread-safe views. */
final class LoopMXBean implements AsyncIoMXBean {
    private final String backend;
    private final int loop;
    private final Supplier<IoStats> stats;
    private final IntSupplier pendingOperations;
    private final IntSupplier openHandles;

    LoopMXBean(String backend, int loop, Supplier<IoStats> stats, IntSupplier pendingOperations, IntSupplier openHandles) {
        this.backend = backend;
        this.loop = loop;
        this.stats = stats;
        this.pendingOperations = pendingOperations;
        this.openHandles = openHandles;
    }

    @Override
    public String getBackend() {
        return backend;
    }

    @Override
    public int getLoopNumber() {
        return loop;
    }

    @Override
    public int getPendingOperations() {
        return pendingOperations.getAsInt();
    }

    @Override
    public int getOpenHandles() {
        return openHandles.getAsInt();
    }

    @Override
    public long getAccepts() {
        return stats.get().accepts();
    }

    @Override
    public long getReads() {
        return stats.get().reads();
    }

    @Override
    public long getWrites() {
        return stats.get().writes();
    }

    @Override
    public long getConnects() {
        return stats.get().connects();
    }

    @Override
    public long getCloses() {
        return stats.get().closes();
    }

    @Override
    public long getTimers() {
        return stats.get().timers();
    }

    @Override
    public long getPolls() {
        return stats.get().polls();
    }

    @Override
    public long getEvents() {
        return stats.get().events();
    }

    @Override
    public long getErrors() {
        return stats.get().errors();
    }

    @Override
    public long getWakes() {
        return stats.get().wakes();
    }

    @Override
    public long getBytesRead() {
        return stats.get().bytesRead();
    }

    @Override
    public long getBytesWritten() {
        return stats.get().bytesWritten();
    }

    @Override
    public long getDatagramsReceived() {
        return stats.get().datagramsReceived();
    }

    @Override
    public long getDatagramsSent() {
        return stats.get().datagramsSent();
    }
}
