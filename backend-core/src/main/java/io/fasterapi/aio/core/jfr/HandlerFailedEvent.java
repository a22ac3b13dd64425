package io.fasterapi.aio.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A completion handler, task or wake-up callback threw on the loop's thread. */
@Name("io.fasterapi.aio.HandlerFailed")
@Category("io.fasterapi.aio")
@Label("Handler Failed")
@Description("A completion handler, task or wake-up callback threw; the loop handed the exception to its uncaught handler and went on")
@StackTrace(false)
final class HandlerFailedEvent extends LoopEvent {
    @Label("Exception Class")
    Class<?> exceptionClass;

    @Label("Message")
    String message;

    @Label("Thrown At")
    @Description("The top frame of the exception's stack trace")
    String thrownAt;
}
