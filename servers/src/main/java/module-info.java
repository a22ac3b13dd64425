/**
 * Servers written on the API alone, usable on any backend: the echo server, an HTTP/1.1 server,
 * and the 1 Million Request Challenge (server handler and load client).
 */
module io.fasterapi.aio.servers {
    requires transitive io.fasterapi.aio;
    requires transitive HdrHistogram;

    exports io.fasterapi.aio.servers;
    exports io.fasterapi.aio.servers.http;
    exports io.fasterapi.aio.servers.mrc;
}
