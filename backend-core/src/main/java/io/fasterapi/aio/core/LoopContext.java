package io.fasterapi.aio.core;

import io.fasterapi.aio.Errno;
import io.fasterapi.aio.Operation;

import java.util.function.IntConsumer;

/**
 * What a {@link Driver} is handed by its {@link Loop}: the loop's tables and the ways to report
 * back. A driver completes operations, hands accepted sockets over, closes a handle whose
 * connect failed and says it was woken, all through here; it never reaches the loop itself.
 *
 * <p>This is also where the close protocol lives, since a driver may close a handle too: every
 * operation queued on it is cancelled, those behind one the kernel still owns wait for it, and a
 * CLOSE operation completes after all of them.
 */
public final class LoopContext {
    /** The loop's open sockets by slot. */
    public final Handles handles;
    /** The loop's operations by slot. */
    public final Operations ops;
    /** The loop's statistics (a driver counts kernel events and failed calls). */
    public final Counters counters;
    final HandleQueues queues;
    final Completions completions;
    final BufferPools pools;
    final int loopNumber;
    private final Observation observation;
    private Driver driver;
    private boolean woken;
    private final long[] waiting = new long[16];

    LoopContext(int loopNumber, Handles handles, Operations ops, Counters counters, Completions completions, BufferPools pools,
                Observation observation) {
        this.loopNumber = loopNumber;
        this.observation = observation;
        this.handles = handles;
        this.ops = ops;
        this.counters = counters;
        this.queues = new HandleQueues(handles, ops);
        this.completions = completions;
        this.pools = pools;
    }

    void attach(Driver d) {
        this.driver = d;
    }

    // ---- completing ---------------------------------------------------------------------------

    /** Records the result of {@code op} (already out of its handle's queue) and queues it for delivery. */
    public void complete(int op, long result) {
        completions.add(op, result);
    }

    /** Whether completions wait for delivery (a driver that completes before its wait must not then block). */
    public boolean hasCompletions() {
        return completions.any();
    }

    /** Removes and returns the head of {@code h}'s read queue (accepts and reads), or -1. */
    public int pollRead(int h) {
        return queues.pollRead(h);
    }

    /** Removes and returns the head of {@code h}'s write queue (connects and writes), or -1. */
    public int pollWrite(int h) {
        return queues.pollWrite(h);
    }

    /** Takes {@code op} out of the queue of {@code h} it heads ({@code read}: the read queue), if it does. */
    public void unqueue(int h, int op, boolean read) {
        if (read ? handles.readHead(h) == op : handles.writeHead(h) == op) {
            if (read) queues.pollRead(h); else queues.pollWrite(h);
        }
    }

    /**
     * Completes {@code op} (out of its queue), then every operation that was cancelled behind it
     * while the kernel owned it, with ECANCELED, and a CLOSE waiting at the end of the chain.
     */
    public void completeWithFollowers(int op, long result) {
        int follower = ops.after[op];
        ops.after[op] = -1;
        complete(op, result);
        while (follower >= 0) {
            if (ops.kind[follower] == Operation.CLOSE.ordinal()) {
                // A CLOSE waits at the end of both queues' chains: it completes after the last one.
                if (--ops.closeWaits[follower] == 0) complete(follower, 0);
                return;
            }
            int nextFollower = ops.after[follower];
            ops.after[follower] = -1;
            complete(follower, -Errno.ECANCELED.code());
            follower = nextFollower;
        }
    }

    // ---- receives into buffer pools ----------------------------------------------------------

    /** The pool with index {@code index}. */
    public BufferPool pool(int index) {
        return pools.get(index);
    }

    /**
     * Delivers a chunk of the multishot receive {@code op} (which stays pending): {@code length}
     * bytes in {@code bufferId}, now the user's. Returns false when no operation slot is left for
     * it (the caller then gives the buffer back and ends the receive with ENOBUFS).
     */
    public boolean chunk(int op, int bufferId, long length) {
        return pools.chunk(op, bufferId, length, 0, null);
    }

    /**
     * Delivers a datagram of the multishot receive {@code op}, as {@link #chunk}: {@code length}
     * bytes at {@code AsyncIo.POOL_DATAGRAM_OFFSET} of {@code bufferId}, with {@code flags}
     * ({@code IoEvent.TRUNCATED}) and its sender {@code from} (copied now: the holder may be reused).
     */
    public boolean datagram(int op, int bufferId, long length, int flags, io.fasterapi.aio.DatagramSender from) {
        return pools.chunk(op, bufferId, length, flags, from);
    }

    /** Receive {@code op} pauses until a buffer is released: tells the user ({@code -ENOBUFS}, MORE). */
    public void paused(int op) {
        pools.paused(op);
    }

    /**
     * After a release into {@code pool}: calls {@code resume} with the slot of each receive that
     * waited for a buffer and still heads its handle's read queue, oldest first, once each. One
     * that pauses again puts itself back on the list.
     */
    public void resumeWaiting(BufferPool pool, IntConsumer resume) {
        for (int left = pool.waitingCount(); left > 0; ) {
            int n = pool.takeWaiting(waiting, left);
            left -= n;
            for (int i = 0; i < n; i++) {
                int op = ops.slotOf(waiting[i]);
                if (op < 0 || !ops.isPending(op)) continue; // ended or cancelled meanwhile
                int h = handleOf(ops.handleIdOf(op));
                if (h >= 0 && handles.readHead(h) == op) resume.accept(op);
            }
        }
    }

