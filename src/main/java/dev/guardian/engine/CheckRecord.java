package dev.guardian.engine;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The engine's running record of one check; guarded by the state machine's lock. */
final class CheckRecord {
    private final CheckSpec spec;
    private boolean healthy;
    private long attempts;
    private boolean lastOk;
    private long lastLatencyMicros = -1;
    private Instant lastFinished;
    private Instant lastSuccess;
    private Instant lastFailure;
    private int consecutiveFailures;
    private int consecutiveSuccesses;
    private String lastError;
    private final Map<String, Object> details = new HashMap<>();

    CheckRecord(CheckSpec spec) {
        this.spec = spec;
    }

    /**
     * Before the first READY Guardian is strict and quick: the last attempt alone decides. Afterwards thresholds
     * give hysteresis, so a blip does not pull the instance out of rotation.
     */
    void apply(Attempt attempt, boolean useThresholds) {
        attempts++;
        lastOk = attempt.ok();
        lastLatencyMicros = attempt.durationNanos() / 1_000;
        lastFinished = attempt.at().plusNanos(attempt.durationNanos());
        details.clear(); // details describe the last attempt only: no stale close code or status
        details.putAll(attempt.details());
        if (attempt.ok()) {
            lastSuccess = attempt.at();
            consecutiveSuccesses++;
            consecutiveFailures = 0;
        } else {
            lastFailure = attempt.at();
            lastError = attempt.error();
            consecutiveFailures++;
            consecutiveSuccesses = 0;
        }
        Timing timing = spec.timing();
        if (!useThresholds) {
            healthy = attempt.ok();
        } else if (healthy && consecutiveFailures >= timing.failureThreshold()) {
            healthy = false;
        } else if (!healthy && consecutiveSuccesses >= timing.successThreshold()) {
            healthy = true;
        }
    }

    /** No attempt finished for too long: whatever the last one said is no longer known to be true. */
    void stale(String reason) {
        healthy = false;
        lastOk = false;
        lastError = reason;
        consecutiveSuccesses = 0;
    }

    /** When the latest attempt finished; null before the first. */
    Instant lastFinished() {
        return lastFinished;
    }

    CheckSpec spec() {
        return spec;
    }

    CheckSnapshot snapshot() {
        return new CheckSnapshot(spec.name(), spec.kind(), spec.role(), spec.target(), healthy, attempts, lastOk,
                lastLatencyMicros, lastFinished, lastSuccess, lastFailure, consecutiveFailures, consecutiveSuccesses,
                lastError, Map.copyOf(details));
    }
}
