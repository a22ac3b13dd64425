package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.AsyncIoConfig;
import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.BackendInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static Optional<BackendInfo> find(String name) {
        return AsyncIo.backends().stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
