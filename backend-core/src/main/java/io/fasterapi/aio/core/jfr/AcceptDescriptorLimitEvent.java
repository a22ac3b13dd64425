package io.fasterapi.aio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * An ACCEPT completed with {@code EMFILE} or {@code ENFILE}: the kernel refused the new
 * descriptor (the process's or the system's limit), or the loop's handle table was full
 * ({@code AsyncIoConfig.maxHandles}, which the loop reports as {@code EMFILE} too).
 */
@Name("io.fasterapi.aio.AcceptDescriptorLimit")
@Category("io.fasterapi.aio")
@Label("Accept Hit Descriptor Limit")
@Description("An accept failed with EMFILE or ENFILE (the process's or system's descriptor limit, or the loop's maxHandles); the connection waits in the backlog")
@StackTrace(false)
final class AcceptDescriptorLimitEvent extends LoopEvent {
    @Label("Error")
    @Description("EMFILE (this process, or the loop's maxHandles) or ENFILE (the whole system)")
    String error;

    @Label("Open Handles")
    @Description("Handles open on the loop when it happened")
    int openHandles;

    @Label("Handle Limit")
    @Description("The loop's maxHandles")
    int maxHandles;
}
