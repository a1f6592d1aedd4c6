package dev.guardian.checks;

import dev.guardian.engine.CheckSpec;

/** A check and where it is configured ({@code guardian.postgres.replica}), for refusals that name its settings. */
public record ConfiguredCheck(String prefix, CheckSpec spec) {
}
