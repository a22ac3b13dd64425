package io.fasterapi.aio;

/** The kind of an operation, as reported by {@link IoEvent#operation()}. */
public enum Operation {
    /** Accept one connection on a listening handle; the result is the new connection's handle. */
    ACCEPT,
    /** Read into a buffer; the result is the number of bytes read, 0 at end of stream. */
    READ,
    /** Write a whole buffer; the result is the number of bytes written (the buffer's length). */
    WRITE,
    /** Connect a new socket; the result is 0 once connected. */
    CONNECT,
    /** Close a handle; the result is 0. */
    CLOSE,
    /** A timer; the result is 0 when it fires. */
    TIMER
}
