package dev.guardian.adapters.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages and bytes per direction, counted by one event loop. A frame costs a plain read and an opaque write (no
 * fence, no contention); the metrics registry sums the loops' counters when it is scraped.
 */
final class FrameCounters {
    private final AtomicLong[] messages = { new AtomicLong(), new AtomicLong() };
    private final AtomicLong[] bytes = { new AtomicLong(), new AtomicLong() };

    /** One data frame passed; {@code fin} ends a message. Only the owning event loop calls this. */
    void frame(EdgeMetrics.Direction d, int payloadBytes, boolean fin) {
        AtomicLong b = bytes[d.ordinal()];
        b.setOpaque(b.getPlain() + payloadBytes);
        if (fin) {
            AtomicLong m = messages[d.ordinal()];
            m.setOpaque(m.getPlain() + 1);
        }
    }

    long messages(EdgeMetrics.Direction d) {
        return messages[d.ordinal()].getOpaque();
    }

    long bytes(EdgeMetrics.Direction d) {
        return bytes[d.ordinal()].getOpaque();
    }
}
