package io.fasterapi.aio.core;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * Accepting on a completion kernel. A listener's ACCEPT operations never enter the kernel
 * themselves: while any is queued, one accept request of the listener's own (an "arm", in an
 * operation slot no user sees) is. Each connection it reports goes to the oldest queued ACCEPT,
 * or waits in the listener's backlog for the next one. So cancelling an ACCEPT is immediate and
 * never loses a connection the kernel had already accepted, and io_uring's multishot accept (one
 * request, a completion per connection) and IOCP's AcceptEx (one request per connection) are the
 * same thing here.
 */
final class Acceptors {
    /** Engine flag of an arm's slot. */
    static final int ARM = 16;
    /** Connections the kernel may accept ahead of the user before the arm is stopped. */
    private static final int BACKLOG_LIMIT = 256;

    /** One listener's arm and backlog. */
    private static final class Listener {
        int arm = -1;
        boolean stopping;
        final ArrayDeque<Long> backlog = new ArrayDeque<>();
    }

    private final LoopContext ctx;
    private final Handles handles;
    private final Operations ops;
    private final Kernel kernel;
    /** By listener handle slot (no boxing on the accept path); null where no accept was asked yet. */
    private Listener[] listeners = new Listener[16];

    Acceptors(LoopContext ctx, Kernel kernel) {
        this.ctx = ctx;
        this.handles = ctx.handles;
        this.ops = ctx.ops;
        this.kernel = kernel;
    }

    /** Hands backlog connections to queued accepts of listener {@code h}; arms it when more are wanted. */
    void serve(int h) {
        if (h >= listeners.length) listeners = Arrays.copyOf(listeners, Math.max(h + 1, listeners.length * 2));
        Listener l = listeners[h];
        if (l == null) listeners[h] = l = new Listener();
        while (!l.backlog.isEmpty() && handles.readHead(h) >= 0) {
            ctx.complete(ctx.pollRead(h), ctx.adopt(l.backlog.poll()));
        }
        while (handles.readHead(h) >= 0 && l.arm < 0) {
            int arm = ops.allocate(Operation.ACCEPT, h, null, 0);
            if (arm < 0) { // no slot for the arm: the accept waiting for it fails as a submission would
                ctx.complete(ctx.pollRead(h), -Errno.ENOBUFS.code());
                continue;
            }
            ops.handleId[arm] = handles.id(h);
            int r = kernel.accept(arm, ops.id(arm), h, handles.fd(h));
            if (r < 0) {
                ops.free(arm);
                ctx.complete(ctx.pollRead(h), r);
                continue;
            }
            ops.setEngineFlags(arm, ARM | CompletionEngine.IN_KERNEL);
            l.arm = arm;
        }
    }

    /** The arm {@code arm} reported a connection or an error; {@code more}: it stays in the kernel. */
    void completed(int arm, long result, boolean more) {
        long listenerId = ops.handleIdOf(arm);
        if (!more) ops.free(arm); // never delivered: the slot is free once the kernel let it go
        int h = ctx.handleOf(listenerId);
        if (h < 0) { // the listener closed while its arm was in the kernel
            if (result >= 0) ctx.closeFd(result);
            return;
        }
        Listener l = listeners[h];
        if (!more) {
            l.arm = -1;
            l.stopping = false;
        }
        if (result >= 0) {
            if (handles.readHead(h) >= 0) {
                ctx.complete(ctx.pollRead(h), ctx.adopt(result));
            } else {
                l.backlog.add(result);
                if (l.backlog.size() >= BACKLOG_LIMIT && more && !l.stopping) {
                    kernel.cancel(arm, ops.id(arm)); // the user is not accepting: stop taking more
                    l.stopping = true;
                }
            }
        } else if (result != -Errno.ECANCELED.code() && result != -Errno.EAGAIN.code() && handles.readHead(h) >= 0) {
            ctx.complete(ctx.pollRead(h), result); // EAGAIN: the kernel asks to be armed again
        }
        if (!more && handles.readHead(h) >= 0) serve(h);
    }

    int backlog() {
        return Arrays.stream(listeners).filter(Objects::nonNull).mapToInt(l -> l.backlog.size()).sum();
    }

    /** Listener {@code h} closes: its arm is cancelled, its backlog closed. */
    void closing(int h) {
        Listener l = h < listeners.length ? listeners[h] : null;
        if (l == null) return;
        listeners[h] = null;
        if (l.arm >= 0 && !l.stopping) kernel.cancel(l.arm, ops.id(l.arm));
        for (Long fd : l.backlog) ctx.closeFd(fd);
    }
}
