/** Servers written on the API alone, usable on any backend: the echo server. */
module io.fasterapi.aio.servers {
    requires transitive io.fasterapi.aio;

    exports io.fasterapi.aio.servers;
}
