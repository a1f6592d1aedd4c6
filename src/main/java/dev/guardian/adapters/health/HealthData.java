package dev.guardian.adapters.health;

import java.time.Instant;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.Verdict;

/** Builds the MicroProfile Health entries (flat data: strings, longs, booleans) from a verdict. */
public final class HealthData {
    private HealthData() {
    }

    static HealthCheckResponse engine(String name, boolean up, Verdict v) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(up)
                .withData("state", v.state().name())
                .withData("since", v.since().toString())
                .withData("reason", v.reason())
                .withData("startup_budget_ms", v.budget().toMillis())
                .withData("elapsed_ms", v.elapsed().toMillis());
        if (v.startupDuration() != null) {
            b.withData("startup_duration_ms", v.startupDuration().toMillis());
        }
        putAll(b, v.facts());
        return b.build();
    }

    static HealthCheckResponse check(CheckSnapshot s) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(s.name()).status(s.healthy())
                .withData("kind", s.kind())
                .withData("role", s.role().id())
                .withData("target", s.target())
                .withData("attempts", s.attempts())
                .withData("consecutive_failures", (long) s.consecutiveFailures())
                .withData("consecutive_successes", (long) s.consecutiveSuccesses());
        if (s.attempted()) {
            b.withData("last_attempt", s.lastAttemptOk() ? "success" : "failure");
            b.withData("last_latency_us", s.lastLatencyMicros());
        }
        if (s.lastFinished() != null) {
            b.withData("last_attempt_age_ms", Math.max(0, Instant.now().toEpochMilli() - s.lastFinished().toEpochMilli()));
        }
        putTime(b, "last_success", s.lastSuccess());
        putTime(b, "last_failure", s.lastFailure());
        if (s.lastError() != null) {
            b.withData("last_error", s.lastError());
        }
        putAll(b, s.details());
        return b.build();
    }

    /** An adapter's own entry (the edge's): flat data under a name. */
    public static HealthCheckResponse entry(String name, boolean up, Map<String, Object> data) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(up);
        putAll(b, data);
        return b.build();
    }

    /** MicroProfile Health data is flat: longs, booleans and strings. */
    private static void putAll(HealthCheckResponseBuilder b, Map<String, Object> data) {
        for (Map.Entry<String, Object> d : data.entrySet()) {
            if (d.getValue() instanceof Long l) {
                b.withData(d.getKey(), l);
            } else if (d.getValue() instanceof Boolean bool) {
                b.withData(d.getKey(), bool);
            } else {
                b.withData(d.getKey(), String.valueOf(d.getValue()));
            }
        }
    }

    private static void putTime(HealthCheckResponseBuilder b, String key, Instant at) {
        if (at != null) {
            b.withData(key, at.toString());
        }
    }
}
