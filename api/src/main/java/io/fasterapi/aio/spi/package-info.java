/**
 * The service provider interface that backends implement ({@code AsyncIoProvider} is a
 * {@code @ProviderType}: backends import this package with a minor range).
 */
@Version("1.1.0")
package io.fasterapi.aio.spi;

import org.osgi.annotation.versioning.Version;
