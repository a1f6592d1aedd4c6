package dev.guardian.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Every configuration problem found, in Guardian's words, so that one failed start shows everything to fix: one line
 * per problem naming the property, its environment variable and what would be valid. A shown value is never a
 * secret: callers pass masked URLs or nothing.
 */
public final class Problems {
    private final List<String> lines = new ArrayList<>();

    /** The environment variable that sets a property, by MicroProfile Config's rule. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** {@code property (ENV) = "shown": expectation}; {@code shown} null leaves the value out. */
    public void refuse(String property, String shown, String expectation) {
        lines.add(property + " (" + envName(property) + ")" + (shown == null ? "" : " = \"" + shown + "\"") + ": "
                + expectation);
    }

    /** A problem that is not about one property (an unknown variable, say): the line as given. */
    public void refuse(String line) {
        lines.add(line);
    }

    /** The setting's value; when it did not convert, the problem is recorded and null returned. */
    public <T> T value(String property, Setting<T> setting) {
        if (!setting.valid()) {
            refuse(property, setting.raw(), setting.expectation());
        }
        return setting.value();
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Stops startup with every problem when there is any; Quarkus prints the message and exits with code 1. */
    public void throwIfAny() {
        if (!lines.isEmpty()) {
            throw new ConfigurationException(refusal());
        }
    }

    public String refusal() {
        return "Guardian refuses to start: " + lines.size() + " configuration problem" + (lines.size() == 1 ? "" : "s")
                + "\n  " + String.join("\n  ", lines);
    }
}
