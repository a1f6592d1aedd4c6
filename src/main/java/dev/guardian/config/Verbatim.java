package dev.guardian.config;

import java.util.Optional;

import org.eclipse.microprofile.config.Config;

import io.smallrye.config.Expressions;

/**
 * Values that carry Guardian's own placeholders (${session}, ${token}) are read as written: SmallRye Config would
 * otherwise take them for property expressions and expand them away.
 */
public final class Verbatim {
    private Verbatim() {
    }

    public static Optional<String> read(Config config, String property) {
        return Expressions.withoutExpansion(() -> config.getOptionalValue(property, String.class));
    }
}
