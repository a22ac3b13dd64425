package io.fasterapi.aio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The kernel's completion queue overflowed (io_uring: the ring's CQ_OVERFLOW flag found set, or
 * its dropped counter grown): the loop reaped completions more slowly than they were posted.
 */
@Name("io.fasterapi.aio.CompletionQueueOverflow")
@Category("io.fasterapi.aio")
@Label("Completion Queue Overflow")
@Description("The kernel had more completions than room in the completion queue: kept aside until the loop made room, or dropped (counted)")
@StackTrace(false)
final class CompletionQueueOverflowEvent extends LoopEvent {
    @Label("Dropped")
    @Description("Completions the kernel lost since the previous report (0: every one was kept and delivered late)")
    long dropped;
}
