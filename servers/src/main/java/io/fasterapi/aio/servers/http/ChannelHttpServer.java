package io.fasterapi.aio.servers.http;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * HTTP/1.1 in blocking style, a thread (a virtual thread) per connection: {@link #serve} answers the
 * requests of one {@link ByteChannel} until the client closes it or asks to. The parser, the
 * handler contract, the limits and the error answers are {@link HttpServer}'s; the channel may be
 * a blocking socket of {@code io.fasterapi.aio.sockets} (any backend) or the JDK's own
 * {@code SocketChannel}, so both run the same HTTP code.
 *
 * <p>Each connection gets its own handler from the supplier (handlers need not be thread-safe;
 * what they share must be). A connection reads into 2 KiB of its own, grown up to the largest
 * request the limits allow while a request needs it; response buffers are lent from a shared pool
 * while answers are written. Requests pipelined in one read are answered together, in order, in
 * one write. Timeouts are the channel's (for example {@code AioSocket.setReadTimeout}: set it to
 * the limits' {@code idleTimeout}); the limits' timeouts are not applied here. After a last answer
 * ({@code Connection: close}, or an error) the channel is closed at once, without the lingering
 * close of {@link HttpServer} (a client that sent more than was read may see a reset).
 */
public final class ChannelHttpServer {
    private static final int FIRST_BUFFER = 2048;

    private final Supplier<? extends HttpHandler> handlers;
    private final HttpLimits limits;
    private final Consumer<Throwable> handlerErrors;
    private final ConcurrentLinkedQueue<byte[]> responseBuffers = new ConcurrentLinkedQueue<>();
    private final LongAdder requests = new LongAdder();
    private final HttpDate date = new HttpDate(System.currentTimeMillis());

    /**
     * @param handlers      a handler for each connection
     * @param limits        the limits of {@link HttpServer}
     * @param handlerErrors hears what a handler threw (answered {@code 500}); null: nobody
     */
    public ChannelHttpServer(Supplier<? extends HttpHandler> handlers, HttpLimits limits, Consumer<Throwable> handlerErrors) {
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.handlerErrors = handlerErrors != null ? handlerErrors : t -> { };
    }

    /** Requests answered so far, over every connection. */
    public long requests() {
        return requests.sum();
    }

    /**
     * Answers the requests of {@code channel} until end of stream or a last answer, then closes it.
     *
     * @throws IOException what the channel throws (a reset, a timeout...); the channel is closed
     */
    public void serve(ByteChannel channel) throws IOException {
        try (channel) {
            new Connection(channel).run();
        }
    }

    private final class Connection {
        final ByteChannel channel;
        final HttpHandler handler = handlers.get();
        final HttpResponse response = new HttpResponse(date);
        final HttpExchange exchange = new HttpExchange(limits, response, handler, handlerErrors, this::borrow);
        byte[] in = new byte[FIRST_BUFFER];
        MemorySegment inSegment = MemorySegment.ofArray(in);
        int start, end;
        byte[] out;


        Connection(ByteChannel channel) {
            this.channel = channel;
        }

        void run() throws IOException {
            while (true) {
                boolean last = answerBuffered();
                if (last) return;
                if (!readMore()) return;
            }
        }

        /** Answers every complete request buffered, and writes the answers; true after a last one. */
        private boolean answerBuffered() throws IOException {
            boolean last = false;
            date.refresh(System.currentTimeMillis());
            while (start < end) {
                int r = exchange.next(inSegment, start, end);
                if (r == HttpExchange.INCOMPLETE) break;
                if (r == HttpExchange.REFUSED) {
                    last = true;
                    start = end;
                    break;
                }
                start += r;
                requests.increment();
                if (!response.keepAlive()) {
                    last = true;
                    break;
                }
                if (response.direct() != null || response.free() < out.length / 2) flush();
            }
            flush();
            return last;
        }

        /** Reads more of a request; false at end of stream. Makes room first (compacts, or grows up to the limits). */
        private boolean readMore() throws IOException {
            if (start == end) {
                start = end = 0;
                if (in.length > FIRST_BUFFER) { // idle again: hold no more than the first buffer
                    in = new byte[FIRST_BUFFER];
                    inSegment = MemorySegment.ofArray(in);
                }
            } else if (start > 0) {
                System.arraycopy(in, start, in, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == in.length) {
                int most = limits.maxHeaderBytes() + limits.maxBodyBytes();
                if (in.length >= most) { // cannot happen within the limits; refuse rather than stall
                    borrow();
                    response.error(431);
                    flush();
                    return false;
                }
                in = java.util.Arrays.copyOf(in, Math.min(most, in.length * 2));
                inSegment = MemorySegment.ofArray(in);
            }
            int n = channel.read(ByteBuffer.wrap(in, end, in.length - end));
            if (n < 0) return false;
            end += n;
            return true;
        }

        /** A response buffer from the shared pool, unless one is lent already. */
        private void borrow() {
            if (out != null) return;
            out = responseBuffers.poll();
            if (out == null) out = new byte[limits.responseBufferBytes()];
            response.use(MemorySegment.ofArray(out));
        }

        /** Writes the answers in the buffer (and a large body given as a segment), then gives the buffer back. */
        private void flush() throws IOException {
            if (out == null) return;
            MemorySegment body = response.direct();
            ByteBuffer head = ByteBuffer.wrap(out, 0, response.length());
            if (body != null && channel instanceof GatheringByteChannel g) {
                ByteBuffer[] both = {head, body.asByteBuffer()};
                while (both[1].hasRemaining()) g.write(both);
            } else {
                while (head.hasRemaining()) channel.write(head);
                if (body != null) for (ByteBuffer b = body.asByteBuffer(); b.hasRemaining(); ) channel.write(b);
            }
            response.reset();
            response.use(null);
            responseBuffers.add(out);
            out = null;
        }
    }
}
