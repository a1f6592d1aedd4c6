package dev.guardian.adapters.edge;

import java.time.Duration;

/**
 * Bounds that are not settings: each keeps something a peer can make the edge hold finite. Chosen so that a drain of
 * a few seconds still ends well inside Cloud Run's 10 s between SIGTERM and SIGKILL.
 */
final class EdgeLimits {
    /** TCP connect to the backend. */
    static final int BACKEND_CONNECT_TIMEOUT_MS = 2_000;
    /** The backend must answer an upgrade (101 or a refusal) within this; else the client gets 504. */
    static final long BACKEND_UPGRADE_TIMEOUT_MS = 10_000;
    /** A peer that does not answer our close frame within this loses its TCP connection (Vert.x closing timeout). */
    static final int CLOSING_TIMEOUT_SECONDS = 2;
    /**
     * Bytes queued towards one peer before the other leg is paused (Netty's high water mark; low is half): what a slow
     * peer costs at most while the loop is under max-buffered, with one read more.
     */
    static final int WRITE_QUEUE_BYTES = 64 * 1024;
    /** The largest read from a peer's socket (see {@link Reads}). */
    static final int READ_BYTES = 16 * 1024;
    /** After the drain window: time for the last close handshakes before every remaining connection is cut. */
    static final Duration DRAIN_GRACE = Duration.ofMillis(CLOSING_TIMEOUT_SECONDS * 1000L + 500);
    /** A refusal body the backend sent for an upgrade is passed to the client up to this size. */
    static final int REFUSAL_BODY_BYTES = 8 * 1024;
    /** Plain HTTP connections to the backend per event loop (kept alive and reused). */
    static final int BACKEND_HTTP_POOL = 256;

    private EdgeLimits() {
    }

    /**
     * Client TCP connections, counted from their accept: twice max-connections. The room above the concurrency cap
     * holds idle keep-alive connections and lets a request over that cap be answered 503 "at capacity"; beyond it a
     * connection is closed before a byte of it is read, so connections that send nothing (or trickle) cannot pile
     * up between idle timeouts.
     */
    static int tcpConnections(EdgeSettings s) {
        return (int) Math.min(Integer.MAX_VALUE, 2L * s.maxConnections());
    }

    /**
     * The sweep's period: a quarter of the shortest keepalive timing, at least 50 ms (10,000 connections cost well
     * under a millisecond a sweep) and at most 250 ms (rotation and drain moments land within that of their target).
     */
    static long sweepMillis(EdgeSettings s) {
        long shortest = Math.min(s.clientPingInterval().toMillis(), s.pongTimeout().toMillis());
        return Math.max(50, Math.min(250, shortest / 4));
    }

    /**
     * Idle timeout of a client's TCP connection (no byte either way): like nginx's 60 s proxy timeouts, and never
     * shorter than a ping interval plus a pong timeout, so a WebSocket that answers pings is never cut by it. It also
     * ends idle keep-alive connections and clients that open a connection and send nothing.
     */
    static Duration clientIdleTimeout(EdgeSettings s) {
        Duration keepalive = s.clientPingInterval().multipliedBy(2).plus(s.pongTimeout());
        Duration nginxLike = Duration.ofSeconds(60);
        return keepalive.compareTo(nginxLike) > 0 ? keepalive : nginxLike;
    }
}
