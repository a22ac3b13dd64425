package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.core.Ids;
import org.junit.jupiter.api.Disabled;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 7, item 6, one case the random misuse cannot reach: a handle of another loop must be
 * refused ("a handle of another loop ... throws IllegalArgumentException"), but ids carry a 13-bit
 * loop number that wraps after 8,191 loops. A loop created 8,191 loops after another gets the same
 * number, and its first handle has the same index and generation as the older loop's first handle:
 * the same id. The older loop then takes the newer loop's handle for its own.
 */
class LoopNumberWrapIT {

    @ContractTest
    @Disabled("library bug (reported to the lead): loop numbers wrap after 8,191 loops, so a foreign handle "
            + "can be the same id as one of this loop's own handles and is used instead of refused")
    void foreignHandleStaysForeignAfterLoopNumbersWrap(Backend backend) {
        try (TestLoop a = backend.open()) {
            long mine = a.io().listen(new InetSocketAddress(TestLoop.IPV4, 0));
            int number = Ids.loop(mine);
            for (int i = 0; i < Ids.LOOP_MASK + 1; i++) {
                AsyncIo b = AsyncIo.create(backend.config().build());
                try {
                    long theirs = b.listen(new InetSocketAddress(TestLoop.IPV4, 0));
                    if (Ids.loop(theirs) != number) continue;
                    // b is another loop: its handle must be refused by a.
                    assertThrows(IllegalArgumentException.class, () -> a.io().localAddress(theirs),
                            "loop " + number + "'s handle 0x" + Long.toHexString(theirs) + " (loop created " + (i + 1)
                                    + " loops later) used on the older loop of the same number (its own handle is 0x"
                                    + Long.toHexString(mine) + ")");
                    return;
                } finally {
                    b.close();
                }
            }
            fail("no loop got number " + number + " again in " + (Ids.LOOP_MASK + 1) + " loops");
        }
    }
}
