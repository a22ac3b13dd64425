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
