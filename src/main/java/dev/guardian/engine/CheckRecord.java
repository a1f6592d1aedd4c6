package dev.guardian.engine;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.guardian.config.CheckTiming;

/** The engine's running record of one check; guarded by the engine's lock. */
final class CheckRecord {
    private final String name;
    private final String target;
    private final CheckTiming timing;
    private boolean healthy;
    private long attempts;
    private boolean lastOk;
    private long lastLatencyMicros = -1;
    private Instant lastSuccess;
    private Instant lastFailure;
    private int consecutiveFailures;
    private int consecutiveSuccesses;
    private String lastError;
    private final Map<String, Object> details = new HashMap<>();

    CheckRecord(String name, String target, CheckTiming timing) {
        this.name = name;
        this.target = target;
        this.timing = timing;
    }

    /**
     * Before the first READY Guardian is strict and quick: the last attempt alone decides. Afterwards thresholds
     * give hysteresis, so a blip does not pull the instance out of rotation.
     */
    void apply(Attempt attempt, boolean useThresholds) {
        attempts++;
        lastOk = attempt.ok();
        lastLatencyMicros = attempt.durationNanos() / 1_000;
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
        if (!useThresholds) {
            healthy = attempt.ok();
        } else if (healthy && consecutiveFailures >= timing.failureThreshold()) {
            healthy = false;
        } else if (!healthy && consecutiveSuccesses >= timing.successThreshold()) {
            healthy = true;
        }
    }

    String name() {
        return name;
    }

    CheckSnapshot snapshot() {
        return new CheckSnapshot(name, target, healthy, attempts, lastOk, lastLatencyMicros, lastSuccess, lastFailure,
                consecutiveFailures, consecutiveSuccesses, lastError, Map.copyOf(details));
    }
}
