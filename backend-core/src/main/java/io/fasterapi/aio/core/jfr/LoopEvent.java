package io.fasterapi.aio.core.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;

/** What every event of a loop carries: which loop it is. */
abstract class LoopEvent extends jdk.jfr.Event {
    @Label("Backend")
    String backend;

    @Label("Loop")
    @Description("The loop's number, unique among the loops open in this process")
    int loop;
}
