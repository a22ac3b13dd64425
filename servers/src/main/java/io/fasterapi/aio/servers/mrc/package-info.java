/**
 * The 1 Million Request Challenge: {@link io.fasterapi.aio.servers.mrc.MrcHandler} (POST /event,
 * GET /stats) over shared {@link io.fasterapi.aio.servers.mrc.EventStats}, and the load client
 * {@link io.fasterapi.aio.servers.mrc.MrcClient} that checks the totals.
 */
package io.fasterapi.aio.servers.mrc;
