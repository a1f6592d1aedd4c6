package dev.guardian.adapters.edge;

import java.util.concurrent.ThreadLocalRandom;

/**
 * When a connection rotates: at a uniformly random moment inside [cap - margin - window, cap - margin] after it
 * opened, so clients that connected together do not reconnect together.
 */
final class Rotation {
    private Rotation() {
    }

    static long delayNanos(EdgeSettings s) {
        long end = s.maxLifetime().minus(s.rotationMargin()).toNanos();
        long window = s.rotationWindow().toNanos();
        return end - (window == 0 ? 0 : ThreadLocalRandom.current().nextLong(window + 1));
    }
}
