package dev.guardian.engine;

import java.util.Locale;

/**
 * What a check's failure means. A blip of a shared dependency must not pull every replica out at once, so not every
 * check has to gate readiness after startup.
 */
public enum Role {
    /** Gates startup and readiness (the default). */
    REQUIRED,
    /** Gates startup only; after the first READY its failures are reported but do not flip readiness. */
    STARTUP,
    /** Never gates; shown in the health JSON and the metrics. */
    INFORMATIONAL;

    public boolean gatesStartup() {
        return this != INFORMATIONAL;
    }

    public boolean gatesReadiness() {
        return this == REQUIRED;
    }

    /** As written in configuration and shown in JSON: required, startup, informational. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
