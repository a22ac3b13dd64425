package io.fasterapi.aio.iocp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every Windows struct, constant and GUID this backend uses, against the mingw-w64 headers: an
 * independent copy of the SDK's, read through its cross compiler ({@link WindowsHeaders}), so that
 * a misreading of the SDK here cannot be repeated in the test.
 *
 * <p>The lists come from the code: every primitive constant, {@link StructLayout} and
 * {@link Winsock.Guid} declared in {@link #SDK_CLASSES} (where the bindings keep all of the
 * SDK's values), so a value added there is checked the day it is added, or the test says why not.
 * Every one of them is in mingw-w64's headers (10.0); none had to be left out. Not checked: the
 * downcalls' parameter types (a C probe cannot list a prototype's parameters), and the
 * NTSTATUS → Win32 pairs of {@link WindowsErrors}, which are ntdll's table, in no header.
 */
class WinsockLayoutTest {
    /** The classes that hold the SDK's values; the rest of the backend only uses them. */
    private static final List<Class<?>> SDK_CLASSES = List.of(Winsock.class, WindowsErrors.class, WinSockAddr.class);

    /** Constants whose C expression is not their own name (a macro of the same name is the default). */
    private static final Map<String, String> EXPRESSIONS = Map.ofEntries(
            Map.entry("Winsock.WINSOCK_VERSION_2_2", "MAKEWORD(2, 2)"),
            Map.entry("Winsock.OVERLAPPED_SIZE", "sizeof(OVERLAPPED)"),
            Map.entry("Winsock.OV_INTERNAL", "offsetof(OVERLAPPED, Internal)"),
            Map.entry("Winsock.OV_INTERNAL_HIGH", "offsetof(OVERLAPPED, InternalHigh)"),
            Map.entry("Winsock.OV_EVENT", "offsetof(OVERLAPPED, hEvent)"),
            Map.entry("Winsock.ENTRY_SIZE", "sizeof(OVERLAPPED_ENTRY)"),
            Map.entry("Winsock.ENTRY_KEY", "offsetof(OVERLAPPED_ENTRY, lpCompletionKey)"),
            Map.entry("Winsock.ENTRY_OVERLAPPED", "offsetof(OVERLAPPED_ENTRY, lpOverlapped)"),
            Map.entry("Winsock.ENTRY_BYTES", "offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred)"),
            Map.entry("Winsock.WSABUF_LEN", "offsetof(WSABUF, len)"),
            Map.entry("Winsock.WSABUF_BUF", "offsetof(WSABUF, buf)"),
            Map.entry("Winsock.GUID_DATA4", "offsetof(GUID, Data4)"),
            Map.entry("Winsock.LINGER_SIZE", "sizeof(struct linger)"),
            Map.entry("Winsock.PROTOCOL_INFO_SIZE", "sizeof(WSAPROTOCOL_INFOW)"),
            Map.entry("Winsock.PROTOCOL_INFO_FAMILY", "offsetof(WSAPROTOCOL_INFOW, iAddressFamily)"),
            Map.entry("Winsock.LINGER_SECONDS", "offsetof(struct linger, l_linger)"),
            Map.entry("WinSockAddr.STORAGE_SIZE", "sizeof(SOCKADDR_STORAGE)"),
            Map.entry("WinSockAddr.IN_ADDR", "offsetof(SOCKADDR_IN, sin_addr)"),
            Map.entry("WinSockAddr.IN6_ADDR", "offsetof(SOCKADDR_IN6, sin6_addr)"));

    /** Constants of those classes that are not the SDK's, and why. */
    private static final Map<String, String> NOT_IN_HEADERS = Map.of(
            "WinSockAddr.ACCEPT_ADDRESS_LENGTH",
            "AcceptEx's documented rule (the largest address + 16), computed from STORAGE_SIZE, which is checked");

    /** How many values were compared with the headers, printed at the end. */
    private static final AtomicInteger CHECKED = new AtomicInteger();

