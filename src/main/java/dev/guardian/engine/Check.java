package dev.guardian.engine;

import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * One check: the only contract between the engine and a check. An attempt must not block; it completes with details
 * worth showing (flat values: String, Long, Boolean) or fails with a {@link CheckFailure} whose message is the reason
 * an SRE reads. The engine bounds every attempt with its timeout and cancels it on expiry, so an attempt must release
 * what it holds on cancellation, also when what it waited for arrives later.
 */
public interface Check {

    Uni<Map<String, Object>> attempt();

    /**
     * Guardian is shutting down: connections still open (a kept connection, an attempt's) close as "going away".
     * Called before the attempt in flight is cancelled.
     */
    default void close() {
    }
}
