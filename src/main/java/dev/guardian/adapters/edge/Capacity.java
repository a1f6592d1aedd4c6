package dev.guardian.adapters.edge;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cap shared by every event loop: concurrent client WebSockets plus in-flight HTTP requests (Cloud Run counts both
 * as concurrent requests, at most 1,000 per instance), or client TCP connections.
 */
final class Capacity {
    private final AtomicInteger used = new AtomicInteger();
    private final int max;

    Capacity(int max) {
        this.max = max;
    }

    /** A slot, or null when the cap is reached. Release it exactly once. */
    Slot acquire() {
        if (used.incrementAndGet() > max) {
            used.decrementAndGet();
            return null;
        }
        return new Slot();
    }

    int used() {
        return used.get();
    }

    int max() {
        return max;
    }

    /** One unit of the cap; releasing twice is harmless. */
    final class Slot {
        private boolean released;

        void release() {
            if (!released) {
                released = true;
                used.decrementAndGet();
            }
        }
    }
}