    @AfterAll
    static void report() {
        System.out.println("WinsockLayoutTest: " + CHECKED.get() + " values checked against the mingw-w64 headers ("
                + WindowsHeaders.COMPILER + ")");
    }

    private static String id(Field f) {
        return f.getDeclaringClass().getSimpleName() + "." + f.getName();
    }

    private static List<Field> declared(Predicate<Field> which) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c : SDK_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && !f.isSynthetic() && which.test(f)) {
                    f.setAccessible(true);
                    out.add(f);
                }
            }
        }
        return out;
    }

    private static boolean isIntegral(Field f) {
        Class<?> t = f.getType();
        return t == int.class || t == long.class || t == short.class || t == byte.class;
    }

    /**
     * Whether a Java constant holds the C value: the same number, or the same bits at the Java
     * type's width (a DWORD such as INFINITE or an ioctl code is a negative int in Java).
     */
    private static boolean holds(Field f, long c) throws IllegalAccessException {
        long java = ((Number) f.get(null)).longValue();
        int bits = f.getType() == long.class ? 64 : f.getType() == int.class ? 32 : f.getType() == short.class ? 16 : 8;
        if (bits == 64) return java == c;
        long mask = (1L << bits) - 1;
        return java == c || (java & mask) == c;
    }

    private static void assertNoMismatch(List<String> wrong, String what) {
        assertTrue(wrong.isEmpty(), wrong.size() + " " + what + " differ from the mingw-w64 headers:\n"
                + String.join("\n", wrong));
    }

    /** Each integral constant of the SDK classes → the C expression of its value. */
    private static Map<Field, String> constantExpressions() {
        Map<Field, String> expressions = new LinkedHashMap<>();
        for (Field f : declared(WinsockLayoutTest::isIntegral)) {
            if (!NOT_IN_HEADERS.containsKey(id(f))) expressions.put(f, EXPRESSIONS.getOrDefault(id(f), f.getName()));
        }
        return expressions;
    }

    /** Each struct layout of the SDK classes, by its field's name, which is the C type's. */
    private static Map<String, StructLayout> layouts() throws IllegalAccessException {
        Map<String, StructLayout> layouts = new LinkedHashMap<>();
        for (Field f : declared(f -> f.getType() == StructLayout.class)) layouts.put(f.getName(), (StructLayout) f.get(null));
        return layouts;
    }

    /**
     * "TYPE size", "TYPE alignment", "TYPE.member offset", "TYPE.member size" → C expression, for
     * every named member (unnamed ones are padding, which the offsets and the size pin).
     */
    private static Map<String, String> layoutExpressions(Map<String, StructLayout> layouts) {
        Map<String, String> expressions = new LinkedHashMap<>();
        layouts.forEach((type, l) -> {
            expressions.put(type + " size", "sizeof(" + type + ")");
            expressions.put(type + " alignment", "__alignof__(" + type + ")");
            for (MemoryLayout m : l.memberLayouts()) {
                if (m.name().isEmpty()) continue;
                String field = m.name().get();
                expressions.put(type + "." + field + " offset", "offsetof(" + type + ", " + field + ")");
                expressions.put(type + "." + field + " size", "sizeof(((" + type + " *) 0)->" + field + ")");
            }
        });
        return expressions;
    }

    private static Map<String, Winsock.Guid> guids() throws IllegalAccessException {
        Map<String, Winsock.Guid> guids = new LinkedHashMap<>();
        for (Field f : declared(f -> f.getType() == Winsock.Guid.class)) guids.put(f.getName(), (Winsock.Guid) f.get(null));
        return guids;
    }

    /** Whatever test runs first asks for all three tests' values: one compile instead of three. */
    private static void askTheHeadersOnce() throws IllegalAccessException {
        List<String> all = new ArrayList<>(constantExpressions().values());
        all.addAll(layoutExpressions(layouts()).values());
        WindowsHeaders.ask(all, guids().keySet());
    }

    @Test
    void everyConstantMatchesTheHeaders() throws Exception {
        askTheHeadersOnce();
        Map<Field, String> expressions = constantExpressions();
        Map<String, Long> c = WindowsHeaders.values(expressions.values());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Field, String> e : expressions.entrySet()) {
            long header = c.get(e.getValue());
            if (!holds(e.getKey(), header)) {
                Number ours = (Number) e.getKey().get(null);
                wrong.add(id(e.getKey()) + " = " + ours + " (0x" + Long.toHexString(ours.longValue()) + "), but "
                        + e.getValue() + " = " + header + " (0x" + Long.toHexString(header) + ")");
            }
            CHECKED.incrementAndGet();
        }
        assertNoMismatch(wrong, "constants");
        assertTrue(EXPRESSIONS.keySet().stream().allMatch(k -> expressions.keySet().stream().anyMatch(f -> id(f).equals(k))),
                "every entry of EXPRESSIONS names a constant that exists");
    }

    /** Each struct layout: size, alignment, and the offset and size of every named member. */
    @Test
    void everyStructLayoutMatchesTheHeaders() throws Exception {
        askTheHeadersOnce();
        Map<String, StructLayout> layouts = layouts();
        Map<String, String> expressions = layoutExpressions(layouts);
        assertEquals(List.of("OVERLAPPED", "OVERLAPPED_ENTRY", "WSABUF", "WSADATA", "GUID", "SOCKADDR_IN", "SOCKADDR_IN6"),
                List.copyOf(layouts.keySet()), "the layouts found (a new one is checked like these)");
        Map<String, Long> c = WindowsHeaders.values(expressions.values());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            String[] what = e.getKey().split("[. ]");
            StructLayout l = layouts.get(what[0]);
            long java = switch (e.getKey().substring(e.getKey().lastIndexOf(' ') + 1)) {
                case "alignment" -> l.byteAlignment();
                case "offset" -> l.byteOffset(groupElement(what[1]));
                default -> what.length == 2 ? l.byteSize() : l.select(groupElement(what[1])).byteSize();
            };
            long header = c.get(e.getValue());
            if (java != header) wrong.add(e.getKey() + ": ours " + java + ", " + e.getValue() + " = " + header);
            CHECKED.incrementAndGet();
        }
        assertNoMismatch(wrong, "layout values");
    }

    /** Each GUID's fields, and the 16 bytes writeTo puts in memory: the header's, field by field in little-endian order. */
    @Test
    void everyGuidMatchesTheHeaders() throws Exception {
        askTheHeadersOnce();
        Map<String, Winsock.Guid> guids = guids();
        assertEquals(List.of("WSAID_ACCEPTEX", "WSAID_CONNECTEX", "WSAID_GETACCEPTEXSOCKADDRS"), List.copyOf(guids.keySet()));
        Map<String, long[]> c = WindowsHeaders.guids(guids.keySet());
        List<String> wrong = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (Map.Entry<String, Winsock.Guid> e : guids.entrySet()) {
                long[] h = c.get(e.getKey());
                Winsock.Guid g = e.getValue();
                ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt((int) h[0]).putShort((short) h[1]).putShort((short) h[2]);
                long[] ours = {Integer.toUnsignedLong(g.data1()), Short.toUnsignedLong(g.data2()), Short.toUnsignedLong(g.data3())};
                for (int i = 0; i < 3; i++) {
                    if (ours[i] != h[i]) wrong.add(e.getKey() + " Data" + (i + 1) + ": ours 0x" + Long.toHexString(ours[i])
                            + ", header 0x" + Long.toHexString(h[i]));
                }
                for (int i = 0; i < 8; i++) {
                    expected.put((byte) h[3 + i]);
                    if (Byte.toUnsignedLong(g.data4()[i]) != h[3 + i]) {
                        wrong.add(e.getKey() + " Data4[" + i + "]: ours 0x" + Integer.toHexString(Byte.toUnsignedInt(g.data4()[i]))
                                + ", header 0x" + Long.toHexString(h[3 + i]));
                    }
                }
                MemorySegment m = arena.allocate(Winsock.GUID);
                g.writeTo(m);
                if (!Arrays.equals(expected.array(), m.toArray(JAVA_BYTE))) wrong.add(e.getKey() + " in memory: "
                        + HexFormat.of().formatHex(m.toArray(JAVA_BYTE)) + ", header " + HexFormat.of().formatHex(expected.array()));
                CHECKED.addAndGet(11);
            }
        }
        assertNoMismatch(wrong, "GUID values");
    }

    @Test
    void theOperationBlockStartsWithItsOverlapped() {
        assertEquals(0, OverlappedTable.BLOCK.byteOffset(groupElement("overlapped")), "lpOverlapped is the block's address");
        assertEquals(64, OverlappedTable.BLOCK_SIZE);
        assertEquals(0, OverlappedTable.WSABUF % 8, "the WSABUF's pointer is aligned");
    }

    @Test
    void sockaddrsEncodeWithWindowsFamiliesAndNetworkOrder() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(WinSockAddr.STORAGE_SIZE);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 0x1234);
            assertEquals(16, WinSockAddr.encode(v4, m));
            assertArrayEquals(new byte[] {2, 0, 0x12, 0x34, (byte) 192, 0, 2, 7}, m.asSlice(0, 8).toArray(JAVA_BYTE));
            assertEquals(v4, WinSockAddr.decode(m));
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);
            assertEquals(28, WinSockAddr.encode(v6, m));
            assertArrayEquals(new byte[] {23, 0, 0x01, (byte) 0xbb}, m.asSlice(0, 4).toArray(JAVA_BYTE));
            assertEquals(v6, WinSockAddr.decode(m));
            assertEquals(28, WinSockAddr.encodeWildcard(Winsock.AF_INET6, m));
            assertEquals(new InetSocketAddress(InetAddress.getByName("::"), 0), WinSockAddr.decode(m));
        }
    }

    /**
     * Each downcall's C signature links (on the OS at hand, with errno captured in place of the
     * Windows error state): the descriptors are well-formed and the call-state and target-address
     * parameters land where the binding passes them.
     */
    @Test
    void everyDescriptorLinks() { // descriptors only, no symbol: links on any OS
        Linker linker = Linker.nativeLinker();
        Linker.Option capture = Linker.Option.captureCallState("errno");
        assertEquals(23, Winsock.FUNCTIONS.size());
        for (Winsock.Function f : Winsock.FUNCTIONS.values()) {
            MethodHandle h = linker.downcallHandle(f.descriptor(), capture);
            assertEquals(f.descriptor().argumentLayouts().size() + 2, h.type().parameterCount(), f.name());
        }
        for (FunctionDescriptor fd : new FunctionDescriptor[] {Winsock.ACCEPT_EX, Winsock.CONNECT_EX}) {
            MethodHandle h = linker.downcallHandle(fd, capture);
            assertEquals(MemorySegment.class, h.type().parameterType(0), "the function's address comes first");
            assertEquals(MemorySegment.class, h.type().parameterType(1), "then the call state");
        }
    }

    /**
     * Loading the class for its layouts touches no DLL: the bindings link on first use, which
     * works on Windows and fails (without breaking the layouts) anywhere else.
     */
    @Test
    void nothingLoadsUntilTheFirstCall() {
        assertTrue(Winsock.OVERLAPPED.byteSize() > 0); // the class is initialised
        if (OS.WINDOWS.isCurrentOs()) {
            assertTrue(Winsock.callStateLayout().memberLayouts().stream()
                    .anyMatch(m -> m.name().orElse("").equals("GetLastError")), "the Windows call state has GetLastError");
        } else {
            assertThrows(ExceptionInInitializerError.class, Winsock::callStateLayout,
                    "the Windows call state (GetLastError) exists only on Windows");
        }
        MemoryLayout unused = Winsock.WSADATA; // usable whatever the link did
        assertTrue(unused.byteSize() > 0);
    }
}