    // ---- handles --------------------------------------------------------------------------------

    /** The slot of a handle id taken back from the kernel, or -1 when that handle has closed since. */
    public int handleOf(long id) {
        return Ids.loop(id) == loopNumber ? handles.lookup(id) : -1;
    }

    /** Accepted socket {@code fd}: gives it a handle and registers it; returns the handle's id, or a negated errno. */
    public long adopt(long fd) {
        int h = handles.allocate(Handles.KIND_STREAM, fd);
        if (h < 0) {
            closeFd(fd);
            return -Errno.EMFILE.code();
        }
        int r = driver.register(h);
        if (r < 0) {
            driver.closeDescriptor(h);
            handles.free(h);
            return r;
        }
        return handles.id(h);
    }

    /** The kernel's completion queue overflowed ({@code dropped} completions lost): shown as a JFR event. */
    public void completionQueueOverflow(long dropped) {
        observation.completionQueueOverflow(dropped);
    }

    /** Closes a descriptor that has no handle (or no longer has one), counting a failure. */
    public void closeFd(long fd) {
        if (driver.sockets().close(fd) < 0) counters.error();
    }

    /** Closes handle {@code h} from inside the driver (a failed connect): cancels its queues, closes it. */
    public void closeHandle(int h) {
        closeHandle(h, -1);
    }

    /** A listener's socket file and its identity (file key) when bind made it. */
    private record SocketFile(java.nio.file.Path path, Object key) {
    }

    /** The socket files of this loop's Unix domain listeners, by handle slot: removed at their close. */
    private final java.util.Map<Integer, SocketFile> socketFiles = new java.util.HashMap<>();

    /** Listener {@code h} made the socket file at {@code path}, which had {@code key}: it is removed when {@code h} closes. */
    void ownSocketFile(int h, java.nio.file.Path path, Object key) {
        socketFiles.put(h, new SocketFile(path, key));
    }

    private void removeSocketFile(int h) {
        SocketFile f = socketFiles.remove(h);
        if (f != null && !removeSocketFile(f.path(), f.key())) counters.error();
    }

    /**
     * The identity of the file at {@code path} (inode and device where the system has them), or
     * null when it cannot be read.
     */
    static Object fileKey(java.nio.file.Path path) {
        try {
            return java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (java.io.IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Removes the socket file at {@code path} if it is still the one bind made ({@code key}; with no
     * key, if a socket is there): a file put in its place since, or another process's socket, is not
     * ours. Returns false when the removal failed.
     */
    static boolean removeSocketFile(java.nio.file.Path path, Object key) {
        try {
            var attrs = java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            boolean ours = attrs.isOther() && (key == null || key.equals(attrs.fileKey()));
            if (ours) java.nio.file.Files.delete(path);
            return true;
        } catch (java.nio.file.NoSuchFileException gone) {
            return true; // removed by someone else already
        } catch (java.io.IOException | SecurityException e) {
            return false;
        }
    }

    /** Closes {@code h}; a CLOSE operation {@code closeOp} (or -1) completes after every cancelled one. */
    void closeHandle(int h, int closeOp) {
        int readChain = cancelQueue(h, true);
        int writeChain = cancelQueue(h, false);
        driver.closeDescriptor(h);
        handles.free(h);
        if (!socketFiles.isEmpty()) removeSocketFile(h);
        counters.add(Counters.CLOSES, 1);
        if (closeOp < 0) return;
        int waits = (readChain >= 0 ? 1 : 0) + (writeChain >= 0 ? 1 : 0);
        if (waits == 0) {
            complete(closeOp, 0);
            return;
        }
        ops.closeWaits[closeOp] = waits;
        if (readChain >= 0) ops.after[readChain] = closeOp;
        if (writeChain >= 0) ops.after[writeChain] = closeOp;
    }

    /**
     * Cancels every operation queued on {@code h}. When the head is still in the kernel, the ones
     * behind it wait for its completion ({@link #completeWithFollowers}), so they complete in order
     * and no buffer is released while the kernel may still write it. Returns the chain's last, or -1.
     */
    private int cancelQueue(int h, boolean readQueue) {
        int inKernel = -1;
        int last = -1;
        int op;
        while ((op = readQueue ? queues.pollRead(h) : queues.pollWrite(h)) >= 0) {
            if (inKernel < 0 && driver.cancel(op, true)) {
                inKernel = last = op;
            } else if (inKernel >= 0) {
                ops.after[last] = op;
                last = op;
            } else {
                complete(op, -Errno.ECANCELED.code());
            }
        }
        return last;
    }

    // ---- wake-ups -----------------------------------------------------------------------------

    /** The driver consumed a wake-up ({@code AsyncIo.wake}) during its wait. */
    public void woken() {
        woken = true;
    }

    /** Whether a wake-up was consumed since the last call; clears it. */
    boolean takeWoken() {
        boolean w = woken;
        woken = false;
        return w;
    }
}
