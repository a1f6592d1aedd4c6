package dev.guardian.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

import org.eclipse.microprofile.config.spi.Converter;

import dev.guardian.engine.Role;
import io.quarkus.runtime.configuration.DurationConverter;

/**
 * A configured value as written, converted by the stack's converter, or with what would have been valid. Mapping
 * members are typed as settings so that a bad value never stops Quarkus in its own words: Guardian collects every
 * problem and reports them together ({@link Problems#value}).
 *
 * @param expectation null when the value converted
 */
public record Setting<T>(String raw, T value, String expectation) {
    public static final String DURATION = "use a positive duration such as 250ms, 2s, 1m or PT20S";

    public boolean valid() {
        return expectation == null;
    }

    /** {@code parse} returns null or throws for an invalid value. */
    public static <T> Setting<T> parse(String raw, Function<String, T> parse, String expectation) {
        try {
            T value = raw == null || raw.isBlank() ? null : parse.apply(raw.trim());
            if (value != null) {
                return new Setting<>(raw, value, null);
            }
        } catch (RuntimeException invalid) {
            // reported as the expectation
        }
        return new Setting<>(raw, null, expectation);
    }

    /** A positive duration: 250ms, 2s, 1.5s, 1m, PT20S; a bare number is seconds (Quarkus' own rules). */
    public static Setting<Duration> duration(String raw) {
        return parse(raw, v -> {
            Duration d = DurationConverter.parseDuration(v);
            return d == null || d.isNegative() || d.isZero() ? null : d;
        }, DURATION);
    }

    /** A duration as an SRE would write it: 250ms, 2s, 1.5s, 2m. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms % 60_000 == 0 && ms >= 120_000) {
            return (ms / 60_000) + "m";
        }
        return ms % 1_000 == 0 ? (ms / 1_000) + "s" : (ms / 1000.0) + "s";
    }

    public static final class PositiveDuration implements Converter<Setting<Duration>> {
        @Override
        public Setting<Duration> convert(String raw) {
            return duration(raw);
        }
    }

    /** A whole number of at least 1 (thresholds, counts). */
    public static final class AtLeastOne implements Converter<Setting<Integer>> {
        @Override
        public Setting<Integer> convert(String raw) {
            return parse(raw, v -> {
                int n = Integer.parseInt(v);
                return n >= 1 ? n : null;
            }, "use a whole number of at least 1");
        }
    }

    /** A TCP port, 1 to 65535. */
    public static final class Port implements Converter<Setting<Integer>> {
        @Override
        public Setting<Integer> convert(String raw) {
            return parse(raw, v -> {
                int n = Integer.parseInt(v);
                return n >= 1 && n <= 65535 ? n : null;
            }, "use a port from 1 to 65535");
        }
    }

    /** A whole number (its range is checked where it is used: close codes). */
    public static final class Whole implements Converter<Setting<Integer>> {
        @Override
        public Setting<Integer> convert(String raw) {
            return parse(raw, Integer::valueOf, "use a whole number");
        }
    }

    /** A size in bytes: 65536, 64KiB, 1MiB (binary units; "KB" and "MB" are refused as ambiguous), at most 1GiB. */
    public static final class Size implements Converter<Setting<Integer>> {
        @Override
        public Setting<Integer> convert(String raw) {
            return parse(raw, v -> {
                String lower = v.toLowerCase(Locale.ROOT);
                long unit = lower.endsWith("mib") ? 1L << 20 : lower.endsWith("kib") ? 1L << 10 : 1;
                String digits = unit == 1 ? (lower.endsWith("b") ? lower.substring(0, lower.length() - 1) : lower)
                        : lower.substring(0, lower.length() - 3);
                long bytes = Long.parseLong(digits.trim()) * unit;
                return bytes >= 1 && bytes <= 1L << 30 ? (int) bytes : null;
            }, "use a size in bytes such as 65536, 64KiB or 1MiB (at most 1GiB)");
        }
    }

    public static final class Flag implements Converter<Setting<Boolean>> {
        @Override
        public Setting<Boolean> convert(String raw) {
            return parse(raw, v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> null;
            }, "use true or false");
        }
    }

    /** A fraction from 0 to 1 (the jitter). */
    public static final class Fraction implements Converter<Setting<Double>> {
        @Override
        public Setting<Double> convert(String raw) {
            return parse(raw, v -> {
                double x = Double.parseDouble(v);
                return x >= 0 && x <= 1 ? x : null;
            }, "use a fraction from 0 to 1, such as 0.2");
        }
    }

    public static final class RoleName implements Converter<Setting<Role>> {
        @Override
        public Setting<Role> convert(String raw) {
            return parse(raw, v -> Role.valueOf(v.toUpperCase(Locale.ROOT)),
                    "use required (gates startup and readiness), startup (gates startup only) or informational "
                            + "(never gates)");
        }
    }
}
