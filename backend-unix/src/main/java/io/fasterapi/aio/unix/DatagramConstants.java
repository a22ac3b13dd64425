package io.fasterapi.aio.unix;

/**
 * The numbers of UDP sockets beside {@link SocketConstants}: {@code SOCK_DGRAM} (2 on Linux, macOS,
 * FreeBSD) and {@code MSG_TRUNC}, which differs (0x20 on Linux, 0x10 on the BSDs) and is chosen
 * like the sockaddr layouts, by {@link SocketConstants#sockaddrLen()}. Checked against gcc (Linux)
 * and Go's x/sys (macOS, FreeBSD).
 *
 * <p>Linux takes {@code MSG_TRUNC} as an input flag of a receive and then returns a datagram's
 * real length even when the buffer was shorter; every system sets it in {@code msg_flags} when it
 * cut a datagram. The loop uses both where it can.
 */
public final class DatagramConstants {
    public static final int SOCK_DGRAM = 2;
    public static final int MSG_TRUNC_LINUX = 0x20;
    public static final int MSG_TRUNC_BSD = 0x10;

    private DatagramConstants() {
    }

    /** {@code MSG_TRUNC} of {@code c}'s system. */
    public static int msgTrunc(SocketConstants c) {
        return c.sockaddrLen() ? MSG_TRUNC_BSD : MSG_TRUNC_LINUX;
    }

    /** Whether {@code c}'s system returns a datagram's real length when given MSG_TRUNC (Linux). */
    public static boolean realLengthOnTrunc(SocketConstants c) {
        return !c.sockaddrLen();
    }
}
