package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;

/**
 * One HTTP connection: read, answer every complete request of the batch in order into one response
 * buffer, write it, then go on with what is buffered or read again. Reads and writes alternate
 * (except when a timeout answers 408 while a read is pending). Its buffers and objects are reused
 * by the next connection once every pending operation has completed.
 */
final class HttpConnection implements CompletionHandler {
    /** Waiting for a request; no byte of it yet. */
    static final int IDLE = 0;
    /** Part of a request's head has arrived. */
    static final int HEAD = 1;
    /** The head is complete, the body is arriving. */
    static final int BODY = 2;
    /** Responses are being written. */
    static final int WRITING = 3;
    /** Closing after a last response; nothing more is read. */
    static final int CLOSING = 4;
    /**
     * The last response is sent and the output shut down; what the client still sends is read and
     * dropped until its FIN or {@link #LINGER_NANOS}. Closing with unread input would make the
     * kernel reset the connection, and a reset can destroy answers the client has not read yet
     * (RFC 9112, 9.6).
     */
    static final int LINGERING = 5;
    static final long LINGER_NANOS = 2_000_000_000L;

    private final HttpServer server;
    private final AsyncIo io;
    private final HttpHandler handler;
    private final HttpParser parser;
    private final HttpLimits limits;
    private final MemorySegment in;
    private final MemorySegment out;
    private final HttpRequest request;
    private final HttpResponse response;

    long handle;
    int index; // in the server's list of open connections
    int phase;
    long deadline;
    private long start, end;
    private boolean reading;
    private int writing;
    private boolean closeAfterWrite;
    private boolean closed;
    private MemorySegment outSlice;

    HttpConnection(HttpServer server, MemorySegment in, MemorySegment out) {
        this.server = server;
        this.io = server.io;
        this.handler = server.handler;
        this.limits = server.limits;
        this.parser = new HttpParser(limits);
        this.in = in;
        this.out = out;
        this.request = new HttpRequest(limits.maxHeaders());
        this.response = new HttpResponse(out);
    }

    void open(long handle) {
        this.handle = handle;
        start = end = 0;
        writing = 0;
        reading = false;
        closeAfterWrite = false;
        closed = false;
        response.reset();
        idle(System.nanoTime());
        read();
    }

    @Override
    public void completed(IoEvent e) {
        if (e.operation() == Operation.READ) {
            reading = false;
            long n = e.result();
            if (closed) {
                release();
            } else if (phase == LINGERING) {
                if (n > 0) {
                    read(); // drop it and wait for the client's FIN
                } else {
                    close();
                }
            } else if (closeAfterWrite || phase == CLOSING) {
                return; // a last answer is on its way; the lingering close follows its write
            } else if (n <= 0) {
                if (writing > 0) closeAfterWrite = true; // let the answers go out first
                else close();
            } else {
                end += n;
                if (phase == IDLE) {
                    phase = HEAD;
                    deadline = System.nanoTime() + limits.headerTimeout().toNanos();
                }
                process();
            }
        } else if (e.operation() == Operation.WRITE) {
            writing--;
            if (closed) {
                release();
            } else if (e.result() < 0) {
                close();
            } else if (writing == 0) {
                response.reset();
                if (closeAfterWrite) linger();
                else process();
            }
        }
    }

    /** Answers every complete request buffered, then writes the answers or reads more. */
    private void process() {
        while (start < end) {
            if (response.length() > 0 && response.free() < limits.responseBufferBytes() / 2) break; // flush first
            int r = parser.parse(in, start, end, request);
            if (r == HttpParser.INCOMPLETE) break;
            if (r < 0) {
                response.error(-r);
                closeAfterWrite = true;
                start = end;
                break;
            }
            answer();
            start += r;
            server.requests++;
            if (!response.keepAlive()) {
                closeAfterWrite = true;
                break;
            }
            if (response.direct() != null) break;
        }
        if (response.length() > 0 || response.direct() != null) {
            flush();
        } else if (closeAfterWrite) {
            close();
        } else {
            readMore();
        }
    }

    private void answer() {
        int mark = response.length(); // the answers before this one stay
        response.begin(request);
        try {
            handler.handle(request, response);
            if (!response.sent()) {
                response.rollback(mark);
                response.error(500);
            }
        } catch (RuntimeException ex) {
            server.handlerFailed(ex);
            response.rollback(mark); // drop this request's partial answer; the connection closes after the 500
            response.error(500);
        }
    }

    private void flush() {
        phase = closeAfterWrite ? CLOSING : WRITING;
        deadline = System.nanoTime() + limits.idleTimeout().toNanos();
        if (response.length() > 0) {
            writing++;
            io.write(handle, outSlice(response.length()), this);
        }
        if (response.direct() != null) {
            writing++;
            io.write(handle, response.direct(), this);
        }
    }

    /**
     * The first {@code length} bytes of the response buffer. The slice is kept for the next answer
     * of the same length (the common case: the same response over and over), so writing answers
     * allocates nothing in steady state; a pending write holds its own reference meanwhile.
     */
    private MemorySegment outSlice(int length) {
        if (length == out.byteSize()) return out;
        if (outSlice == null || outSlice.byteSize() != length) outSlice = out.asSlice(0, length);
        return outSlice;
    }

    private void readMore() {
        long now = System.nanoTime();
        if (start == end) {
            start = end = 0;
            idle(now);
        } else {
            if (start > 0) { // move the partial request to the front: it then fits whole
                MemorySegment.copy(in, start, in, 0, end - start);
                end -= start;
                start = 0;
            }
            if (phase != HEAD && phase != BODY) {
                phase = HEAD;
                deadline = now + limits.headerTimeout().toNanos();
            }
            if (request.headComplete && phase == HEAD) {
                phase = BODY;
            }
            if (phase == BODY) {
                deadline = now + limits.idleTimeout().toNanos();
            }
            if (end == in.byteSize()) { // cannot happen within the limits; refuse rather than stall
                response.error(431);
                closeAfterWrite = true;
                flush();
                return;
            }
        }
        read();
    }

    /** After the last answer: shut the output down, drain the input until FIN or the linger time, close. */
    private void linger() {
        phase = LINGERING;
        deadline = System.nanoTime() + LINGER_NANOS;
        start = end = 0;
        try {
            io.shutdownOutput(handle);
        } catch (RuntimeException e) { // the peer is gone already (ENOTCONN): nothing to protect
            close();
            return;
        }
        if (!reading) read();
    }

    private void idle(long now) {
        phase = IDLE;
        deadline = now + limits.idleTimeout().toNanos();
    }

    private void read() {
        reading = true;
        io.read(handle, end == 0 ? in : in.asSlice(end), this);
    }


    /** Called by the server's sweep when {@link #deadline} has passed. */
    void expired() {
        if (closed) return;
        if ((phase == HEAD || phase == BODY) && writing == 0) {
            response.reset();
            response.error(408);
            closeAfterWrite = true;
            flush();
        } else {
            close();
        }
    }

    /** Closes now; the buffers return to the pool once every pending operation has completed. */
    void close() {
        if (closed) return;
        closed = true;
        server.closed(this);
        if (io.isOpen()) io.close(handle);
        release();
    }

    private void release() {
        if (closed && !reading && writing == 0) {
            server.recycle(this);
        }
    }
}
