/** The service provider interface that backends implement. */
package io.fasterapi.aio.spi;
