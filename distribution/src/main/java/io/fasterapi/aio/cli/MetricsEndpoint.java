package io.fasterapi.aio.cli;

import com.sun.net.httpserver.HttpServer;
import io.fasterapi.aio.LoopGroup;
import io.fasterapi.aio.micrometer.AsyncIoMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code aio serve --metrics-port}: {@code GET /metrics} answers the loops' meters
 * ({@link AsyncIoMetrics}) in the Prometheus text format, from Micrometer's Prometheus registry.
 *
 * <p>It runs on the JDK's own HTTP server, on a thread of its own: a scrape is then no traffic of
 * the loops it measures (their accept and byte counters count the clients only), and the
 * endpoint still answers when those loops are saturated or stuck.
 */
final class MetricsEndpoint implements AutoCloseable {
    /** The Prometheus text format that {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    /** Binds {@code loops}' meters, tagged {@code server=<name>}, and serves them at {@code address}. */
    MetricsEndpoint(InetSocketAddress address, LoopGroup loops, String name) throws IOException {
        new AsyncIoMetrics(loops, Tags.of("server", name)).bindTo(registry);
        try {
            server = HttpServer.create(address, 0);
        } catch (java.net.BindException e) { // say which of the two ports it was
            java.net.BindException named = new java.net.BindException("metrics endpoint " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
    }

    /** The bound address (the real port when asked for port 0). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
