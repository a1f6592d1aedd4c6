package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.awaitility.core.ConditionTimeoutException;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;

/** Assertions on an informational check that fails: its own error, DOWN, and named as failing without gating. */
final class NotGating {
    private NotGating() {
    }

    /**
     * Waits for the check's last error to read {@code expected} (the first attempt of a cold JVM on a busy machine
     * may time out before it gets as far as TLS), then checks that it is DOWN and that the reason names it, as
     * {@code named} (e.g. {@code "llm (https://"}), among the failing checks that do not gate.
     */
    static void assertFailing(GuardianProcess g, String check, String expected, String named) {
        try {
            await(check + " failing with " + expected).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> expected.equals(g.health().data(check).path("last_error").asText()));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("expected last_error <" + expected + ">; last answer:\n" + g.health().body(), e);
        }
        Health h = g.health();
        assertEquals("DOWN", h.check(check).path("status").asText());
        assertTrue(h.reason().contains("; failing, not gating: ") && h.reason().contains(named), h.reason());
    }
}
