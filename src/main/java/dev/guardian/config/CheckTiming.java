package dev.guardian.config;

import java.time.Duration;

/**
 * How one check is scheduled (Envoy's vocabulary): each attempt is bounded by {@code timeout}; a passing check
 * repeats every {@code interval}; a failing one is retried with exponential backoff from {@code retryInterval}
 * to {@code retryMaxInterval}; after startup, {@code failureThreshold} consecutive failures make it unhealthy and
 * {@code successThreshold} consecutive successes healthy again.
 */
public record CheckTiming(Duration timeout, Duration interval, Duration retryInterval, Duration retryMaxInterval,
        int failureThreshold, int successThreshold, double jitter) {
}
