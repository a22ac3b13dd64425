/**
 * The asynchronous socket I/O contract: {@link io.fasterapi.aio.AsyncIo} (one event loop),
 * {@link io.fasterapi.aio.CompletionHandler} and {@link io.fasterapi.aio.IoEvent} (completions),
 * {@link io.fasterapi.aio.Errno} (portable error numbers), configuration and statistics.
 *
 * <p>Semantic versions: the package's version follows its API. {@code AsyncIo} and
 * {@code IoEvent} are {@code @ProviderType} (backends implement them: adding a method is a minor
 * change, and backends import the package with a minor range), {@code CompletionHandler} is
 * {@code @ConsumerType} (users implement it: changing it is a major change). The bnd baseline
 * check in the build fails when a change does not match the version bump.
 */
@Version("1.1.0")
package io.fasterapi.aio;

import org.osgi.annotation.versioning.Version;
