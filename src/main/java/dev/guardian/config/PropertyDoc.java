package dev.guardian.config;

/**
 * One row of the README's configuration tables, owned by the code that reads the property. {@code defaultText}
 * null means "the mapping's @WithDefault" (a test reads it from there); otherwise it says what no value means.
 */
public record PropertyDoc(String property, String defaultText, String meaning) {

    public static PropertyDoc of(String property, String meaning) {
        return new PropertyDoc(property, null, meaning);
    }

    public static PropertyDoc optional(String property, String whenAbsent, String meaning) {
        return new PropertyDoc(property, whenAbsent, meaning);
    }

    public String env() {
        return Problems.envName(property);
    }
}
