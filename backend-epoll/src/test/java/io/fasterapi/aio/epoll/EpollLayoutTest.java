package io.fasterapi.aio.epoll;

import io.fasterapi.aio.unix.EventFd;
import io.fasterapi.aio.unix.testsupport.CProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemoryLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@EnabledOnOs(value = OS.LINUX, disabledReason = "epoll is Linux-only")
class EpollLayoutTest {

    @Test
    void epollEventLayoutMatchesTheCompiler(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("size", "sizeof(struct epoll_event)");
        c.put("events", "offsetof(struct epoll_event, events)");
        c.put("data", "offsetof(struct epoll_event, data)");
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/epoll.h"}, c);
        assertEquals(v.get("size"), Epoll.EPOLL_EVENT.byteSize(), "sizeof(struct epoll_event)");
        assertEquals(v.get("events"), Epoll.EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("events")), "offsetof(events)");
        assertEquals(v.get("data"), Epoll.EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data")), "offsetof(data)");
    }

    @Test
    void epollConstantsMatchTheHeaders(@TempDir Path dir) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        for (String n : new String[] {"EPOLLIN", "EPOLLOUT", "EPOLLERR", "EPOLLHUP", "EPOLLRDHUP", "EPOLLET",
                "EPOLL_CTL_ADD", "EPOLL_CLOEXEC", "EFD_CLOEXEC", "EFD_NONBLOCK"}) {
            c.put(n, "(unsigned int) " + n);
        }
        Map<String, Long> v = CProbe.evaluate(dir, new String[] {"sys/epoll.h", "sys/eventfd.h"}, c);
        assertEquals(v.get("EPOLLIN"), Integer.toUnsignedLong(Epoll.EPOLLIN));
        assertEquals(v.get("EPOLLOUT"), Integer.toUnsignedLong(Epoll.EPOLLOUT));
        assertEquals(v.get("EPOLLERR"), Integer.toUnsignedLong(Epoll.EPOLLERR));
        assertEquals(v.get("EPOLLHUP"), Integer.toUnsignedLong(Epoll.EPOLLHUP));
        assertEquals(v.get("EPOLLRDHUP"), Integer.toUnsignedLong(Epoll.EPOLLRDHUP));
        assertEquals(v.get("EPOLLET"), Integer.toUnsignedLong(Epoll.EPOLLET));
        assertEquals(v.get("EPOLL_CTL_ADD"), Integer.toUnsignedLong(Epoll.EPOLL_CTL_ADD));
        assertEquals(v.get("EPOLL_CLOEXEC"), Integer.toUnsignedLong(Epoll.EPOLL_CLOEXEC));
        assertEquals(v.get("EFD_CLOEXEC"), Integer.toUnsignedLong(EventFd.EFD_CLOEXEC));
        assertEquals(v.get("EFD_NONBLOCK"), Integer.toUnsignedLong(EventFd.EFD_NONBLOCK));
    }
}
