package io.fasterapi.aio.container;

import io.fasterapi.aio.IoStats;

import java.net.InetSocketAddress;

/** What a server running in the container reports to {@code aio:stats}; registered as a service. */
public interface ServerStatus {
    /** The server's name ("echo"). */
    String name();

    /** The backend its loop runs on, or {@code null} when it is not serving (no backend available). */
    String backend();

    /** Where it listens, or {@code null} when not serving. */
    InetSocketAddress address();

    /** Its loop's counters, or {@code null} when not serving. */
    IoStats stats();

    /** Connections open now. */
    int openConnections();

    /** How many times it has moved to another backend since it started. */
    int moves();

    /** Why it is not serving, or {@code null}. */
    String problem();
}
