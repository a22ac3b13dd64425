package io.fasterapi.aio.unix.testsupport;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CProbe's reading of gcc's assembly, on text gcc wrote for x86_64-w64-mingw32 (no compiler needed). */
class CProbeTest {

    @Test
    void readsTheQuadsOfEveryGlobalObject() throws IOException {
        Map<String, long[]> v = CProbe.quads(List.of(
                "\t.file\t\"probe.c\"",
                "\t.text",
                "\t.globl\tprobe_0",
                "\t.section .rdata,\"dr\"",
                "\t.align 8",
                "probe_0:",
                "\t.quad\t3355443206",
                "\t.globl\tprobe_1",
                "\t.align 8",
                "probe_1:",
                "\t.quad\t-1073741536",
                "\t.globl\tprobe_2",
                "\t.align 8",
                "probe_2:",
                "\t.space 8",
                "\t.globl\tprobe_3",
                "\t.align 32",
                "probe_3:",
                "\t.quad\t1",
                "\t.space 16",
                "\t.quad\t-1",
                "\t.ident\t\"GCC: (GNU) 12-win32\""));
        assertEquals(List.of("probe_0", "probe_1", "probe_2", "probe_3"), List.copyOf(v.keySet()));
        assertArrayEquals(new long[] {3355443206L}, v.get("probe_0"));
        assertArrayEquals(new long[] {-1073741536L}, v.get("probe_1"), "a negative int, sign-extended");
        assertArrayEquals(new long[] {0}, v.get("probe_2"), "zeros come as .space");
        assertArrayEquals(new long[] {1, 0, 0, -1}, v.get("probe_3"));
    }

    @Test
    void ignoresLocalDataButRejectsAGlobalThatIsNot64Bit() throws IOException {
        assertEquals(Map.of(), CProbe.quads(List.of(".LC0:", "\t.ascii \"x\\0\"", "probe_local:", "\t.long 5")));
        assertThrows(IOException.class, () -> CProbe.quads(List.of(
                "\t.globl\tprobe_0", "probe_0:", "\t.long\t-1254720015", "\t.word\t-13396")));
    }

    @Test
    void aMissingCompilerSkipsTheTestButFailsItUnderCi() {
        String tool = "no-such-compiler-for-cprobe-test";
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> CProbe.requireTool(tool, "some-package", null));
        assertTrue(skipped.getMessage().contains("Debian package some-package"), skipped.getMessage());
        AssertionError failed = assertThrows(AssertionError.class, () -> CProbe.requireTool(tool, "some-package", "true"));
        assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
    }
}
