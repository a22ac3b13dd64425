package io.fasterapi.aio.unix;

import io.fasterapi.aio.core.Gather;
import io.fasterapi.aio.unix.testsupport.CProbe;
import io.fasterapi.aio.unix.testsupport.GoUnix;
import io.fasterapi.aio.unix.testsupport.SourceTally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code struct msghdr} and {@code struct iovec}: Linux's against gcc, the BSDs' against Go's
 * golang.org/x/sys/unix (darwin, freebsd; amd64, arm64); and a header as {@link MsgHdr} fills it,
 * read back at the sources' offsets.
 */
class MsgHdrLayoutTest {

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "gcc's struct msghdr here is Linux's")
    void linuxLayoutsAreTheCompilers(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("iov.size", "sizeof(struct iovec)");
        c.put("iov.base", "offsetof(struct iovec, iov_base)");
        c.put("iov.len", "offsetof(struct iovec, iov_len)");
        c.put("msg.size", "sizeof(struct msghdr)");
        for (String f : new String[] {"msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control",
                "msg_controllen", "msg_flags"}) {
            c.put(f, "offsetof(struct msghdr, " + f + ")");
            c.put(f + ".size", "sizeof(((struct msghdr *) 0)->" + f + ")");
        }
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/socket.h", "sys/uio.h"}, c);
        assertEquals(v.get("iov.size"), MsgHdr.IOVEC.byteSize());
        assertEquals(v.get("iov.base"), MsgHdr.IOVEC.byteOffset(groupElement("iov_base")));
        assertEquals(v.get("iov.len"), MsgHdr.IOVEC.byteOffset(groupElement("iov_len")));
        assertEquals(v.get("msg.size"), MsgHdr.LINUX_MSGHDR.byteSize());
        for (String f : new String[] {"msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control",
                "msg_controllen", "msg_flags"}) {
            assertEquals(v.get(f), MsgHdr.LINUX_MSGHDR.byteOffset(groupElement(f)), f);
            assertEquals(v.get(f + ".size"), MsgHdr.LINUX_MSGHDR.select(groupElement(f)).byteSize(), f + " size");
        }
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "gcc's numbers here are Linux's")
    void datagramConstantsOfLinuxAreTheHeaders(@TempDir Path dir) throws Exception {
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/socket.h"}, Map.of("SOCK_DGRAM", "SOCK_DGRAM", "MSG_TRUNC", "MSG_TRUNC"));
        assertEquals(v.get("SOCK_DGRAM"), DatagramConstants.SOCK_DGRAM);
        assertEquals(v.get("MSG_TRUNC"), DatagramConstants.MSG_TRUNC_LINUX);
        assertEquals(DatagramConstants.MSG_TRUNC_LINUX, DatagramConstants.msgTrunc(SocketConstants.LINUX));
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "recvmmsg's struct is Linux's")
    void mmsghdrIsTheCompilers(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("size", "sizeof(struct mmsghdr)");
        c.put("msg_hdr", "offsetof(struct mmsghdr, msg_hdr)");
        c.put("msg_len", "offsetof(struct mmsghdr, msg_len)");
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/socket.h"}, c);
        assertEquals(v.get("size"), MmsgBatch.MMSGHDR.byteSize());
        assertEquals(v.get("msg_hdr"), MmsgBatch.MMSGHDR.byteOffset(groupElement("msg_hdr")));
        assertEquals(v.get("msg_len"), MmsgBatch.MMSGHDR.byteOffset(groupElement("msg_len")));
    }

    @Test
    void datagramConstantsOfTheBsdsAreGos() {
        SourceTally tally = new SourceTally("DatagramConstants vs golang.org/x/sys/unix darwin, freebsd " + GoUnix.ARCHES);
        for (String goos : new String[] {"darwin", "freebsd"}) {
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(goos, arch);
                tally.equal(go.name() + " SOCK_DGRAM", DatagramConstants.SOCK_DGRAM, go.constant("SOCK_DGRAM"));
                tally.equal(go.name() + " MSG_TRUNC", DatagramConstants.MSG_TRUNC_BSD, go.constant("MSG_TRUNC"));
            }
        }
        tally.equal("macOS table's MSG_TRUNC", DatagramConstants.MSG_TRUNC_BSD, DatagramConstants.msgTrunc(SocketConstants.DARWIN));
        tally.verify();
    }

    @Test
    void bsdLayoutsAreGos() {
        SourceTally tally = new SourceTally("MsgHdr.BSD_MSGHDR/IOVEC vs golang.org/x/sys/unix darwin, freebsd " + GoUnix.ARCHES);
        for (String goos : new String[] {"darwin", "freebsd"}) {
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(goos, arch);
                tally.layout(go.name() + " msghdr", MsgHdr.BSD_MSGHDR, "msg_", go.struct("Msghdr", "SizeofMsghdr"));
                tally.layout(go.name() + " iovec", MsgHdr.IOVEC, "iov_", go.struct("Iovec", "SizeofIovec"));
            }
        }
        tally.verify();
    }

    @Test
    void aFilledHeaderPointsAtItsIovecsWithTheirCountInTheSystemsWidth() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(7), b = arena.allocate(9);
            for (SocketConstants sc : new SocketConstants[] {SocketConstants.LINUX, SocketConstants.DARWIN}) {
                var layout = sc.sockaddrLen() ? MsgHdr.BSD_MSGHDR : MsgHdr.LINUX_MSGHDR;
                MsgHdr m = new MsgHdr(arena, sc);
                MemorySegment h = m.header();
                h.set(JAVA_LONG, layout.byteOffset(groupElement("msg_iovlen")), -1L); // garbage the fill must replace
                assertEquals(12, m.describe(new MemorySegment[] {a, b}, 4), sc.os() + ": 3 of a, 9 of b");
                long count = sc.sockaddrLen() ? h.get(JAVA_INT, layout.byteOffset(groupElement("msg_iovlen")))
                        : h.get(JAVA_LONG, layout.byteOffset(groupElement("msg_iovlen")));
                assertEquals(2, count, sc.os() + " msg_iovlen");
                if (sc.sockaddrLen()) {
                    assertEquals(-1, h.get(JAVA_INT, layout.byteOffset(groupElement("msg_iovlen")) + 4),
                            "the BSD count is 4 bytes: the padding after it is not written");
                }
                MemorySegment iov = MemorySegment.ofAddress(h.get(JAVA_LONG, layout.byteOffset(groupElement("msg_iov"))))
                        .reinterpret(MsgHdr.IOVEC.byteSize() * Gather.MAX_ENTRIES);
                assertEquals(a.address() + 4, iov.get(JAVA_LONG, 0));
                assertEquals(3, iov.get(JAVA_LONG, 8));
                assertEquals(b.address(), iov.get(JAVA_LONG, 16));
                assertEquals(9, iov.get(JAVA_LONG, 24));
                assertEquals(0, h.get(JAVA_LONG, layout.byteOffset(groupElement("msg_name"))));
                assertEquals(0, h.get(JAVA_LONG, layout.byteOffset(groupElement("msg_control"))));
            }
        }
    }
}
