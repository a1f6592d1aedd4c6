package dev.guardian.checks;

import java.util.List;
import java.util.Map;

import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;

/**
 * One check kind, found by the container like Quarkus' own health checks: it owns its configuration, validates it in
 * Guardian's words, builds its checks and their meters, and describes its settings for the README. The wiring asks
 * every provider and never names a kind.
 */
public interface CheckProvider {

    /** Reads this kind's configuration; every problem goes to {@code problems}; returns the checks it asks for. */
    List<ConfiguredCheck> checks(Problems problems, CheckContext context);

    /** The README rows of this kind's own settings (the shared schedule settings are documented once). */
    List<PropertyDoc> properties();

    /** The configuration prefixes this kind reads. */
    List<ConfigPrefix> prefixes();

    /** Fixed data for the {@code guardian} entry of the health JSON, known once {@link #checks} has run. */
    default Map<String, Object> facts() {
        return Map.of();
    }
}
