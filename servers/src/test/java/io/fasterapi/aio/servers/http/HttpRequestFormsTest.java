package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import io.fasterapi.aio.servers.CaughtErrors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request forms and the status each must get, written from RFC 9112 and RFC 9110 and from the
 * server's documented limits ({@link HttpLimits}; README, "HTTP server and the 1 Million Request
 * Challenge": request line too long 414 (501 for a method that fills it); head too large, too many
 * fields 431; body too large 413 (a chunked one: decoded past the body limit, or head and encoded
 * body past the request buffer); malformed 400; framing that can be read two ways 400 (RFC 9112
 * 6.3, 11.2); a coding under {@code chunked} 501; an expectation other than 100-continue 417;
 * HTTP/2+ 505), not from {@link HttpParser}: the oracle of
 * {@link HttpFuzzTest} is the parser itself, so a parser bug could hide on both sides there.
 *
 * <p>Each row runs against the parser directly and over real sockets against a running server on
 * every available backend. A row answered 200 (by an echo handler) states whether the connection
 * stays open (then a second request is answered on it) or closes; every error answer closes.
 * Where the RFC leaves a choice ("MAY"), or where our documented behaviour departs from it, the
 * comment on the row says so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpRequestFormsTest {
    /** The fuzz test's limits: request line 128, head 512, 16 fields, body 1,000 bytes. */
    static final HttpLimits LIMITS = HttpLimits.defaults().withSizes(128, 512, 16, 1000)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

    /** A request and what the server must do with it: answer {@code status}, then keep the connection or close. */
    record Form(String request, int status, boolean keepsOpen) {
        @Override
        public String toString() {
            String r = HttpFuzzTest.printable(request.getBytes(StandardCharsets.ISO_8859_1));
            return status + (status == 200 ? keepsOpen ? " kept" : " closed" : "") + " <- "
                    + (r.length() > 90 ? r.substring(0, 90) + "..." : r);
        }
    }

    static Form ok(String request) {
        return new Form(request, 200, true);
    }

    static Form okThenClose(String request) {
        return new Form(request, 200, false);
    }

    static Form status(int status, String request) {
        return new Form(request, status, false);
    }

    static String get(String fields) {
        return "GET / HTTP/1.1\r\n" + fields + "\r\n";
    }

    static String post(String fields, String body) {
        return "POST /p HTTP/1.1\r\n" + fields + "\r\n" + body;
    }

    static List<Form> forms() {
        // sizes just at and just past the limits
        String line128 = "GET /" + "a".repeat(128 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        String head512 = get("Host: a\r\nX: " + "v".repeat(512 - get("Host: a\r\nX: \r\n").length()) + "\r\n");
        StringBuilder fields16 = new StringBuilder("Host: a\r\n");
        for (int i = 1; i < 16; i++) fields16.append("F").append(i).append(": v\r\n");
        return List.of(
                // ---- accepted
                ok(get("Host: a\r\n")),                                                       // RFC 9112 3, 3.2: the plain form
                ok("GET /a/b?c=d&e HTTP/1.1\r\nHost: a\r\n\r\n"),                            // RFC 9112 3.2.1: origin-form with a query
                ok("GET http://a.example/x?y=1 HTTP/1.1\r\nHost: a.example\r\n\r\n"),        // RFC 9112 3.2.2: a server MUST accept absolute-form
                ok("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),                                 // RFC 9112 3.2.4: asterisk-form
                // RFC 9112 3.2.3: authority-form is a valid target; what CONNECT means is the handler's business (this one echoes)
                ok("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"),
                ok("M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n"),                                // RFC 9110 9.1, 5.6.2: any token is a method
                // RFC 9110 9.1: methods are case-sensitive, so "get" is another (valid) method; the handler decides (this one echoes)
                ok("get / HTTP/1.1\r\nHost: a\r\n\r\n"),
                okThenClose("GET / HTTP/1.0\r\n\r\n"),                                       // RFC 9112 3.2: Host is required in 1.1 only; 9.3: 1.0 closes
                okThenClose("GET / HTTP/1.0\r\nHost: a\r\n\r\n"),                            // RFC 9112 9.3
                ok("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),                      // RFC 9112 9.3, C.2.2: 1.0 keep-alive
                okThenClose(get("Host: a\r\nConnection: close\r\n")),                       // RFC 9112 9.3, 9.6
                okThenClose(get("Host: a\r\nConnection: upgrade, Close\r\n")),              // RFC 9110 7.6.1: a list, tokens case-insensitive
                // RFC 9110 2.5: a higher minor version of a major version we implement is processed as 1.1
                ok("GET / HTTP/1.2\r\nHost: a\r\n\r\n"),
                ok("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),                                 // RFC 9112 2.2: SHOULD ignore an empty line (CRLF) before the request-line
                ok("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),                         // RFC 9112 2.2: "at least one"
                ok(get("Host: a\r\nX:  \t v w \t\r\n")),                                    // RFC 9110 5.5, RFC 9112 5: OWS around a value
                ok(get("Host: a\r\nX-Empty:\r\n")),                                          // RFC 9110 5.5: field-value may be empty
                ok(get("Host: a\r\nX: caf\u00e9\r\n")),                                       // RFC 9110 5.5: obs-text in a value
                ok("GET / HTTP/1.1\r\nhOST: a\r\n\r\n"),                                     // RFC 9110 5.1: field names are case-insensitive
                ok(post("Host: a\r\ncontent-length: 2\r\n", "ok")),                           // RFC 9110 5.1
                ok(post("Host: a\r\nContent-Length: 003\r\n", "abc")),                        // RFC 9110 8.6: 1*DIGIT, leading zeros included
                ok(get("Host: a\r\nContent-Length: 0\r\n")),                                  // RFC 9110 8.6
                // RFC 9110 8.6: identical duplicates MAY be taken as one (our choice for separate lines; a comma list is 400 below)
                ok(post("Host: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n", "abc")),
                ok(get("Host: a.example:8080\r\n")),                                         // RFC 9110 7.2: uri-host [":" port]
                ok(get("Host: 127.0.0.1\r\n")),                                               // RFC 3986 3.2.2: IPv4address
                ok(get("Host: [::1]:8080\r\n")),                                              // RFC 3986 3.2.2: IP-literal
                ok(get("Host: xn--caf-dma.example.\r\n")),                                   // RFC 3986 3.2.2: reg-name
                ok(get("Host:\r\n")),                                                         // RFC 9112 3.2: empty when the target has no authority
                ok(line128 + "\r\nHost: a\r\n\r\n"),                                          // HttpLimits: a request line of exactly the limit
                ok(head512),                                                                  // HttpLimits: a head of exactly the limit
                ok(get(fields16.toString())),                                                 // HttpLimits: exactly the most fields
                ok(post("Host: a\r\nContent-Length: 1000\r\n", "b".repeat(1000))),            // HttpLimits: a body of exactly the limit

                // ---- 400: malformed request-line (RFC 9112 3: "Recipients of an invalid request-line SHOULD respond with ... 400")
                status(400, " / HTTP/1.1\r\nHost: a\r\n\r\n"),                               // RFC 9112 3: no method
                status(400, "GET HTTP/1.1\r\nHost: a\r\n\r\n"),                               // RFC 9112 3: no target
                status(400, "GET /\r\nHost: a\r\n\r\n"),                                      // RFC 9112 3: no version (HTTP/0.9's form)
                status(400, "GET / http/1.1\r\nHost: a\r\n\r\n"),                             // RFC 9112 2.3: HTTP-name is case-sensitive
                status(400, "GET / HTTP/1\r\nHost: a\r\n\r\n"),                               // RFC 9112 2.3: DIGIT "." DIGIT
                status(400, "GET / HTTP/1.10\r\nHost: a\r\n\r\n"),                            // RFC 9112 2.3: one digit each
                status(400, "GET / HTTP/11.1\r\nHost: a\r\n\r\n"),                            // RFC 9112 2.3
                status(400, "GET / HTTX/1.1\r\nHost: a\r\n\r\n"),                             // RFC 9112 2.3
                // RFC 9112 3: one SP between the parts; a recipient MAY parse on whitespace instead: we do not
                status(400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
                status(400, "GET /  HTTP/1.1\r\nHost: a\r\n\r\n"),
                status(400, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
                status(400, "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"),
                status(400, "G@T / HTTP/1.1\r\nHost: a\r\n\r\n"),                             // RFC 9110 9.1, 5.6.2: method = token
                status(400, "GE\u00c9 / HTTP/1.1\r\nHost: a\r\n\r\n"),                            // RFC 9110 5.6.2: tchar is ASCII
                status(400, "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n"),                    // RFC 9112 3.2, RFC 3986 2: a target is ASCII
                status(400, "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n"),                     // RFC 3986 2: no control characters
                status(400, "GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n"),
                status(400, "GARBAGE\r\n\r\n"),                                               // RFC 9112 3

                // ---- 400: line endings (RFC 9112 2.2). A recipient MAY accept a bare LF: we do not (HttpParser: lines end with CRLF)
                status(400, "GET / HTTP/1.1\nHost: a\n\n"),
                status(400, "GET / HTTP/1.1\r\nHost: a\n\r\n"),
                status(400, "GET / HTTP/1.1\r\nHost: a\r\n\n"),
                status(400, "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),                            // only CRLF counts as an empty line before it
                status(400, get("Host: a\r\nX: a\rb\r\n")),                                   // RFC 9112 2.2: a bare CR MUST be invalid or replaced: invalid

                // ---- 400: field lines
                status(400, get("Host : a\r\n")),                                             // RFC 9112 5.1: whitespace before the colon MUST be 400
                status(400, get("Host\t: a\r\n")),                                            // RFC 9112 5.1
                // RFC 9112 5.2: obs-fold MUST be rejected with 400 or replaced by SP: rejected
                status(400, get("Host: a\r\nX: b\r\n c\r\n")),
                status(400, get("Host: a\r\nX: b\r\n\tc\r\n")),
                // RFC 9112 2.2: a whitespace-preceded line before the first field MUST be rejected or ignored: rejected
                status(400, "GET / HTTP/1.1\r\n Host: a\r\nHost: a\r\n\r\n"),
                status(400, get("Host: a\r\nX@Y: v\r\n")),                                    // RFC 9110 5.1: field-name = token
                status(400, get("Host: a\r\nX Y: v\r\n")),
                status(400, get("Host: a\r\n: v\r\n")),                                       // RFC 9110 5.1: token is 1*tchar
                status(400, get("Host: a\r\nNoColon\r\n")),                                   // RFC 9112 5: field-name ":" OWS field-value OWS
                status(400, get("Host: a\r\nX: a\u0000b\r\n")),                               // RFC 9110 5.5: NUL MUST be rejected or replaced: rejected
                status(400, get("Host: a\r\nX: a\u0001b\r\n")),                               // RFC 9110 5.5: other CTLs are invalid
                status(400, get("Host: a\r\nX: a\u007fb\r\n")),

                // ---- 400: Host (RFC 9112 3.2: MUST 400 for an HTTP/1.1 request without one, and for any request with
                // more than one or with an invalid value; RFC 9110 7.2: Host = uri-host [ ":" port ])
                status(400, "GET / HTTP/1.1\r\n\r\n"),
                status(400, "GET http://a.example/ HTTP/1.1\r\n\r\n"),                        // absolute-form does not spare the Host
                status(400, get("Host: a\r\nHost: a\r\n")),
                status(400, "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),                  // "any request message": 1.0 too
                status(400, get("Host: a b\r\n")),
                status(400, get("Host: a/b\r\n")),                                            // no path
                status(400, get("Host: user@a\r\n")),                                         // no userinfo
                status(400, get("Host: a:8x\r\n")),                                           // port = *DIGIT
                status(400, get("Host: [::1\r\n")),                                           // an unclosed IP-literal
                status(400, "GET / HTTP/1.0\r\nHost: a b\r\n\r\n"),

                // ---- 400: Content-Length (RFC 9110 8.6: 1*DIGIT; RFC 9112 6.3 (5): an invalid one MUST be 400)
                status(400, post("Host: a\r\nContent-Length: 5a\r\n", "")),
                status(400, post("Host: a\r\nContent-Length: -1\r\n", "")),
                status(400, post("Host: a\r\nContent-Length: +5\r\n", "")),
                status(400, post("Host: a\r\nContent-Length:\r\n", "")),
                status(400, post("Host: a\r\nContent-Length: 0x10\r\n", "")),
                status(400, post("Host: a\r\nContent-Length: 1 0\r\n", "")),
                status(400, post("Host: a\r\nContent-Length: 3, 3\r\n", "abc")),             // RFC 9110 8.6: a list MAY be rejected: it is
                status(400, post("Host: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n", "abcd")), // RFC 9112 6.3 (5): differing values

                // ---- 413 (RFC 9110 15.5.14; HttpLimits: body too large)
                status(413, post("Host: a\r\nContent-Length: 1001\r\n", "")),
                // RFC 9110 8.6: a recipient MUST anticipate large numerals; valid digits too large to hold are too large a body
                status(413, post("Host: a\r\nContent-Length: 99999999999999999999999\r\n", "")),

                // ---- 414 (RFC 9112 3: a request-target longer than the server parses MUST be 414; HttpLimits: a
                // request line over the limit is judged from its first 130 bytes, whether or not it has ended)
                status(414, "GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n"),           // the target runs past the limit
                // the target ends within the limit but leaves no room for the version: the target is what is too long
                status(414, "GET /" + "a".repeat(128 - "GET / HTTP/1.1".length() + 1) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                // ---- 501 (RFC 9112 3: a method longer than any implemented SHOULD be 501): it fills the line limit
                status(501, "M".repeat(128) + " / HTTP/1.1\r\nHost: a\r\n\r\n"),
                // ---- 400: a request line over the limit whose first bytes are already malformed (RFC 9112 3)
                status(400, "GET /a\u0001" + "a".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                status(400, "GET /" + "a".repeat(128 - "GET / HTTP/1.1".length() + 1) + " HTTP/1.1x\r\nHost: a\r\n\r\n"),

                // ---- 431 (RFC 6585 5; HttpLimits: head too large, too many fields)
                status(431, head512.replace("X: ", "X: v")),
                status(431, get(fields16 + "F16: v\r\n")),
                status(431, get("Host: a\r\nBig: " + "v".repeat(600) + "\r\n")),
                // empty lines before the request line count in the head: this line would end past it
                status(431, "\r\n".repeat(200) + "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n"),

                // ---- chunked bodies (RFC 9112 7.1: a recipient MUST be able to parse chunked)
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),                    // no data at all
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")),
                ok(post("Host: a\r\nTransfer-Encoding: Chunked\r\n", "3\r\nabc\r\n0\r\n\r\n")),     // RFC 9112 7: coding names are case-insensitive
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n")), // HEXDIG, either case
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "0003\r\nabc\r\n000\r\n\r\n")),  // RFC 9112 7.1: 1*HEXDIG, leading zeros
                // RFC 9112 7.1.1: extensions, a token or quoted-string value, BWS around ";" and "="; ignored
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3;a=b;c\r\nabc\r\n0;last\r\n\r\n")),
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3 ; a = \"q \\\" ;,\"\r\nabc\r\n0\r\n\r\n")),
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-B:\r\n\r\n")), // RFC 9112 7.1.2: trailers
                ok(post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3E8\r\n" + "c".repeat(1000) + "\r\n0\r\n\r\n")), // exactly the body limit
                ok(get("Host: a\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"),                 // any method may carry a body
                okThenClose(post("Host: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n", "1\r\nx\r\n0\r\n\r\n")),
                // 400 (RFC 9112 7.1: malformed chunked framing)
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "\r\n")),                 // no chunk size
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "g\r\n")),                // not hex
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "-1\r\n")),
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "0x3\r\nabc\r\n0\r\n\r\n")),
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n")),  // BWS only before ";"
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n")),    // a bare LF
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\r\nabcd\r\n0\r\n\r\n")), // data longer than its size
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\r\nab\r\n0\r\n\r\n")),   // shorter
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3;\r\nabc\r\n0\r\n\r\n")),   // an extension without a name
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3;a=\r\nabc\r\n0\r\n\r\n")), // "=" without a value
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3;a=\"b\r\nabc\r\n0\r\n\r\n")), // an open quote
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\nno colon\r\n\r\n")), // a bad trailer
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n folded: x\r\n\r\n")),
                // 413: decoded past the body limit (told by the size alone), and framing past the request buffer
                status(413, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "3E9\r\n")),
                status(413, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "258\r\n" + "c".repeat(600) + "\r\n258\r\n")),
                status(413, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFFFFFFFFFF\r\n")), // no overflow
                status(413, post("Host: a\r\nTransfer-Encoding: chunked\r\n", "1\r\nx\r\n".repeat(300) + "0\r\n\r\n")),

                // ---- framing that can be read two ways: 400 and close, so that it can never desynchronise the
                // next request (RFC 9112 6.1, 6.3, 11.2). RFC 9112 6.1: in HTTP/1.0 it is faulty framing, MUST be 400
                status(400, "POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                // RFC 9112 6.3 (4): chunked not the final coding MUST be 400; a list may span field lines (RFC 9110 5.3)
                status(400, post("Host: a\r\nTransfer-Encoding: gzip\r\n", "")),
                status(400, post("Host: a\r\nTransfer-Encoding: chunked, gzip\r\n", "")),
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "")),
                status(400, post("Host: a\r\nTransfer-Encoding:\r\n", "")),                    // no coding at all
                status(400, post("Host: a\r\nTransfer-Encoding: chunked;x=1\r\n", "0\r\n\r\n")), // chunked takes no parameters
                // RFC 9112 6.1: chunked MUST NOT be applied more than once
                status(400, post("Host: a\r\nTransfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n")),
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                // RFC 9112 6.3 (3): Transfer-Encoding with Content-Length "ought to be handled as an error"; in either order
                status(400, post("Host: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n")),
                status(400, post("Host: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                status(400, post("Host: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
                status(400, post("Host: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n", "abcd")),  // RFC 9112 6.3 (5): conflicting
                status(400, post("Host: a\r\nContent-Length: 3, 3\r\n", "abc")),                       // a list: our choice, strict
                // 501 (RFC 9112 6.1: a coding the server does not understand SHOULD be 501): a coding under chunked
                status(501, post("Host: a\r\nTransfer-Encoding: gzip, Chunked\r\n", "0\r\n\r\n")),
                status(501, post("Host: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),

                // ---- Expect (RFC 9110 10.1.1)
                ok(post("Host: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n", "ok")),         // the body came anyway
                ok(post("Host: a\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")), // case-insensitive
                status(417, post("Host: a\r\nExpect: 100-continue, x\r\nContent-Length: 2\r\n", "ok")), // MAY be 417: our choice
                status(417, post("Host: a\r\nExpect: something\r\n", "")),
                // RFC 9110 5.6.1.2: empty list elements do not count
                ok(post("Host: a\r\nExpect:\r\nContent-Length: 2\r\n", "ok")),
                ok(post("Host: a\r\nExpect: , 100-continue ,\r\nContent-Length: 2\r\n", "ok")),
                // "A server that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore that expectation"
                okThenClose("POST /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"),
                // 413 with the body announced too large: the final status, and no 100 (RFC 9110 10.1.1 allows either)
                status(413, post("Host: a\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n", "")),

                // ---- 505 (RFC 9110 15.6.6; HttpLimits: HTTP/2+)
                status(505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
                status(505, "GET / HTTP/3.0\r\nHost: a\r\n\r\n"),
                status(505, "GET / HTTP/0.9\r\nHost: a\r\n\r\n"));                            // a major version we do not implement
    }

    // ------------------------------------------------------------------ the parser

    @ParameterizedTest(name = "parser: {0}")
    @MethodSource("forms")
    void theParserGivesTheStatusOfTheRfc(Form form) {
        byte[] input = form.request.getBytes(StandardCharsets.ISO_8859_1);
        try (Arena arena = Arena.ofConfined()) {
            HttpRequest r = new HttpRequest(LIMITS.maxHeaders());
            int n = new HttpParser(LIMITS).parse(HttpFuzzTest.exact(arena, input), 0, input.length, r);
            if (form.status == 200) {
                assertEquals(input.length, n, "the whole request, complete");
                assertEquals(form.keepsOpen, r.keepAlive(), "keep-alive");
            } else {
                assertEquals(-form.status, n);
            }
        }
    }

    // ------------------------------------------------------------------ the server, on every backend

    static final CaughtErrors CAUGHT = new CaughtErrors();
    static final Map<String, HttpServerGroup> servers = new LinkedHashMap<>();
    static final AtomicLong exchanges = new AtomicLong();

    @BeforeAll
    static void startServers() {
        for (BackendInfo b : AsyncIo.backends()) {
            if (!b.available()) continue;
            servers.put(b.name(), HttpServerGroup.start(1, CAUGHT.config(b.name()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), LIMITS, i -> HttpFuzzTest.FUZZ_ECHO,
                    CAUGHT.sink("handler on " + b.name())));
        }
        assertFalse(servers.isEmpty(), "no backend available");
    }

    @AfterAll
    static void stopServers() {
        servers.values().forEach(HttpServerGroup::close);
        System.out.printf(Locale.ROOT, "HttpRequestFormsTest: %d forms, %d exchanges over sockets on %s, %d caught%n",
                forms().size(), exchanges.get(), servers.keySet(), CAUGHT.count());
        CAUGHT.assertNone("HttpRequestFormsTest");
    }

    static Stream<Arguments> formsOnEveryBackend() {
        return AsyncIo.backends().stream().filter(BackendInfo::available)
                .flatMap(b -> forms().stream().map(f -> Arguments.of(b.name(), f)));
    }

    static final String PROBE = "GET /probe HTTP/1.1\r\nHost: p\r\n\r\n";

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("formsOnEveryBackend")
    void theServerAnswersTheStatusOfTheRfc(String backend, Form form) throws Exception {
        InetSocketAddress a = servers.get(backend).address();
        try (Socket s = HttpFuzzTest.connect(a)) {
            try {
                s.getOutputStream().write(form.request.getBytes(StandardCharsets.ISO_8859_1));
                if (form.keepsOpen) s.getOutputStream().write(PROBE.getBytes(StandardCharsets.ISO_8859_1));
            } catch (SocketException closedEarly) {
                assertTrue(form.status != 200, "the server closed on a request it must answer 200: " + closedEarly);
            }
            InputStream in = s.getInputStream();
            HttpFuzzTest.Response first = HttpFuzzTest.readResponse(in, false);
            // an interim 100 may come first if the server read the head of an Expect request alone
            boolean interim = first.status() == 100 && form.request.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue");
            HttpFuzzTest.Response r = interim ? HttpFuzzTest.readResponse(in, false) : first;
            assertEquals(form.status, r.status(), r::head);
            assertEquals(!form.keepsOpen, r.closes(), () -> "Connection: close in " + r.head());
            if (form.keepsOpen) {
                assertEquals("GET /probe 0 0", HttpFuzzTest.readResponse(in, false).body(), "the next request on the connection");
                s.shutdownOutput();
            }
            int next;
            try {
                next = in.read();
            } catch (SocketException reset) {
                next = -1; // a reset is a close too
            }
            assertEquals(-1, next, "the server closes");
        }
        exchanges.incrementAndGet();
        CAUGHT.assertNone(backend);
    }
}
