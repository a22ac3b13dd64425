package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backend one {@link ContractTest} invocation runs against: creates loops on it, records what
 * completion handlers throw, and closes what a test left open.
 */
public final class Backend {
    private final String name;
    private final List<AsyncIo> opened = new CopyOnWriteArrayList<>();
    private final List<Throwable> handlerFailures = new CopyOnWriteArrayList<>();

    Backend(String name) {
        this.name = name;
    }

    /** The provider's name ("epoll", "io_uring", ...). */
    public String name() {
        return name;
    }

    /**
     * A configuration naming this backend whose uncaught handler records what handlers throw, so
     * that an assertion failing inside a handler fails the test.
     */
    public AsyncIoConfig.Builder config() {
        return AsyncIoConfig.builder().backend(name).uncaughtHandler(this::recordHandlerFailure);
    }

    /** A loop on this backend, owned by the calling thread until it first polls. */
    public AsyncIo create() {
        return create(config().build());
    }

    /** A loop on this backend with a custom configuration (which must name this backend). */
    public AsyncIo create(AsyncIoConfig config) {
        AsyncIo io = AsyncIo.create(config);
        opened.add(io);
        assertEquals(name, io.backend(), "AsyncIo.create(backend=" + name + ") returned a loop of another backend");
        return io;
    }

    /** A loop wrapped in the test driver, for tests that drive it from the test thread. */
    public TestLoop open() {
        return new TestLoop(this, create());
    }

    /** {@link #open()} with a configuration of this backend's {@link #config()}, changed by the test. */
    public TestLoop open(AsyncIoConfig config) {
        return new TestLoop(this, create(config));
    }

    void recordHandlerFailure(Throwable t) {
        handlerFailures.add(t);
    }

    /** Throws the first failure a handler or task threw (the others suppressed), if any. */
    public void checkHandlerFailures() {
        if (handlerFailures.isEmpty()) {
            return;
        }
        List<Throwable> all = List.copyOf(handlerFailures);
        handlerFailures.clear();
        AssertionError e = new AssertionError("a completion handler or task threw on the loop thread ("
                + all.size() + " in all): " + all.getFirst(), all.getFirst());
        all.stream().skip(1).forEach(e::addSuppressed);
        throw e;
    }

    /** After each invocation: close what the test left open (where this thread may), report handler failures. */
    void cleanUp() {
        for (AsyncIo io : opened) {
            try {
                if (io.isOpen() && !io.isRunning()) {
                    io.close();
                }
            } catch (RuntimeException ignored) {
                // owned by another thread, or already failing: the test reports the real problem
            }
        }
        opened.clear();
        checkHandlerFailures();
    }

    @Override
    public String toString() {
        return name;
    }
}
