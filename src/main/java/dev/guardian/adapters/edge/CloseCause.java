package dev.guardian.adapters.edge;

/** Who or what ended a proxied WebSocket: the {@code by} label of guardian_edge_closes_total. */
enum CloseCause {
    /** The client closed (or its connection was lost). */
    CLIENT("client"),
    /** The backend closed (or its connection was lost). */
    BACKEND("backend"),
    /** Rotated before the platform's lifetime cap. */
    ROTATION("rotation"),
    /** Closed while the edge drains. */
    DRAIN("drain"),
    /** The client did not answer a ping in time. */
    PONG_TIMEOUT("pong_timeout"),
    /** Closed because Guardian left READY (only with closeOnNotReady). */
    NOT_READY("not_ready"),
    /** A peer sent a message over the size limit. */
    LIMIT("limit");

    final String label;

    CloseCause(String label) {
        this.label = label;
    }
}
