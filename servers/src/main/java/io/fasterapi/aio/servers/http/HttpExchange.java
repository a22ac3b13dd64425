package io.fasterapi.aio.servers.http;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The requests of one connection, taken one at a time from its buffer: parsed, then answered into
 * its response, the interim {@code 100 Continue} included. What both servers do with each request;
 * how they read, lend buffers and write stays theirs.
 */
final class HttpExchange {
    /** {@link #next}: the request is not all there; read more. */
    static final int INCOMPLETE = 0;
    /** {@link #next}: the bytes were answered with an error status; the connection closes after it. */
    static final int REFUSED = -1;

    private final HttpParser parser;
    final HttpRequest request;
    private final HttpResponse response;
    private final HttpHandler handler;
    private final Consumer<Throwable> handlerErrors;
    /** Lends the response a buffer, if it has none, before anything is written into it. */
    private final Runnable lend;
    /** {@code 100 Continue} went out for the request being read (its head asked for it). */
    private boolean continued;

    HttpExchange(HttpLimits limits, HttpResponse response, HttpHandler handler, Consumer<Throwable> handlerErrors, Runnable lend) {
        this.parser = new HttpParser(limits);
        this.request = new HttpRequest(limits.maxHeaders());
        this.response = response;
        this.handler = handler;
        this.handlerErrors = handlerErrors;
        this.lend = lend;
    }

    /** A new connection: nothing of an earlier one's request is kept. */
    void reset() {
        parser.reset();
        continued = false;
    }

    /**
     * Takes the request at {@code start}: answers it (see {@link HttpResponse#keepAlive()} for whether
     * the connection stays) and gives its length, or {@link #INCOMPLETE}, or {@link #REFUSED}.
     */
    int next(MemorySegment in, long start, long end) {
        int r = parser.parse(in, start, end, request);
        if (r == HttpParser.INCOMPLETE) {
            if (request.waitsForContinue() && !continued) { // the client waits for it to send the body
                lend.run();
                response.continue100();
                continued = true;
            }
            return INCOMPLETE;
        }
        continued = false;
        lend.run();
        if (r < 0) {
            response.error(-r);
            return REFUSED;
        }
        response.answer(handler, request, handlerErrors);
        return r;
    }
}
