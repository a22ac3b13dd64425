/**
 * Blocking sockets for virtual threads on any backend, and a futures adapter, written on the API
 * alone: see {@link io.fasterapi.aio.sockets.AioSockets}.
 */
module io.fasterapi.aio.sockets {
    requires transitive io.fasterapi.aio;

    exports io.fasterapi.aio.sockets;
}
