package example.echo;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.CompletionHandler;
import io.fasterapi.aio.IoEvent;
import io.fasterapi.aio.Operation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

public final class EchoServer {
    public static void main(String[] args) {
        try (AsyncIo io = AsyncIo.create()) {                     // the best backend here: io_uring, epoll...
            long listener = io.listen(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
            System.out.println("echo on " + io.localAddress(listener) + " with " + io.backend());
            io.accept(listener, new CompletionHandler() {
                @Override public void completed(IoEvent accepted) {
                    if (accepted.failed()) return;                // the loop is closing
                    io.accept(listener, this);                    // take the next connection too
                    new Connection(io, accepted.result(), Arena.ofAuto().allocate(16 * 1024)).read();
                }
            });
            io.run();                                             // handlers run here, on this thread
        }
    }

    /** Reads, writes back what it read, reads again... until the peer closes. */
    record Connection(AsyncIo io, long socket, MemorySegment buffer) implements CompletionHandler {
        void read() { io.read(socket, buffer, this); }

        @Override public void completed(IoEvent e) {
            if (e.result() <= 0) io.close(socket);                // the peer closed (0), or an error (< 0)
            else if (e.operation() == Operation.READ) io.write(socket, buffer.asSlice(0, e.result()), this);
            else read();                                          // all of it written: read again
        }
    }
}
