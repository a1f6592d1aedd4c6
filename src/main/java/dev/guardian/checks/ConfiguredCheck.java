package dev.guardian.checks;

import java.net.URI;

import dev.guardian.engine.CheckSpec;

/**
 * A check and where it is configured ({@code guardian.postgres.replica}), for refusals that name its settings.
 *
 * @param requests the HTTP or WebSocket URL the check requests ({@code prefix.url}), or null for other protocols:
 *                 a check sent through Guardian's own edge would wait for itself, and is refused
 */
public record ConfiguredCheck(String prefix, CheckSpec spec, URI requests) {
    public ConfiguredCheck(String prefix, CheckSpec spec) {
        this(prefix, spec, null);
    }
}
