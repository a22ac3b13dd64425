/**
 * The loop's JFR events, category {@code io.fasterapi.aio}: {@code LoopStatistics} (periodic,
 * deltas, and a last one at close), {@code HandlerFailed}, {@code AcceptDescriptorLimit} and
 * {@code CompletionQueueOverflow}. {@link io.fasterapi.aio.core.jfr.LoopRecorder} is the one
 * entry point; the loop reaches it only where {@code jdk.jfr} is usable (an optional module).
 */
package io.fasterapi.aio.core.jfr;
