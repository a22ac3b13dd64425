package io.fasterapi.aio.iocp;

import io.fasterapi.aio.unix.testsupport.CProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Windows SDK's values as the mingw-w64 cross compiler computes them from its own copy of the
 * headers, for x64: a source independent of the numbers this backend typed in. Probes are compiled
 * with {@code -S} ({@link CProbe#compileOnly}: nothing is linked or run) and each answer is kept
 * for the rest of the test run.
 *
 * <p>Without the compiler the test skips, naming the Debian package; under {@code CI=true} it fails.
 */
final class WindowsHeaders {
    static final String COMPILER = "x86_64-w64-mingw32-gcc";
    static final String DEBIAN_PACKAGE = "gcc-mingw-w64-x86-64";

    /**
     * Windows 10 as the target (GetQueuedCompletionStatusEx and OVERLAPPED_ENTRY need Vista+).
     * winsock2.h before windows.h, as Winsock requires; WIN32_NO_STATUS keeps winnt.h's few
     * STATUS_ codes out so that ntstatus.h can define all of them; winternl.h has NTSTATUS.
     */
    private static final String PRELUDE = """
            #define _WIN32_WINNT 0x0A00
            #define WIN32_NO_STATUS
            #include <winsock2.h>
            #include <ws2tcpip.h>
            #include <mswsock.h>
            #include <windows.h>
            #undef WIN32_NO_STATUS
            #include <ntstatus.h>
            #include <winternl.h>
            #include <stddef.h>
            /* A GUID macro's fields, widened to what CProbe reads. */
            struct probe_guid { unsigned long long data1, data2, data3, data4[8]; };
            """;

    private static final Map<String, Long> VALUES = new HashMap<>();
    private static final Map<String, long[]> GUIDS = new HashMap<>();

    private WindowsHeaders() {
    }

    /**
     * Asks the compiler, in one compile, for whatever of these is not known yet (a compile of
     * windows.h takes seconds on a busy machine): see {@link #values} and {@link #guids}.
     */
    static synchronized void ask(Collection<String> expressions, Collection<String> guidMacros) {
        List<String> scalars = expressions.stream().filter(e -> !VALUES.containsKey(e)).distinct().toList();
        List<String> guids = guidMacros.stream().filter(m -> !GUIDS.containsKey(m)).distinct().toList();
        if (scalars.isEmpty() && guids.isEmpty()) return;
        StringBuilder c = new StringBuilder(PRELUDE);
        for (int i = 0; i < scalars.size(); i++) {
            c.append("const unsigned long long probe_").append(i)
                    .append(" = (unsigned long long) (").append(scalars.get(i)).append(");\n");
        }
        for (int i = 0; i < guids.size(); i++) {
            String m = guids.get(i);
            // Also a real GUID: a value that does not fit its field is an error (-Werror), not a truncation.
            c.append("static const GUID probe_typed_guid_").append(i).append(" __attribute__((unused)) = ").append(m).append(";\n");
            c.append("const struct probe_guid probe_guid_").append(i).append(" = ").append(m).append(";\n");
        }
        Map<String, long[]> out = compile(c.toString());
        for (int i = 0; i < scalars.size(); i++) VALUES.put(scalars.get(i), out.get("probe_" + i)[0]);
        for (int i = 0; i < guids.size(); i++) GUIDS.put(guids.get(i), out.get("probe_guid_" + i));
    }

    /**
     * The values of C integer constant expressions ({@code "WSAEINTR"},
     * {@code "offsetof(OVERLAPPED, hEvent)"}), each converted to {@code unsigned long long}: a
     * negative {@code int} such as an NTSTATUS comes back sign-extended.
     */
    static synchronized Map<String, Long> values(Collection<String> expressions) {
        ask(expressions, List.of());
        Map<String, Long> result = new LinkedHashMap<>();
        for (String e : expressions) result.put(e, VALUES.get(e));
        return result;
    }

    /** The fields of GUID macros ({@code "WSAID_ACCEPTEX"}): Data1, Data2, Data3, then the eight bytes of Data4. */
    static synchronized Map<String, long[]> guids(Collection<String> macros) {
        ask(List.of(), macros);
        Map<String, long[]> result = new LinkedHashMap<>();
        for (String m : macros) result.put(m, GUIDS.get(m).clone());
        return result;
    }

    private static Map<String, long[]> compile(String source) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("windows-headers");
            return CProbe.compileOnly(dir, COMPILER, DEBIAN_PACKAGE, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
