/**
 * An HTTP/1.1 server on {@link io.fasterapi.aio.AsyncIo}: {@link io.fasterapi.aio.servers.http.HttpServer}
 * on one loop, {@link io.fasterapi.aio.servers.http.HttpServerGroup} on several sharing a port.
 */
package io.fasterapi.aio.servers.http;
