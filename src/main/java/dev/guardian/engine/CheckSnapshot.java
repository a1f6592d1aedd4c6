package dev.guardian.engine;

import java.time.Instant;
import java.util.Map;

/**
 * One check as the engine sees it at a moment. {@code healthy} is the engine's judgement after thresholds, which can
 * differ from the last attempt: one failed attempt does not make a READY check unhealthy. {@code lastFinished} is when
 * the latest attempt ended (null before the first), so every verdict has an age.
 */
public record CheckSnapshot(String name, String kind, Role role, String target, boolean healthy, long attempts,
        boolean lastAttemptOk, long lastLatencyMicros, Instant lastFinished, Instant lastSuccess, Instant lastFailure,
        int consecutiveFailures, int consecutiveSuccesses, String lastError, Map<String, Object> details) {

    public boolean attempted() {
        return attempts > 0;
    }
}
