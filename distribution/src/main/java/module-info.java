/**
 * The {@code aio} command line: lists the backends found here, runs a TCP echo server, and runs a
 * self-verifying echo demo on one loop.
 *
 * <p>Backends are not required here: the API module's {@code uses} finds them with
 * {@link java.util.ServiceLoader} on the module path or the class path.
 */
module io.fasterapi.aio.cli {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.servers;
    requires io.fasterapi.aio.sockets;
    requires info.picocli;
    // aio serve --metrics-port: the loops' meters, served by the JDK's HTTP server
    requires io.fasterapi.aio.micrometer;
    requires micrometer.registry.prometheus;
    requires jdk.httpserver;

    opens io.fasterapi.aio.cli to info.picocli;
}
