package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.core.Ids;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 7, item 6, one case the random misuse cannot reach: a handle of another loop must be
 * refused ("a handle of another loop ... throws IllegalArgumentException"). Ids carry a 13-bit loop
 * number; numbers are handed out so that no two open loops share one, so even after more loops than
 * there are numbers have come and gone, every other loop's handle is still foreign to this one.
 */
class LoopNumberWrapIT {

    @ContractTest
    void foreignHandleStaysForeignAfterLoopNumbersWrap(Backend backend) {
        try (TestLoop a = backend.open()) {
            long mine = a.io().listen(new InetSocketAddress(TestLoop.IPV4, 0));
            int number = Ids.loop(mine);
            for (int i = 0; i < Ids.LOOP_MASK + 10; i++) {
                AsyncIo b = AsyncIo.create(backend.config().build());
                try {
                    long theirs = b.listen(new InetSocketAddress(TestLoop.IPV4, 0));
                    if (Ids.loop(theirs) == number) {
                        fail("loop created " + (i + 1) + " loops later got the open loop's number " + number);
                    }
                    assertThrows(IllegalArgumentException.class, () -> a.io().localAddress(theirs),
                            "another open loop's handle 0x" + Long.toHexString(theirs) + " is refused");
                } finally {
                    b.close();
                }
            }
        }
    }
}
