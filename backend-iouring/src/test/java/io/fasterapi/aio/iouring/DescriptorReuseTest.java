package io.fasterapi.aio.iouring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A handle closed while its request still waits, unsubmitted, in the submission queue: the
 * descriptor number must not be freed before the kernel took the request, or a new socket gets
 * the number and the old request runs on it (found by the misuse fuzz: a listener's bind failed
 * with EINVAL because another loop's queued connect had bound its socket first).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "io_uring is Linux-only")
class DescriptorReuseTest {

    @Test
    void aClosedSocketsQueuedConnectNeverReachesTheSocketThatReusesItsNumber() {
        Drive d = new Drive();
        try {
            d.io.poll(0); // bind the loop (enables the ring) to this thread
            long a = d.listen(128); // nobody accepts: room for every round
            long b = d.listen(128);
            for (int round = 0; round < 20; round++) {
                Drive.Rec first = new Drive.Rec();
                long c1 = d.io.connect(d.io.localAddress(a), first); // its CONNECT waits in the SQ
                d.io.close(c1);                                       // before any submission
                Drive.Rec second = new Drive.Rec();
                long c2 = d.io.connect(d.io.localAddress(b), second); // a new socket: same number if freed
                d.await("the second connect", second::done);
                assertEquals(0, second.one().result(), () -> "CONNECT to b: " + second);
                assertEquals(d.io.localAddress(b), d.io.remoteAddress(c2), "c2 is connected to b, not to a");
                d.io.close(c2);
            }
        } finally {
            d.close();
        }
    }
}
