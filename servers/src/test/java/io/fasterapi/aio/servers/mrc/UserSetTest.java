package io.fasterapi.aio.servers.mrc;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link UserSet} against a {@link HashSet} of the same ids: every answer of add() and the size. */
class UserSetTest {

    @Test
    void agreesWithAHashSet() {
        // 300,000 distinct ids give about ten pairs with the same 32-bit hash: a set that trusted the
        // hash alone would lose ids here. A third of the adds repeat an earlier id.
        UserSet set = new UserSet();
        Set<String> oracle = new HashSet<>();
        SplittableRandom r = new SplittableRandom(12);
        String[] seen = new String[400_000];
        int n = 0;
        for (int i = 0; i < 450_000; i++) {
            String id = n > 0 && r.nextInt(3) == 0 ? seen[r.nextInt(n)] : "user_" + r.nextLong(1L << 40) + "_" + "x".repeat(r.nextInt(8));
            if (n < seen.length) seen[n++] = id;
            byte[] key = id.getBytes(StandardCharsets.UTF_8);
            byte[] padded = new byte[key.length + r.nextInt(4)]; // add() reads only the first `length` bytes
            System.arraycopy(key, 0, padded, 0, key.length);
            assertEquals(oracle.add(id), set.add(padded, key.length), id);
        }
        assertEquals(oracle.size(), set.size());
        assertEquals(true, set.add(new byte[0], 0), "the empty id is an id");
        assertEquals(false, set.add(new byte[] {1}, 0));
    }
}
