package io.fasterapi.aio.unix;

/**
 * Socket constants of one operating system. Only Linux's table is filled today; the BSD values
 * differ (SOL_SOCKET is 0xffff there, sockaddr carries sin_len) and come with the kqueue backend.
 */
public record SocketConstants(int afInet, int afInet6, int sockStream, int sockNonblock, int sockCloexec,
                              int solSocket, int soReuseaddr, int soReuseport, int soError, int soSndbuf,
                              int soRcvbuf, int ipprotoTcp, int tcpNodelay, int ipprotoIpv6, int ipv6V6only,
                              int msgNosignal, int shutWr, int eagain, int eintr, int einprogress) {

    /** Linux, from {@code <sys/socket.h>}, {@code <netinet/in.h>}, {@code <netinet/tcp.h>}, {@code <errno.h>}. */
    public static final SocketConstants LINUX = new SocketConstants(2, 10, 1, 0x800, 0x80000,
            1, 2, 15, 4, 7, 8, 6, 1, 41, 26,
            0x4000, 1, 11, 4, 115);

    /** The table of the running operating system, or null where there is none yet. */
    public static SocketConstants current() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        return os.startsWith("linux") ? LINUX : null;
    }
}
