package io.fasterapi.aio.servers.http;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;

import java.lang.foreign.MemorySegment;

/**
 * One HTTP connection: read, answer every complete request of the batch in order into one response
 * buffer, write it, then go on with what is buffered or read again. When every buffered request is
 * answered, the next read is armed while the answers are written; what it brings is taken up only
 * once they are sent, and nothing more is read until then. It reads into a small buffer of its
 * own and borrows the server's larger ones only while it needs them (see {@link HttpServer}); its
 * objects are reused by the next connection once every pending operation has completed.
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
    private final HttpLimits limits;
    /** The connection's own read buffer. */
    private final MemorySegment small;
    /** Where requests are read: {@link #small}, or a full request buffer borrowed from the server. */
    private MemorySegment in;
    /** The response buffer borrowed from the server while answers are written, else null. */
    private ResponseBuffer out;
    /** The last read filled all the room it had: more is likely waiting, read into a full buffer. */
    private boolean lastReadFilled;
    private final HttpResponse response;
    private final HttpExchange exchange;
    /** The request being parsed (a view of {@link #in}). */
    private final HttpRequest request;

    long handle;
    int index; // in the server's list of open connections
    int phase;
    long deadline;
    private long start, end;
    private boolean reading;
    private int writing;
    /** The two buffers of a head-and-body gather write, kept until it completes. */
    private final MemorySegment[] headAndBody = new MemorySegment[2];
    private boolean closeAfterWrite;
    private boolean closed;

    HttpConnection(HttpServer server, MemorySegment small) {
        this.server = server;
        this.io = server.io;
        this.limits = server.limits;
        this.small = small;
        this.in = small;
        this.response = new HttpResponse(server.date);
        this.exchange = new HttpExchange(limits, response, server.handler, server::handlerFailed, this::borrowResponseBuffer);
        this.request = exchange.request;
    }

    void open(long handle) {
        this.handle = handle;
        exchange.reset();
        start = end = 0;
        writing = 0;
        reading = false;
        closeAfterWrite = false;
        closed = false;
        lastReadFilled = false;
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
                lastReadFilled = end + n == in.byteSize();
                end += n;
                if (writing > 0) return; // the next request, read while answers go out: taken up when they are sent
                if (phase == IDLE) {
                    phase = HEAD;
                    deadline = System.nanoTime() + limits.headerTimeout().toNanos();
                }
                process();
            }
        } else if (e.operation() == Operation.WRITE) {
            writing--;
            headAndBody[0] = headAndBody[1] = null; // the body may be the caller's: hold it no longer
            if (closed) {
                release();
            } else if (e.result() < 0) {
                close();
            } else if (writing == 0) {
                returnResponseBuffer();
                if (closeAfterWrite) linger();
                else process();
            }
        }
    }

    /** Answers every complete request buffered, then writes the answers or reads more. */
    private void process() {
        while (start < end) {
            if (response.length() > 0 && response.free() < limits.responseBufferBytes() / 2) break; // flush first
            int r = exchange.next(in, start, end);
            if (r == HttpExchange.INCOMPLETE) break;
            if (r == HttpExchange.REFUSED) {
                closeAfterWrite = true;
                start = end;
                break;
            }
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

    private void flush() {
        phase = closeAfterWrite ? CLOSING : WRITING;
        deadline = System.nanoTime() + limits.idleTimeout().toNanos();
        MemorySegment body = response.direct();
        if (body != null) {
            // The heads and a large body in one gather write: nothing copied, one system call.
            writing++;
            if (response.length() > 0) {
                headAndBody[0] = out.first(response.length());
                headAndBody[1] = body;
                io.write(handle, headAndBody, this);
            } else {
                io.write(handle, body, this);
            }
        } else {
            if (response.length() > 0) {
                writing++;
                io.write(handle, out.first(response.length()), this);
            }
            if (!closeAfterWrite && !reading && start == end) {
                // Every request is answered and copied out: read the next one while the answers go
                // out, so that the loop waits once per request (see Kernel.await's quiet sends). Not
                // with a direct body, which may be a slice of the request buffer.
                start = end = 0;
                if (!lastReadFilled) useSmallBuffer();
                read();
            }
        }
    }

    private void borrowResponseBuffer() {
        if (out == null) {
            out = server.borrowResponseBuffer();
            response.use(out.memory);
        }
    }

    /** Every answer is sent: the response buffer goes back to the server. */
    private void returnResponseBuffer() {
        response.reset();
        if (out != null) {
            server.returnResponseBuffer(out);
            out = null;
            response.use(null);
        }
    }

    /** Reads go to the connection's own small buffer again; a borrowed one goes back (nothing is in it). */
    private void useSmallBuffer() {
        if (in != small) {
            server.returnRequestBuffer(in);
            in = small;
        }
    }

    /** A request that outgrows the small buffer (or a read that filled it) moves to a full request buffer. */
    private void useFullBuffer() {
        MemorySegment full = server.borrowRequestBuffer();
        MemorySegment.copy(in, 0, full, 0, end);
        in = full;
    }

    private void readMore() {
        long now = System.nanoTime();
        if (start == end) {
            start = end = 0;
            if (server.draining && writing == 0) { // stopping: no request in progress, so no next one
                close();
                return;
            }
            if (!lastReadFilled && !reading) useSmallBuffer(); // idle: hold no more than the small buffer
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
            if (end == in.byteSize() && in != small) { // cannot happen within the limits; refuse rather than stall
                borrowResponseBuffer();
                response.error(431);
                closeAfterWrite = true;
                flush();
                return;
            }
        }
        if (!reading) read(); // else armed while the last answers were written
    }

    /** After the last answer: shut the output down, drain the input until FIN or the linger time, close. */
    private void linger() {
        phase = LINGERING;
        deadline = System.nanoTime() + LINGER_NANOS;
        start = end = 0;
        if (!reading) useSmallBuffer(); // what still arrives is dropped
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
        if (in == small && (lastReadFilled || end > small.byteSize() / 2) && phase != LINGERING) useFullBuffer();
        reading = true;
        io.read(handle, end == 0 ? in : in.asSlice(end), this);
    }


    /** The server stops gracefully: a connection waiting for its next request closes now. */
    void closeIfIdle() {
        if (!closed && phase == IDLE && writing == 0 && start == end) close();
    }

    /** Called by the server's sweep when {@link #deadline} has passed. */
    void expired() {
        if (closed) return;
        if ((phase == HEAD || phase == BODY) && writing == 0) {
            response.reset();
            borrowResponseBuffer();
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
            returnResponseBuffer();
            useSmallBuffer();
            start = end = 0;
            server.recycle(this);
        }
    }
}
