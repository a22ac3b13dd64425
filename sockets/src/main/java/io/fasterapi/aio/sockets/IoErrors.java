package io.fasterapi.aio.sockets;

import io.fasterapi.aio.Errno;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/** A failed result as the exception the JDK's own sockets throw for it. */
final class IoErrors {
    private IoErrors() {
    }

    /** A failed connect: {@code ConnectException} for a refused or timed-out one, as the JDK throws. */
    static IOException connect(long result, String what) {
        IOException e = of(result, what);
        Errno n = Errno.of((int) -result);
        return n == Errno.ETIMEDOUT ? new ConnectException(e.getMessage()) : e;
    }

    static IOException of(long result, String what) {
        int code = (int) -result;
        Errno e = Errno.of(code);
        String name = Errno.nameOf(code);
        String message = what + ": " + (e != null ? e.description() : "error") + " (" + name + ")";
        if (e == null) return new SocketException(message);
        return switch (e) {
            case ECONNREFUSED -> new ConnectException(message);
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(message);
            default -> new SocketException(message);
        };
    }
}
