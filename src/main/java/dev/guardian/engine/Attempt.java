package dev.guardian.engine;

import java.time.Instant;
import java.util.Map;

/** What one attempt of one check gave. {@code error} is null on success. */
public record Attempt(String check, Instant at, long durationNanos, String error, boolean timedOut,
        Map<String, Object> details) {

    public boolean ok() {
        return error == null;
    }

    public String outcome() {
        return ok() ? "success" : timedOut ? "timeout" : "failure";
    }
}
