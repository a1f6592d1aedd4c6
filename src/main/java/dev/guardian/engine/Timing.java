package dev.guardian.engine;

import java.time.Duration;

/**
 * How one check is scheduled, in Envoy's vocabulary: each attempt is bounded by {@code timeout}; a passing check
 * repeats every {@code interval}; a failing one is retried with exponential backoff from {@code retryInterval} to
 * {@code retryMaxInterval}; after startup, {@code failureThreshold} consecutive failures make it unhealthy and
 * {@code successThreshold} consecutive successes healthy again. Every delay is spread by ±{@code jitter} so that
 * replicas do not probe in lockstep.
 */
public record Timing(Duration timeout, Duration interval, Duration retryInterval, Duration retryMaxInterval,
        int failureThreshold, int successThreshold, double jitter) {
    /** Scheduling slack (GC pauses, a busy machine) before a silent check counts as stalled. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    /** {@code base} spread by ±jitter; {@code random} is uniform in [0, 1). */
    public Duration jittered(Duration base, double random) {
        return Backoff.spread(base, jitter, random);
    }

    /** Retries of a failing attempt: from retry-interval, doubling, to retry-max-interval. */
    public Backoff backoff() {
        return new Backoff(retryInterval, retryMaxInterval, jitter);
    }

    /** The longest a working loop can go between two finished attempts; past it the verdict is too old to trust. */
    public Duration staleAfter() {
        Duration longestPause = interval.compareTo(retryMaxInterval) >= 0 ? interval : retryMaxInterval;
        return jittered(longestPause, 1).plus(timeout).plus(SLACK);
    }
}
