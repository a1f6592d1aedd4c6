package dev.guardian.engine;

import java.util.Map;

/** A failed attempt with the reason an SRE reads. Carries no stack trace: the reason is the whole story. */
public class CheckFailure extends RuntimeException {
    private final transient Map<String, Object> details;

    public CheckFailure(String reason) {
        this(reason, Map.of());
    }

    public CheckFailure(String reason, Map<String, Object> details) {
        super(reason, null, false, false);
        this.details = Map.copyOf(details);
    }

    public Map<String, Object> details() {
        return details;
    }
}
