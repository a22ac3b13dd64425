package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.spi.AsyncIoProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What {@link AsyncIo#backends()} says about this machine, printed for the build log. */
class BackendTableTest {

    @Test
    void backendTableListsEveryProviderWithItsAvailability() {
        List<BackendInfo> table = AsyncIo.backends();
        StringBuilder out = new StringBuilder("io.fasterapi.aio backends on " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + "):\n");
        out.append(String.format("  %-10s %5s  %-9s  %s%n", "name", "rank", "available", "reason"));
        for (BackendInfo b : table) {
            out.append(String.format("  %-10s %5d  %-9s  %s%n", b.name(), b.rank(), b.available() ? "yes" : "no", b.reason()));
        }
        System.out.print(out);

        assertEquals(table.size(), table.stream().map(BackendInfo::name).distinct().count(), "provider names are unique: " + table);
        for (String name : BackendInvocations.BACKENDS) {
            assertTrue(table.stream().anyMatch(b -> b.name().equals(name)), "provider '" + name + "' is on the class path: " + table);
        }
        for (int i = 1; i < table.size(); i++) {
            assertTrue(table.get(i - 1).rank() >= table.get(i).rank(), "backends() lists the best first: " + table);
        }
        for (BackendInfo b : table) {
            if (b.available()) {
                assertEquals("", b.reason(), b.name() + " is available: its reason is empty");
            } else {
                assertFalse(b.reason().isBlank(), b.name() + " is unavailable and must say why");
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void epollIsAvailableOnLinux() {
        BackendInfo epoll = find("epoll").orElseThrow(() -> new AssertionError("no epoll provider: " + AsyncIo.backends()));
        assertTrue(epoll.available(), "epoll must be available on Linux; reason given: " + epoll.reason());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void kqueueAndIocpSayWhyTheyCannotRunOnLinux() {
        for (String name : List.of("kqueue", "iocp")) {
            find(name).ifPresent(b -> {
                assertFalse(b.available(), name + " cannot run on Linux");
                assertFalse(b.reason().isBlank(), name + " says why");
            });
        }
    }

    @Test
    void createPicksTheBestAvailableBackend() {
        Optional<BackendInfo> best = AsyncIo.backends().stream().filter(BackendInfo::available).findFirst();
        if (best.isEmpty()) {
            AsyncIoException e = assertThrows(AsyncIoException.class, AsyncIo::create);
            System.out.println("no backend available: " + e.getMessage());
            return;
        }
        try (AsyncIo io = AsyncIo.create()) {
            assertEquals(best.get().name(), io.backend(), "AsyncIo.create() picks the highest-ranked available backend");
            assertTrue(io.isOpen());
        }
    }

    @Test
    void createNamingAnUnknownBackendSaysSo() {
        AsyncIoException e = assertThrows(AsyncIoException.class,
                () -> AsyncIo.create(AsyncIoConfig.builder().backend("no-such-backend").build()));
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
    }

    @Test
    void createNamingAnUnavailableBackendGivesItsReason() {
        for (BackendInfo b : AsyncIo.backends()) {
            if (!b.available()) {
                AsyncIoException e = assertThrows(AsyncIoException.class,
                        () -> AsyncIo.create(AsyncIoConfig.builder().backend(b.name()).build()), b.name());
                assertTrue(e.getMessage().contains(b.reason()), "the exception for " + b.name() + " carries its reason '"
                        + b.reason() + "': " + e.getMessage());
            }
        }
    }

    /**
     * "When a better-ranked backend is unavailable, the fallback and its reason are logged once
     * through System.Logger io.fasterapi.aio at INFO": a provider that outranks every real one and
     * is unavailable is offered through the context class loader; three create() calls log one
     * record, naming it, its reason and the backend used.
     */
    @Test
    void fallbackFromAnUnavailableBetterBackendIsLoggedOnce(@TempDir Path dir) throws Exception {
        Optional<BackendInfo> best = AsyncIo.backends().stream().filter(BackendInfo::available).findFirst();
        assumeTrue(best.isPresent(), "no backend is available here to fall back to");
        String reason = "TCK fallback test " + UUID.randomUUID(); // fallbacks are said once per process
        UnavailableProvider.REASON = reason;
        Path services = dir.resolve("META-INF/services/" + AsyncIoProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, UnavailableProvider.class.getName() + "\n");

        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler recorder = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.fasterapi.aio"); // System.Logger's default backend: java.util.logging
        logger.addHandler(recorder);
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        try (URLClassLoader withProvider = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            me.setContextClassLoader(withProvider);
            assertTrue(AsyncIo.backends().stream().anyMatch(b -> b.name().equals(UnavailableProvider.NAME) && !b.available()),
                    "the test's provider is seen, unavailable: " + AsyncIo.backends());
            for (int i = 0; i < 3; i++) {
                try (AsyncIo io = AsyncIo.create()) {
                    assertEquals(best.get().name(), io.backend(), "create() falls back to the best available backend");
                }
            }
        } finally {
            me.setContextClassLoader(before);
            logger.removeHandler(recorder);
        }
        List<LogRecord> fallbacks = records.stream().filter(r -> String.valueOf(r.getMessage()).contains(reason)).toList();
        assertEquals(1, fallbacks.size(), "the fallback is logged once over three create() calls: "
                + records.stream().map(LogRecord::getMessage).toList());
        LogRecord r = fallbacks.getFirst();
        assertEquals(Level.INFO, r.getLevel(), "the fallback's level");
        assertTrue(r.getMessage().contains(UnavailableProvider.NAME) && r.getMessage().contains(best.get().name()),
                "the record names the unavailable backend and the one used: " + r.getMessage());
    }

    private static Optional<BackendInfo> find(String name) {
        return AsyncIo.backends().stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
