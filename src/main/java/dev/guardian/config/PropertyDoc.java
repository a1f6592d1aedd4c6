package dev.guardian.config;

/**
 * One row of the README's configuration tables, owned by the code that reads the setting. {@code defaultText} null
 * means "the mapping's @WithDefault" (a test reads it from there); otherwise it says what no value means.
 * {@code variable} is the environment variable, which MicroProfile Config derives from the property except where
 * Guardian's properties file names its own ({@code quarkus.http.port} is {@code GUARDIAN_PORT}).
 */
public record PropertyDoc(String property, String variable, String defaultText, String meaning) {
    /** The default text of a setting that configures a check by being set: without it there is no such check. */
    public static final String NO_CHECK = "(none: no check)";

    /** The setting that configures one check of a kind ({@code guardian.postgres.url}): unset, no check. */
    public static PropertyDoc configuresACheck(String property, String meaning) {
        return optional(property, NO_CHECK, meaning);
    }

    public static PropertyDoc of(String property, String meaning) {
        return new PropertyDoc(property, Problems.envName(property), null, meaning);
    }

    public static PropertyDoc optional(String property, String whenAbsent, String meaning) {
        return new PropertyDoc(property, Problems.envName(property), whenAbsent, meaning);
    }

    /** A Quarkus property that Guardian's properties file sets from a variable of its own. */
    public static PropertyDoc alias(String property, String variable, String defaultText, String meaning) {
        return new PropertyDoc(property, variable, defaultText, meaning);
    }

    public String env() {
        return variable;
    }

    public boolean configuresACheck() {
        return NO_CHECK.equals(defaultText);
    }
}
