package dev.guardian.engine;

import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * One dependency check: the only contract between the engine and a check. An attempt must not block; it completes
 * with details worth showing (flat values: String, Long, Boolean) or fails with a {@link CheckFailure} whose message
 * is the reason an SRE reads. The engine bounds every attempt with its timeout and cancels it on expiry, so an
 * attempt must release what it holds on cancellation.
 */
public interface Check {

    String name();

    /** Where the check goes, with credentials masked (e.g. {@code 127.0.0.1:5432/chat}). */
    String target();

    Uni<Map<String, Object>> attempt();
}
