package dev.guardian.engine;

import java.time.Duration;

/**
 * Exponential backoff with jitter: the n-th failure in a row waits {@code initial × 2^(n-1)}, at most {@code max},
 * spread by ±{@code jitter}. The caller counts failures from the last success, so a success resets it.
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    /** @param random uniform in [0, 1) */
    public Duration delay(int consecutiveFailures, double random) {
        long doublings = Math.max(0, Math.min(consecutiveFailures - 1, 30));
        long nanos = initial.toNanos() << doublings;
        Duration base = nanos <= 0 || nanos > max.toNanos() ? max : Duration.ofNanos(nanos);
        return spread(base, jitter, random);
    }

    /** {@code base} spread by ±jitter. */
    public static Duration spread(Duration base, double jitter, double random) {
        double factor = 1 + jitter * (random * 2 - 1);
        return Duration.ofNanos(Math.max(0, Math.round(base.toNanos() * factor)));
    }
}
