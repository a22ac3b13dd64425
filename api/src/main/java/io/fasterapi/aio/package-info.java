/**
 * The asynchronous socket I/O contract: {@link io.fasterapi.aio.AsyncIo} (one event loop),
 * {@link io.fasterapi.aio.CompletionHandler} and {@link io.fasterapi.aio.IoEvent} (completions),
 * {@link io.fasterapi.aio.Errno} (portable error numbers), configuration and statistics.
 */
package io.fasterapi.aio;
