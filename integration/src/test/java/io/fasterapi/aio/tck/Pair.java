package io.fasterapi.aio.tck;

/**
 * A connection made through one loop: both ends' handles, and the listener (0 when not owned).
 */
public record Pair(long listener, long client, long server) {
}
