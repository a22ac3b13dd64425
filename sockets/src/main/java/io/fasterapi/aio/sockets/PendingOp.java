package io.fasterapi.aio.sockets;

import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.Errno;
import io.fasterapi.aio.IoEvent;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * One blocking operation of a socket, reused for each of its calls (a socket has one reader and one
 * writer at a time): the calling thread hands it to the socket's loop ({@link #run} submits it
 * there), then parks; the completion on the loop stores the result and unparks it. A virtual
 * thread parks without holding its carrier; a platform thread simply blocks.
 *
 * <p>Whatever happens to the waiting thread (timeout, interrupt), it returns only after the
 * completion came: the kernel may write into the buffer until then.
 */
final class PendingOp implements Runnable, CompletionHandler {
    static final int READ = 0;
    static final int WRITE = 1;
    static final int GATHER = 2;
    static final int CONNECT = 3;
    /** A write the caller does not wait for (a copy of its bytes): see {@code AioSocket.post}. */
    static final int POSTED = 4;

    private final AioSocket socket;
    private int kind;
    private MemorySegment segment;
    private MemorySegment[] gather;
    private java.net.SocketAddress remote;
    /** The operation id on the loop (written and read there only: a cancel runs there too). */
    private long id;
    private volatile Thread waiter;
    private volatile boolean done;
    private long result;
    /** How the last {@link #await} ended besides the result. */
    boolean timedOut, interrupted;

    PendingOp(AioSocket socket) {
        this.socket = socket;
    }

    /** Starts operation {@code kind} on the socket's loop; false when the loop has closed. */
    boolean start(int kind, MemorySegment segment, MemorySegment[] gather, java.net.SocketAddress remote) {
        this.kind = kind;
        this.segment = segment;
        this.gather = gather;
        this.remote = remote;
        this.done = false;
        this.waiter = null; // set by await: a posted write's completion must not wake its writer, parked elsewhere by then
        return socket.lane.execute(this);
    }

    /** On the loop: submits the operation. */
    @Override
    public void run() {
        var io = socket.lane.io;
        try {
            switch (kind) {
                case READ -> id = io.read(socket.handle, segment, this, 0);
                case WRITE -> id = io.write(socket.handle, segment, this, 0);
                case POSTED -> id = io.write(socket.handle, segment, this, 0);
                case GATHER -> id = io.write(socket.handle, gather, this, 0);
                case CONNECT -> {
                    socket.handle = remote instanceof java.net.UnixDomainSocketAddress u ? io.connect(u, this)
                            : io.connect((java.net.InetSocketAddress) remote, this);
                    id = 0;
                }
                default -> throw new IllegalStateException("kind " + kind);
            }
        } catch (io.fasterapi.aio.AsyncIoException e) { // refused at once by the system (a connect's socket...)
            socket.failure = e;
            ended(-e.errno());
        } catch (IllegalStateException closed) { // the loop closed meanwhile
            ended(-Errno.ECANCELED.code());
        } catch (RuntimeException e) { // an address of no family the system has...
            socket.failure = e;
            ended(-Errno.EINVAL.code());
        }
    }

    @Override
    public void completed(IoEvent e) {
        ended(e.result());
    }

    /** On the loop: the operation ended with {@code r} (a posted write's block goes back first). */
    private void ended(long r) {
        if (kind == POSTED) socket.postedCompleted();
        finish(r);
    }

    private void finish(long r) {
        segment = null;
        gather = null;
        result = r;
        done = true;
        Thread w = waiter; // (await writes it before it reads done: one of the two sees the other)
        if (w != null) LockSupport.unpark(w);
    }

    /**
     * Waits for the completion and returns its result. After {@code timeoutNanos} (0: none) it asks
     * the loop to cancel the operation ({@link #timedOut}); an interrupt closes the socket
     * ({@link #interrupted}, and the thread's interrupt status is set again). Either way it goes on
     * waiting until the completion came, which a cancel or close brings soon; a cancel that came too
     * late delivers what the kernel did, so no byte is lost.
     */
    long await(long timeoutNanos) {
        waiter = Thread.currentThread(); // (a posted write is waited for by whoever writes next) before done is read
        timedOut = false;
        interrupted = false;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        boolean asked = false;
        while (!done) {
            if (Thread.interrupted()) {
                if (!interrupted) socket.closeQuietly(); // (also after a timeout's cancel: the socket closes)
                interrupted = true;
                asked = true;
                continue;
            }
            if (deadline != 0 && !asked) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    asked = true;
                    timedOut = true;
                    cancel();
                    continue;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return result;
    }

    /** Asks the loop to cancel the operation (a connect: to close its socket, the only way to stop one). */
    private void cancel() {
        var io = socket.lane.io;
        boolean handed = socket.lane.execute(kind == CONNECT ? () -> {
            if (!done && socket.handle != 0) io.close(socket.handle); // (done is written on this thread: exact)
        } : () -> io.cancel(id));
        if (!handed) socket.closeQuietly(); // the loop closed: the group's close completes every operation
    }
}
