package io.fasterapi.aio.servers.mrc;

import io.fasterapi.aio.servers.http.HttpHandler;
import io.fasterapi.aio.servers.http.HttpRequest;
import io.fasterapi.aio.servers.http.HttpResponse;
import io.fasterapi.aio.servers.http.PreparedResponse;

import java.nio.charset.StandardCharsets;

/**
 * The 1MRC endpoints: {@code POST /event} counts a well-formed event and answers {@link #ACCEPTED}
 * ({@code 400}, not counted, when the JSON is not exactly the event shape); {@code GET /stats}
 * answers the totals as JSON. One per loop (the parser is reused); the {@link EventStats} is shared.
 */
public final class MrcHandler implements HttpHandler {
    /** The answer to a counted event. */
    public static final PreparedResponse ACCEPTED = PreparedResponse.of(200, "application/json", "{\"status\":\"ok\"}");
    static final PreparedResponse MALFORMED = PreparedResponse.of(400, "application/json", "{\"error\":\"malformed event\"}");
    static final PreparedResponse NOT_FOUND = PreparedResponse.of(404, "text/plain", "Not Found");
    static final PreparedResponse NOT_ALLOWED = PreparedResponse.of(405, "text/plain", "Method Not Allowed");

    private final EventStats stats;
    private final EventParser parser = new EventParser();

    public MrcHandler(EventStats stats) {
        this.stats = stats;
    }

    @Override
    public void handle(HttpRequest request, HttpResponse response) {
        if (request.pathEquals("/event")) {
            if (!request.isMethod("POST")) {
                response.header("Allow", "POST").send(405, "text/plain", "Method Not Allowed".getBytes(StandardCharsets.US_ASCII));
            } else if (parser.parse(request.buffer(), request.bodyOffset(), request.bodyLength())) {
                stats.record(parser);
                response.send(ACCEPTED);
            } else {
                response.send(MALFORMED);
            }
        } else if (request.pathEquals("/stats")) {
            if (request.isMethod("GET") || request.isMethod("HEAD")) {
                response.send(200, "application/json", stats.json().getBytes(StandardCharsets.US_ASCII));
            } else {
                response.send(NOT_ALLOWED);
            }
        } else {
            response.send(NOT_FOUND);
        }
    }
}
