package io.fasterapi.aio.unix;

import io.fasterapi.aio.unix.testsupport.CProbe;
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
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MSG_ZEROCOPY's numbers and layouts against gcc, and the decoding of notices written at gcc's offsets. */
class ZeroCopyNoticesTest {

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "MSG_ZEROCOPY is Linux's")
    void constantsAndLayoutsAreTheHeaders(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        for (String k : new String[] {"MSG_ZEROCOPY", "MSG_ERRQUEUE", "SO_ZEROCOPY", "SOL_IP", "IP_RECVERR", "SOL_IPV6",
                "IPV6_RECVERR", "SO_EE_ORIGIN_ZEROCOPY", "SO_EE_CODE_ZEROCOPY_COPIED"}) {
            c.put(k, k);
        }
        c.put("cmsg.size", "sizeof(struct cmsghdr)");
        c.put("cmsg.data", "(unsigned long) CMSG_DATA((struct cmsghdr *) 0)");
        for (String f : new String[] {"cmsg_len", "cmsg_level", "cmsg_type"}) c.put(f, "offsetof(struct cmsghdr, " + f + ")");
        c.put("ee.size", "sizeof(struct sock_extended_err)");
        for (String f : new String[] {"ee_errno", "ee_origin", "ee_type", "ee_code", "ee_pad", "ee_info", "ee_data"}) {
            c.put(f, "offsetof(struct sock_extended_err, " + f + ")");
        }
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/socket.h", "netinet/in.h", "linux/errqueue.h"}, c);
        assertEquals(v.get("MSG_ZEROCOPY"), ZeroCopyNotices.MSG_ZEROCOPY);
        assertEquals(v.get("MSG_ERRQUEUE"), ZeroCopyNotices.MSG_ERRQUEUE);
        assertEquals(v.get("SO_ZEROCOPY"), ZeroCopyNotices.SO_ZEROCOPY);
        assertEquals(v.get("SOL_IP"), ZeroCopyNotices.SOL_IP);
        assertEquals(v.get("IP_RECVERR"), ZeroCopyNotices.IP_RECVERR);
        assertEquals(v.get("SOL_IPV6"), ZeroCopyNotices.SOL_IPV6);
        assertEquals(v.get("IPV6_RECVERR"), ZeroCopyNotices.IPV6_RECVERR);
        assertEquals(v.get("SO_EE_ORIGIN_ZEROCOPY"), ZeroCopyNotices.SO_EE_ORIGIN_ZEROCOPY);
        assertEquals(v.get("SO_EE_CODE_ZEROCOPY_COPIED"), ZeroCopyNotices.SO_EE_CODE_ZEROCOPY_COPIED);
        assertEquals(v.get("cmsg.size"), ZeroCopyNotices.CMSGHDR.byteSize());
        assertEquals(v.get("cmsg.data"), ZeroCopyNotices.CMSGHDR.byteSize(), "CMSG_DATA follows the header");
        for (String f : new String[] {"cmsg_len", "cmsg_level", "cmsg_type"}) {
            assertEquals(v.get(f), ZeroCopyNotices.CMSGHDR.byteOffset(groupElement(f)), f);
        }
        assertEquals(v.get("ee.size"), ZeroCopyNotices.SOCK_EXTENDED_ERR.byteSize());
        for (String f : new String[] {"ee_errno", "ee_origin", "ee_type", "ee_code", "ee_pad", "ee_info", "ee_data"}) {
            assertEquals(v.get(f), ZeroCopyNotices.SOCK_EXTENDED_ERR.byteOffset(groupElement(f)), f);
        }
    }

    @Test
    void aNoticeCompletesItsRangeOfSends() {
        try (Arena arena = Arena.ofConfined()) {
            ZeroCopyNotices n = new ZeroCopyNotices(arena);
            MemorySegment c = arena.allocate(64);
            notice(c, ZeroCopyNotices.SOL_IP, ZeroCopyNotices.IP_RECVERR, ZeroCopyNotices.SO_EE_ORIGIN_ZEROCOPY, 0, 7, 11);
            assertEquals(5, n.completedBy(c, 32), "sends 7 to 11");
            assertEquals(0, n.copied());
            notice(c, ZeroCopyNotices.SOL_IPV6, ZeroCopyNotices.IPV6_RECVERR, ZeroCopyNotices.SO_EE_ORIGIN_ZEROCOPY,
                    ZeroCopyNotices.SO_EE_CODE_ZEROCOPY_COPIED, -1, 1);
            assertEquals(3, n.completedBy(c, 32), "the counter wraps: 0xffffffff, 0, 1");
            assertEquals(3, n.copied(), "the kernel copied them");
            notice(c, ZeroCopyNotices.SOL_IP, ZeroCopyNotices.IP_RECVERR, 2 /* SO_EE_ORIGIN_ICMP */, 0, 1, 1);
            assertEquals(0, n.completedBy(c, 32), "not a zero-copy notice");
            notice(c, ZeroCopyNotices.SOL_IP, ZeroCopyNotices.IP_RECVERR, ZeroCopyNotices.SO_EE_ORIGIN_ZEROCOPY, 0, 1, 1);
            assertEquals(0, n.completedBy(c, 20), "truncated control data");
        }
    }

    private static void notice(MemorySegment c, int level, int type, int origin, int code, int from, int to) {
        long d = ZeroCopyNotices.CMSGHDR.byteSize();
        var ee = ZeroCopyNotices.SOCK_EXTENDED_ERR;
        c.fill((byte) 0);
        c.set(JAVA_LONG, 0, d + ee.byteSize());
        c.set(JAVA_INT, ZeroCopyNotices.CMSGHDR.byteOffset(groupElement("cmsg_level")), level);
        c.set(JAVA_INT, ZeroCopyNotices.CMSGHDR.byteOffset(groupElement("cmsg_type")), type);
        c.set(JAVA_BYTE, d + ee.byteOffset(groupElement("ee_origin")), (byte) origin);
        c.set(JAVA_BYTE, d + ee.byteOffset(groupElement("ee_code")), (byte) code);
        c.set(JAVA_INT, d + ee.byteOffset(groupElement("ee_info")), from);
        c.set(JAVA_INT, d + ee.byteOffset(groupElement("ee_data")), to);
    }
}
