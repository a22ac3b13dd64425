/**
 * The API's one JFR event, {@code io.fasterapi.aio.BackendFallback} (the loop's own events are
 * in the backend core). Internal: not exported, and {@code jdk.jfr} is optional.
 */
package io.fasterapi.aio.jfr;
