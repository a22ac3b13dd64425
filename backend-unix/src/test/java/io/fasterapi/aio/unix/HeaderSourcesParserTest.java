package io.fasterapi.aio.unix;

import io.fasterapi.aio.unix.testsupport.GoUnix;
import io.fasterapi.aio.unix.testsupport.SourceTally;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The struct reader of {@link GoUnix} against Go's own arithmetic: every struct for which
 * ztypes emits a {@code Sizeof} constant must add up, with the offsets computed here, to that
 * size. The layout checks of the BSD tests rely on those offsets.
 */
class HeaderSourcesParserTest {

    @Test
    void everyGoStructWithASizeofConstantAddsUpToIt() {
        for (String goos : new String[] {"darwin", "freebsd"}) {
            for (String arch : GoUnix.ARCHES) {
                GoUnix go = GoUnix.load(goos, arch);
                SourceTally tally = new SourceTally("struct sizes computed from " + go + " vs its Sizeof constants");
                go.sizeofConstants().forEach((constant, size) -> {
                    String base = constant.substring("Sizeof".length());
                    for (String name : new String[] {base, "Raw" + base}) {
                        if (go.hasStruct(name)) tally.equal(go.name() + " " + name, go.struct(name).size(), size);
                    }
                });
                assertTrue(tally.count() >= 20, go + ": only " + tally.count() + " structs found for their Sizeof constants");
                tally.verify();
            }
        }
    }
}
