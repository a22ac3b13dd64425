package io.fasterapi.aio.osgi.probe;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.spi.AsyncIoProvider;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Packed at test time into a bundle of its own (see {@code ProbeBundle}), so that it links to the
 * API bundle's classes inside the container: it runs a subset of the contract on every available
 * provider service and answers, through a {@code Callable<String>} service, one line per backend.
 */
public final class ContractProbe implements BundleActivator, Callable<String> {
    private BundleContext context;
    private ServiceRegistration<?> registration;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("aio.probe", "contract");
        registration = context.registerService(Callable.class.getName(), this, props);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
    }

    /** One line per provider service: {@code name: ok (5 cases)}, {@code name: unavailable (reason)} or the failure. */
    @Override
    public String call() throws Exception {
        List<String> lines = new ArrayList<>();
        for (ServiceReference<AsyncIoProvider> ref : context.getServiceReferences(AsyncIoProvider.class, null)) {
            AsyncIoProvider p = context.getService(ref);
            try {
                if (!Boolean.TRUE.equals(ref.getProperty("aio.available"))) {
                    lines.add(p.name() + ": unavailable (" + ref.getProperty("aio.reason") + ")");
                    continue;
                }
                lines.add(p.name() + ": " + runCases(p));
            } catch (Throwable t) {
                lines.add(p.name() + ": FAILED " + t);
            } finally {
                context.ungetService(ref);
            }
        }
        lines.sort(null);
        return String.join("\n", lines);
    }

    private static String runCases(AsyncIoProvider provider) {
        try (AsyncIo io = provider.open(AsyncIoConfig.defaults()); Arena arena = Arena.ofConfined()) {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            long listener = io.listen(new InetSocketAddress(lo, 0));
            InetSocketAddress at = io.localAddress(listener);
            long[] server = {0};
            io.accept(listener, e -> server[0] = e.result());
            long[] connected = {1};
            long client = io.connect(at, e -> connected[0] = e.result());
            await(io, () -> server[0] != 0 && connected[0] != 1, "accept and connect");
            check(server[0] > 0 && connected[0] == 0, "round trip: connected");

            // 1. a 64 KiB round trip, every byte checked
            MemorySegment out = arena.allocate(64 * 1024);
            for (long i = 0; i < out.byteSize(); i++) out.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            MemorySegment in = arena.allocate(out.byteSize());
            long[] got = {0};
            io.write(client, out, e -> { });
            readInto(io, server[0], in, got);
            await(io, () -> got[0] == in.byteSize(), "64 KiB to arrive");
            check(in.mismatch(out) == -1, "round trip: bytes differ");

            // 2. a cancelled read completes once with ECANCELED
            long[] cancelled = {1};
            int[] calls = {0};
            long op = io.read(server[0], arena.allocate(16), e -> { cancelled[0] = e.result(); calls[0]++; });
            io.poll(0);
            check(io.cancel(op), "cancel: pending");
            await(io, () -> calls[0] > 0, "the cancelled read");
            check(cancelled[0] == -Errno.ECANCELED.code() && calls[0] == 1, "cancel: " + cancelled[0]);

            // 3. read 0 at the peer's orderly close
            long[] eof = {1};
            io.read(server[0], arena.allocate(16), e -> eof[0] = e.result());
            io.close(client);
            await(io, () -> eof[0] != 1, "end of stream");
            check(eof[0] == 0, "end of stream: " + eof[0]);

            // 4. connect to a closed port completes with ECONNREFUSED
            long closedPort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, lo)) {
                closedPort = s.getLocalPort();
            }
            long[] refused = {1};
            io.connect(new InetSocketAddress(lo, (int) closedPort), e -> refused[0] = e.result());
            await(io, () -> refused[0] != 1, "refused connect");
            check(refused[0] == -Errno.ECONNREFUSED.code(), "refused: " + refused[0]);

            // 5. timers fire in deadline order
            StringBuilder order = new StringBuilder();
            io.schedule(30_000_000, e -> order.append('c'), 0);
            io.schedule(10_000_000, e -> order.append('a'), 0);
            io.schedule(20_000_000, e -> order.append('b'), 0);
            await(io, () -> order.length() == 3, "timers");
            check(order.toString().equals("abc"), "timer order: " + order);
            return "ok (5 cases)";
        } catch (Exception e) {
            return "FAILED " + e;
        }
    }

    private static void readInto(AsyncIo io, long handle, MemorySegment into, long[] got) {
        io.read(handle, into.asSlice(got[0]), new io.fasterapi.aio.CompletionHandler() {
            @Override
            public void completed(IoEvent e) {
                if (e.result() <= 0) return;
                got[0] += e.result();
                if (got[0] < into.byteSize()) io.read(handle, into.asSlice(got[0]), this);
            }
        });
    }

    private static void await(AsyncIo io, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            io.poll(10);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException(what);
    }
}
