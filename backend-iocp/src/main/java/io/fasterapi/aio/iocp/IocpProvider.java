package io.fasterapi.aio.iocp;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.core.AbstractProvider;
import io.fasterapi.aio.core.CompletionEngine;
import io.fasterapi.aio.core.Loop;
import io.fasterapi.aio.spi.AsyncIoProvider;
import io.fasterapi.aio.spi.Availability;
import org.osgi.service.component.annotations.Component;

/**
 * The IOCP backend's provider: available on Windows when Winsock starts and a completion port
 * can be created; elsewhere it says which operating system it needs.
 */
@Component(service = AsyncIoProvider.class, immediate = true, xmlns = AbstractProvider.SCR_NAMESPACE)
public final class IocpProvider extends AbstractProvider {
    /** The backend's name. */
    public static final String NAME = "iocp";
    /** The only backend on Windows; the rank matters against third-party providers only. */
    public static final int RANK = 100;

    /** For ServiceLoader and OSGi. */
    public IocpProvider() {
        super(NAME, RANK, "io.fasterapi.aio.iocp");
    }

    @Override
    protected Availability probe() {
        if (!osIs("windows")) {
            return Availability.unavailable("not this operating system: iocp needs Windows, this is " + osName());
        }
        try {
            WinsockPort.open().close(); // WSAStartup, CreateIoCompletionPort, and back
            return Availability.yes();
        } catch (AsyncIoException e) {
            return Availability.unavailable(e.getMessage());
        }
    }

    @Override
    public String zeroCopy() {
        return "none: Winsock has no zero-copy send (only SO_SNDBUF 0, settable per socket, sends from the caller's buffer); sends copy";
    }

    @Override
    protected AsyncIo create(AsyncIoConfig config) {
        WinsockPort port = WinsockPort.open();
        try {
            return new Loop(NAME, config, ctx -> new CompletionEngine(ctx, new IocpKernel(config.maxEvents(), config.queueDepth(), port)));
        } catch (RuntimeException | Error e) {
            port.close();
            throw e;
        }
    }
}
