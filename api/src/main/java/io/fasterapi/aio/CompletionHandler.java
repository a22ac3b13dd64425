package io.fasterapi.aio;

/**
 * Receives the completion of one operation.
 *
 * <p>Called on the loop's thread, exactly once per operation: with the operation's result, or with
 * {@code -ECANCELED} when the operation was cancelled, its handle was closed or the loop was closed.
 * A handler may submit new operations; they never complete re-entrantly inside the submitting call.
 *
 * <p>The {@link IoEvent} passed in is owned by the loop and reused for the next completion: read
 * its fields during the call, or keep {@link IoEvent#snapshot()}. An exception thrown by a handler
 * is caught, reported to the loop's {@link AsyncIoConfig#uncaughtHandler() uncaught handler}, and
 * does not stop the loop.
 */
@org.osgi.annotation.versioning.ConsumerType
@FunctionalInterface
public interface CompletionHandler {

    /**
     * Called once when the operation completes.
     *
     * @param event the completion; valid only for the duration of this call
     */
    void completed(IoEvent event);
}
