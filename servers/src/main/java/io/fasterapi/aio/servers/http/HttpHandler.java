package io.fasterapi.aio.servers.http;

/**
 * Answers requests, on the loop's thread. Called once per request, in the order requests arrived on
 * a connection; it must call one of the {@code send} methods of the response before returning
 * (otherwise the server answers {@code 500}). An exception is answered with {@code 500} and the
 * connection is closed.
 *
 * <p>The request (and its body) is a view of the connection's buffer, valid only during the call.
 */
@FunctionalInterface
public interface HttpHandler {

    /** Answers one request. */
    void handle(HttpRequest request, HttpResponse response);
}
