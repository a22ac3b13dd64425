package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;

import java.util.BitSet;

/**
 * Hands out loop numbers (the loop part of every id, {@link Ids#LOOP_BITS} bits) so that no two
 * open loops ever share one: a handle of one open loop is then always recognised as foreign by
 * another. A number comes back when its loop closes; numbers are reused round-robin.
 */
final class LoopNumbers {
    private static final BitSet IN_USE = new BitSet(Ids.LOOP_MASK + 1);
    private static int last;

    private LoopNumbers() {
    }

    /** A number no open loop has (1..LOOP_MASK; 0 never). */
    static synchronized int take() {
        for (int tries = 0; tries < Ids.LOOP_MASK; tries++) {
            last = last % Ids.LOOP_MASK + 1;
            if (!IN_USE.get(last)) {
                IN_USE.set(last);
                return last;
            }
        }
        throw new AsyncIoException(Ids.LOOP_MASK + " loops are open at once: close some first", Errno.EMFILE.code());
    }

    static synchronized void release(int number) {
        IN_USE.clear(number);
    }
}
