package io.fasterapi.aio;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where a datagram came from: filled by the loop before the handler of a
 * {@link AsyncIo#receiveFrom receiveFrom} runs, and reused by the caller for the next one. With a
 * buffer pool ({@link AsyncIo#receiveFrom(long, long, DatagramSender, CompletionHandler, long)})
 * one holder serves the whole multishot receive: it is set again before each datagram's call, so
 * read it (or copy it) during that call.
 *
 * <p>Why a holder, and not an {@link InetSocketAddress} in the event: a UDP server takes a datagram
 * per call and answers most of them, and an address object per datagram would be its only
 * allocation. The holder keeps the address as bytes and a port, compares them with an address
 * without allocating ({@link #is}), and makes objects only when asked ({@link #socketAddress()}).
 * Why not the raw {@code sockaddr} in a segment the caller owns, as {@code recvmsg} does: its
 * layout differs between Linux, the BSDs and Windows, and the API is the same everywhere.
 *
 * <p>Not thread-safe: like a buffer, it belongs to the operation until its completion (a pool
 * receive's: until its last call), and to the caller after.
 *
 * @since 1.1
 */
public final class DatagramSender {
    private final byte[] address = new byte[16];
    private int length;
    private int port;
    private int scopeId;

    /** An empty holder (no sender yet: {@link #port()} is 0, {@link #isSet()} false). */
    public DatagramSender() {
    }

    /**
     * Sets the sender; called by the loop. {@code address} holds 4 (IPv4) or 16 (IPv6) bytes from
     * {@code offset}. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, what a dual-stack
     * socket reports for an IPv4 sender) is kept as the IPv4 address, as Java's own sockets do.
     */
    public void set(byte[] address, int offset, int length, int port, int scopeId) {
        if (length != 4 && length != 16) throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + length);
        if (length == 16 && isV4Mapped(address, offset)) { // what a dual-stack socket reports for an IPv4 sender
            offset += 12;
            length = 4;
            scopeId = 0;
        }
        System.arraycopy(address, offset, this.address, 0, length);
        this.length = length;
        this.port = port;
        this.scopeId = scopeId;
    }

    /** Sets the sender {@code other} holds (or none). */
    public void set(DatagramSender other) {
        System.arraycopy(other.address, 0, address, 0, other.length);
        length = other.length;
        port = other.port;
        scopeId = other.scopeId;
    }

    private static boolean isV4Mapped(byte[] a, int at) {
        for (int i = 0; i < 10; i++) if (a[at + i] != 0) return false;
        return a[at + 10] == (byte) 0xff && a[at + 11] == (byte) 0xff;
    }

    /** Forgets the sender (before a new receive). */
    public void clear() {
        length = 0;
        port = 0;
        scopeId = 0;
    }

    /** Whether a sender was set. */
    public boolean isSet() {
        return length != 0;
    }

    /** The sender's UDP port. */
    public int port() {
        return port;
    }

    /** Whether the sender has an IPv6 address. */
    public boolean isIPv6() {
        return length == 16;
    }

    /** Copies the address's 4 or 16 bytes into {@code out} from {@code offset}; returns how many. */
    public int addressBytes(byte[] out, int offset) {
        System.arraycopy(address, 0, out, offset, length);
        return length;
    }

    /** Whether the sender is {@code a} (address and port), without allocating. */
    public boolean is(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null || a.getPort() != port) return false;
        if (length == 4 && ip instanceof Inet4Address v4) return Arrays.equals(address, 0, 4, v4.getAddress(), 0, 4);
        return length == 16 && ip instanceof Inet6Address v6 && Arrays.equals(address, 0, 16, v6.getAddress(), 0, 16);
    }

    /** The sender as a new address object. */
    public InetSocketAddress socketAddress() {
        if (length == 0) throw new IllegalStateException("no sender: the receive has not completed");
        try {
            byte[] a = Arrays.copyOf(address, length);
            InetAddress ip = length == 16 && scopeId != 0 ? Inet6Address.getByAddress(null, a, scopeId) : InetAddress.getByAddress(a);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
        }
    }

    @Override
    public String toString() {
        return length == 0 ? "DatagramSender[none]" : "DatagramSender[" + socketAddress() + "]";
    }
}
