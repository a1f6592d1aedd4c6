package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a probe needs, computed once per change and read without locks: probes never wait on a dependency.
 * {@code startupDuration} is null until READY was first reached; {@code facts} are fixed data shown with the state
 * (the balancer's envelope, for example).
 */
public record Verdict(State state, Instant since, String reason, Instant processStart, Duration budget,
        Duration startupDuration, List<CheckSnapshot> checks, Map<String, Object> facts) {

    public boolean ready() {
        return state == State.READY;
    }

    public boolean started() {
        return startupDuration != null;
    }

    public Duration elapsed() {
        return Duration.between(processStart, Instant.now());
    }
}
