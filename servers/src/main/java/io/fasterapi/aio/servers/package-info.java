/** Ready-made servers on {@link io.fasterapi.aio.AsyncIo}: {@link io.fasterapi.aio.servers.EchoServer}. */
package io.fasterapi.aio.servers;
