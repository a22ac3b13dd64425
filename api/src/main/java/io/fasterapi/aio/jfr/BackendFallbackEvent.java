package io.fasterapi.aio.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** {@code AsyncIo.create()} chose a backend because a better one is unavailable here. */
@Name("io.fasterapi.aio.BackendFallback")
@Category("io.fasterapi.aio")
@Label("Backend Fallback")
@Description("A loop was created on a backend other than the best one found, because that one is unavailable here")
@StackTrace(false)
final class BackendFallbackEvent extends jdk.jfr.Event {
    @Label("Wanted")
    @Description("The best-ranked backend found, unavailable here")
    String wanted;

    @Label("Chosen")
    @Description("The backend the loop was created on")
    String chosen;

    @Label("Reason")
    @Description("Each better backend skipped, with why it is unavailable")
    String reason;

    static void emit(String wanted, String chosen, String reason) {
        BackendFallbackEvent e = new BackendFallbackEvent();
        if (!e.shouldCommit()) return;
        e.wanted = wanted;
        e.chosen = chosen;
        e.reason = reason;
        e.commit();
    }
}
