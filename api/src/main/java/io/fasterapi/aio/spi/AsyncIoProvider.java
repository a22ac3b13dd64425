package io.fasterapi.aio.spi;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;

/**
 * A backend: registered for {@link java.util.ServiceLoader} ({@code provides ... with} and
 * {@code META-INF/services}) and, inside OSGi, as a service. Implementations are thread-safe.
 */
@org.osgi.annotation.versioning.ProviderType
public interface AsyncIoProvider {

    /** The backend's name: "epoll", "io_uring", "kqueue" or "iocp". */
    String name();

    /** Higher is preferred by {@link AsyncIo#create()} among available providers. */
    int rank();

    /** Whether {@link #open} can work on this machine, and if not, why. Probed once and cached. */
    Availability availability();

    /**
     * How this backend sends without copying when {@link AsyncIoConfig#zeroCopy()} is on (the kernel
     * interfaces it uses), or a sentence starting with "none" that says why it copies. Shown by
     * {@code aio backends} and in {@link io.fasterapi.aio.BackendInfo#zeroCopy()}.
     *
     * @since 1.1
     */
    default String zeroCopy() {
        return "none: this backend always copies";
    }

    /**
     * Creates a loop.
     *
     * @throws io.fasterapi.aio.AsyncIoException when unavailable or when the kernel refuses
     */
    AsyncIo open(AsyncIoConfig config);
}
