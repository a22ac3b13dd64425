package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;

/**
 * A provider that outranks every real one and is never available, for tests of how
 * {@link AsyncIo#create()} falls back. Not registered on the class path: a test offers it through
 * a class loader of its own (see {@link BackendTableTest}), with the reason in {@link #REASON}.
 */
public final class UnavailableProvider implements AsyncIoProvider {

    /** This provider's name. */
    public static final String NAME = "tck-unavailable";

    /** The reason it gives: set by the test before it offers the provider, unique per test run. */
    static volatile String REASON = "not set";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return Integer.MAX_VALUE;
    }

    @Override
    public Availability availability() {
        return Availability.unavailable(REASON);
    }

    @Override
    public AsyncIo open(AsyncIoConfig config) {
        throw new AssertionError("an unavailable provider was asked to open a loop");
    }
}
