package io.fasterapi.aio.sockets;

import io.fasterapi.aio.AsyncIoException;
import io.fasterapi.aio.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connected TCP or Unix domain stream socket with blocking calls, on one loop of an
 * {@link AioSockets} group. It is a {@link ByteChannel} and a {@link GatheringByteChannel}, and has
 * {@link #getInputStream()} and {@link #getOutputStream()}, so code written for the JDK's
 * {@code SocketChannel} or {@code Socket} uses it unchanged.
 *
 * <h2>Blocking</h2>
 * A call hands its operation to the socket's loop and waits for the completion. On a virtual thread
 * the wait parks the virtual thread, never its carrier; on a platform thread it blocks. Calls
 * from one of the group's loop threads are refused ({@link IllegalStateException}): they would
 * stop the loop they wait for. One reader and one writer may block at a time; further ones wait
 * their turn, as with {@code SocketChannel}.
 *
 * <h2>As the JDK's sockets do</h2>
 * <ul>
 *   <li>{@link #read} returns at least one byte, or -1 at the peer's orderly close; {@link #write}
 *       writes every byte before it returns.</li>
 *   <li>Read timeout ({@link #setReadTimeout}, for the channel's reads and the stream's): the read
 *       throws {@link SocketTimeoutException} and the socket stays usable. The operation is
 *       cancelled first, and nothing is lost: bytes the kernel had already received are returned,
 *       not dropped.</li>
 *   <li>{@link Thread#interrupt()} of a thread blocked here (or calling in with its interrupt
 *       status set) closes the socket and throws {@link ClosedByInterruptException}, with the
 *       thread's interrupt status set, as {@code SocketChannel} does.</li>
 *   <li>{@link #close()} from another thread makes blocked calls throw
 *       {@link AsynchronousCloseException}; calls after it throw {@link ClosedChannelException}.</li>
 *   <li>Errors are the JDK's: {@code ConnectException}, {@code SocketException} ("connection reset
 *       by peer (ECONNRESET)"...).</li>
 * </ul>
 *
 * <h2>Memory</h2>
 * A direct {@link ByteBuffer} or a native {@link MemorySegment} that the loop's thread may use (from
 * a global, shared or automatic arena) is handed to the kernel as it is, with no copy, and stays in
 * use until the call returns. Other memory (a heap buffer, or an arena confined to the calling
 * thread) goes through a block of the group's native memory, taken for the one operation and
 * given back after it: a block of 1 KiB up to 64 KiB (a larger transfer takes several
 * operations). A read's block follows what reads bring (it doubles while they fill it, halves when
 * they bring little), so an idle connection blocked in a read holds 1 KiB whatever its buffer.
 */
public final class AioSocket implements ByteChannel, GatheringByteChannel {
    final Lane lane;
    private final AioSockets group;
    /** The loop's handle (set on the loop by a connect, or at an accept). */
    volatile long handle;
    /** A connect refused at once, before any completion. */
    volatile RuntimeException failure;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final PendingOp reader = new PendingOp(this);
    private final PendingOp writer = new PendingOp(this);
    /** The posted write (see {@link #post}); at most one is out. */
    private final PendingOp poster = new PendingOp(this);
    /** Whether a posted write was started and not yet waited for (the writer's state, under the write lock). */
    private boolean posted;
    /** The native block of the posted write (written by the writer before the loop sees the write; given back on the loop when it completes). */
    private MemorySegment postedBlock;
    /** How long {@link #close()} waits for a posted write to be taken by the kernel. */
    private static final long CLOSE_LINGER_NANOS = 10_000_000_000L;
    private volatile long readTimeoutNanos;
    /** The size of the native block the next read of heap memory takes (reader's state, under the read lock). */
    private int readBlock = NativeBuffers.MIN;
    private InputStream in;
    private OutputStream out;

    AioSocket(AioSockets group, Lane lane, long handle) {
        this.group = group;
        this.lane = lane;
        this.handle = handle;
    }

    /** Opens a socket on {@code lane} and connects it; blocks until connected (or {@code timeoutNanos}, 0: none). */
    static AioSocket connect(AioSockets group, Lane lane, SocketAddress remote, long timeoutNanos) throws IOException {
        lane.checkNotLoopThread();
        AioSocket s = new AioSocket(group, lane, 0);
        PendingOp op = s.writer;
        if (!op.start(PendingOp.CONNECT, null, null, remote)) throw new ClosedChannelException();
        long r = op.await(timeoutNanos);
        if (op.interrupted) {
            s.closeQuietly();
            throw new ClosedByInterruptException();
        }
        if (r < 0) {
            s.closeQuietly(); // the loop closed it already; this marks it closed here
            if (s.failure != null) throw new IOException("connect " + remote + ": " + s.failure.getMessage(), s.failure);
            if (op.timedOut && r == -Errno.ECANCELED.code()) throw new SocketTimeoutException("connect " + remote + " timed out");
            throw IoErrors.connect(r, "connect " + remote);
        }
        return s;
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * Reads at least one byte into {@code dst} (at most its remaining space), blocking until some
     * arrived; -1 at end of stream. A {@code dst} with no space returns 0 at once.
     *
     * @throws SocketTimeoutException     when the read timeout passed with nothing received
     * @throws ClosedByInterruptException when the thread was interrupted (the socket is closed)
     * @throws AsynchronousCloseException when another thread closed the socket meanwhile
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) throw new IllegalArgumentException("read-only buffer");
        int n;
        if (dst.hasArray()) { // (no segment over the array: it would cost an object or two per read)
            begin(readLock);
            try {
                n = dst.hasRemaining() ? readBounced(null, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining()) : 0;
            } finally {
                readLock.unlock();
            }
        } else {
            n = read(MemorySegment.ofBuffer(dst));
        }
        if (n > 0) dst.position(dst.position() + n);
        return n;
    }

    /**
     * Reads at least one byte into {@code dst}, blocking until some arrived; -1 at end of stream.
     * As {@link #read(ByteBuffer)}. Native memory the loop's thread may use (a global, shared or
     * automatic arena's) is handed to the kernel as it is; other memory (heap, or an arena confined
     * to this thread) goes through a native block.
     */
    public int read(MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) throw new IllegalArgumentException("read into read-only memory");
        begin(readLock);
        try {
            long space = Math.min(dst.byteSize(), Integer.MAX_VALUE);
            if (space == 0) return 0;
            if (lane.canUse(dst)) return (int) transfer(reader, PendingOp.READ, dst.asSlice(0, space), null, "read");
            return readBounced(dst, null, 0, (int) space);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * A read through a native block, copied into {@code dst} or into {@code array} from
     * {@code offset}; at most {@code space} bytes. The block a blocked read holds follows what reads
     * bring: it doubles while they fill it, and halves when they bring little, so an idle
     * connection holds 1 KiB.
     */
    private int readBounced(MemorySegment dst, byte[] array, int offset, int space) throws IOException {
        MemorySegment block = group.buffers.take(Math.min(NativeBuffers.sizeFor(space), readBlock));
        try {
            long room = Math.min(space, block.byteSize());
            long n = transfer(reader, PendingOp.READ, room == block.byteSize() ? block : block.asSlice(0, room), null, "read");
            if (n > 0) {
                if (array != null) MemorySegment.copy(block, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, array, offset, (int) n);
                else MemorySegment.copy(block, 0, dst, 0, n);
            }
            if (n == block.byteSize() && readBlock < NativeBuffers.MAX) readBlock *= 2;
            else if (n >= 0 && n < readBlock / 4 && readBlock > NativeBuffers.MIN) readBlock /= 2;
            return (int) n;
        } finally {
            group.buffers.give(block);
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Writes every remaining byte of {@code src}; returns their number. It blocks until the kernel
     * took them, except for copied bytes (a heap buffer, up to 64 KiB), which return once handed to
     * the loop (see the class comment).
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        int n = src.remaining();
        if (!src.hasArray() || n > NativeBuffers.MAX || n == 0) return (int) write(new ByteBuffer[] {src}, 0, 1);
        begin(writeLock); // the common case (a heap buffer of a request's answer): posted from the array
        try {
            awaitPosted();
            MemorySegment block = group.buffers.take(NativeBuffers.sizeFor(n));
            MemorySegment.copy(src.array(), src.arrayOffset() + src.position(), block, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
            post(block, n);
            src.position(src.limit());
            return n;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes every byte of {@code src} (memory as {@link #read(MemorySegment)} takes it); returns their number. */
    public long write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        return write(new MemorySegment[] {src});
    }

    /** Gather write: every byte of every segment, in order; one operation when the loop can use them all as they are. */
    public long write(MemorySegment... srcs) throws IOException {
        Objects.requireNonNull(srcs, "srcs");
        for (int i = 0; i < srcs.length; i++) Objects.requireNonNull(srcs[i], "srcs[" + i + "]");
        begin(writeLock);
        try {
            return writeAll(srcs, new long[1]);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes every remaining byte of {@code srcs[offset..offset+length)}, in order; their positions
     * move by the bytes written (to their limits on success).
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        MemorySegment[] views = new MemorySegment[length];
        for (int i = 0; i < length; i++) views[i] = MemorySegment.ofBuffer(Objects.requireNonNull(srcs[offset + i], "srcs[" + (offset + i) + "]"));
        begin(writeLock);
        long[] sent = new long[1];
        try {
            return writeAll(views, sent);
        } finally {
            writeLock.unlock();
            for (int i = offset, left = (int) Math.min(sent[0], Integer.MAX_VALUE); i < offset + length && left > 0; i++) {
                int n = Math.min(srcs[i].remaining(), left);
                srcs[i].position(srcs[i].position() + n);
                left -= n;
            }
        }
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /**
     * Sends every byte of {@code srcs}, counting what went out in {@code sent[0]} (also when it
     * throws). Memory the loop can use goes out as it is, in one operation; else it is copied
     * into a native block, coalesced, a block (up to 64 KiB) per operation.
     */
    private long writeAll(MemorySegment[] srcs, long[] sent) throws IOException {
        long total = 0;
        boolean asIs = true;
        for (MemorySegment m : srcs) {
            total += m.byteSize();
            asIs &= m.byteSize() == 0 || lane.canUse(m); // (an empty head is no reason to copy a body)
        }
        if (total == 0) return 0;
        awaitPosted();
        if (!asIs && total <= NativeBuffers.MAX) return post(srcs, total, sent);
        if (asIs) {
            long n = srcs.length == 1 ? transfer(writer, PendingOp.WRITE, srcs[0], null, "write")
                    : transfer(writer, PendingOp.GATHER, null, srcs, "write");
            sent[0] = n;
            return n;
        }
        MemorySegment block = group.buffers.take(NativeBuffers.sizeFor(total));
        try {
            int i = 0;
            long inFirst = 0; // bytes of srcs[i] already sent
            while (sent[0] < total) {
                int filled = 0;
                for (int at = i; at < srcs.length && filled < block.byteSize(); at++) {
                    long skip = at == i ? inFirst : 0;
                    int n = (int) Math.min(srcs[at].byteSize() - skip, block.byteSize() - filled);
                    MemorySegment.copy(srcs[at], skip, block, filled, n);
                    filled += n;
                }
                transfer(writer, PendingOp.WRITE, block.asSlice(0, filled), null, "write");
                sent[0] += filled;
                for (long left = filled; left > 0; ) { // past what the block held
                    long n = Math.min(srcs[i].byteSize() - inFirst, left);
                    left -= n;
                    inFirst += n;
                    if (inFirst == srcs[i].byteSize()) {
                        i++;
                        inFirst = 0;
                    }
                }
            }
            return total;
        } finally {
            group.buffers.give(block);
        }
    }

    /**
     * A write of copied bytes that the caller does not wait for: the bytes go into a native block,
     * the write is handed to the loop, and the call returns, as the JDK's returns once the kernel
     * has the bytes. It saves the writer a park and a wake-up per write (a request-response server
     * then waits once per request, in its read). The next write, {@link #shutdownOutput} and
     * {@link #close} wait for it first; its failure (a reset, a broken pipe) is thrown by the next
     * write, as a kernel's would be.
     */
    private long post(MemorySegment[] srcs, long total, long[] sent) throws IOException {
        MemorySegment block = group.buffers.take(NativeBuffers.sizeFor(total));
        long at = 0;
        for (MemorySegment m : srcs) {
            MemorySegment.copy(m, 0, block, at, m.byteSize());
            at += m.byteSize();
        }
        post(block, total);
        sent[0] = total;
        return total;
    }

    /** Hands the first {@code length} bytes of {@code block} to the loop as the posted write; the block goes back when it is done. */
    private void post(MemorySegment block, long length) throws IOException {
        postedBlock = block;
        if (!poster.start(PendingOp.POSTED, length == block.byteSize() ? block : block.asSlice(0, length), null, null)) {
            postedBlock = null;
            group.buffers.give(block);
            closeQuietly();
            throw new AsynchronousCloseException(); // the group closed
        }
        posted = true;
    }

    /** Waits for the posted write (if one is out) and throws its failure. */
    private void awaitPosted() throws IOException {
        if (!posted) return;
        posted = false;
        long r = poster.await(0);
        if (poster.interrupted) throw new ClosedByInterruptException();
        if (r < 0) {
            if (closed.get()) throw new AsynchronousCloseException();
            throw IoErrors.of(r, "write");
        }
    }

    /**
     * Loop thread: the posted write has completed (or could not start): its block goes back at
     * once, so a connection idle after its answer holds no write block.
     */
    void postedCompleted() {
        MemorySegment b = postedBlock;
        postedBlock = null;
        if (b != null) group.buffers.give(b);
    }

    /** Shuts down the sending side: the peer reads end of stream; reads here go on. */
    public void shutdownOutput() throws IOException {
        begin(writeLock);
        try {
            awaitPosted(); // the FIN goes after the data (and no write slips in between: the lock is held)
            lane.call(() -> {
                lane.io.shutdownOutput(handle);
                return null;
            });
        } catch (AsyncIoException e) {
            throw IoErrors.of(-e.errno(), "shutdownOutput");
        } finally {
            writeLock.unlock();
        }
    }

    // ---- the operation -----------------------------------------------------------------------

    /** Runs one operation and turns its end into the result or the JDK's exception. */
    private long transfer(PendingOp op, int kind, MemorySegment segment, MemorySegment[] gather, String what) throws IOException {
        if (!op.start(kind, segment, gather, null)) {
            closeQuietly();
            throw new AsynchronousCloseException(); // the group closed
        }
        long r = op.await(kind == PendingOp.READ ? readTimeoutNanos : 0);
        if (op.interrupted) throw new ClosedByInterruptException();
        if (r >= 0) return kind == PendingOp.READ && r == 0 ? -1 : r;
        if (closed.get()) throw new AsynchronousCloseException();
        if (r == -Errno.ECANCELED.code()) {
            if (op.timedOut) throw new SocketTimeoutException(what + " timed out");
            closeQuietly();
            throw new AsynchronousCloseException(); // the group closed: its loops cancelled everything
        }
        throw IoErrors.of(r, what);
    }

    /** Takes {@code lock} (waits its turn), after the checks every call makes first. */
    private void begin(ReentrantLock lock) throws IOException {
        lane.checkNotLoopThread();
        if (Thread.currentThread().isInterrupted()) { // as SocketChannel: an interrupted caller closes the channel
            closeQuietly();
            throw new ClosedByInterruptException();
        }
        ensureOpen();
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            closeQuietly();
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        }
        if (closed.get()) {
            lock.unlock();
            throw new ClosedChannelException();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed.get()) throw new ClosedChannelException();
    }

    // ---- options and addresses ----------------------------------------------------------------

    /**
     * The read timeout (zero: none): a read that receives nothing for this long throws
     * {@link SocketTimeoutException}, and the socket stays usable.
     */
    public void setReadTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout: " + timeout);
        readTimeoutNanos = timeout.toNanos();
    }

    public Duration readTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    /** Sets a socket option (the loop's {@code setOption} table: TCP_NODELAY, SO_KEEPALIVE, buffers, SO_LINGER...). */
    public <T> AioSocket setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen();
        try {
            lane.call(() -> {
                lane.io.setOption(handle, option, value);
                return null;
            });
        } catch (AsyncIoException e) {
            throw IoErrors.of(-e.errno(), "setOption " + option.name());
        }
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen();
        try {
            return lane.call(() -> lane.io.getOption(handle, option));
        } catch (AsyncIoException e) {
            throw IoErrors.of(-e.errno(), "getOption " + option.name());
        }
    }

    /** The local address: an {@code InetSocketAddress}, or a {@code UnixDomainSocketAddress}. */
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return lane.call(() -> lane.io.localSocketAddress(handle));
    }

    /** The peer's address. */
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return lane.call(() -> lane.io.remoteSocketAddress(handle));
    }

    /** The loop this socket runs on (0-based, in the group). */
    public int loopIndex() {
        return lane.index;
    }

    // ---- streams ------------------------------------------------------------------------------

    /** A stream over {@link #read(ByteBuffer)}: the read timeout applies; closing it closes the socket. */
    public synchronized InputStream getInputStream() {
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    return len == 0 ? 0 : AioSocket.this.read(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public void close() throws IOException {
                    AioSocket.this.close();
                }
            };
        }
        return in;
    }

    /** A stream over {@link #write(ByteBuffer)}, unbuffered (wrap it for small writes); closing it closes the socket. */
    public synchronized OutputStream getOutputStream() {
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    AioSocket.this.write(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public void close() throws IOException {
                    AioSocket.this.close();
                }
            };
        }
        return out;
    }

    // ---- closing ------------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the socket: calls blocked in it throw {@link AsynchronousCloseException}, later ones
     * {@link ClosedChannelException}. The descriptor is closed on the loop, right after. A write
     * that returned before the kernel took its bytes (a copied one) is waited for first, up to 10
     * s, unless another thread is writing: the bytes written before a close reach the peer, as
     * with the JDK's sockets. Idempotent; any thread.
     */
    @Override
    public void close() {
        if (!closed.get() && !group.isLoopThread() && writeLock.tryLock()) {
            try {
                if (posted) {
                    posted = false;
                    poster.await(CLOSE_LINGER_NANOS); // (its failure no longer matters)
                }
            } finally {
                writeLock.unlock();
            }
        }
        closeQuietly();
    }

    void closeQuietly() {
        if (!closed.compareAndSet(false, true)) return;
        lane.execute(() -> {
            long h = handle;
            if (h != 0) lane.io.close(h);
        }); // a closed loop has closed every handle already
    }

    @Override
    public String toString() {
        return "AioSocket[loop " + lane.index + (closed.get() ? ", closed" : "") + "]";
    }
}
