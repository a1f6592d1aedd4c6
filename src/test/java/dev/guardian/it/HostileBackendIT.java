package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.guardian.testing.ChatBackend.Mode;
import dev.guardian.testing.GuardianProcess;

/** Garbage from the backend gives a clear reason, never a pass and never a stalled engine. */
class HostileBackendIT extends WithChatBackend {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HUGE_MESSAGE      | the backend sent a message over the size limit",
            "INVALID_UTF8      | the backend sent a text frame that is not valid UTF-8",
            "ENDLESS_FRAGMENTS | the backend sent a message over the size limit",
            "FLOOD             | flooded: more than 1000 frames that no step expected, last: {\"type\":\"noise\"",
            "BINARY_GARBAGE    | expected {\"type\":\"pong\",\"session\":\"${session}\"} within 1000 ms and got (binary frame of 5 bytes)" })
    void garbageFromTheBackendIsNamed(Mode mode, String reason) {
        backend.mode(mode);
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.PING_SCRIPT, "GUARDIAN_BACKEND_STEP_TIMEOUT", "1s",
                "GUARDIAN_HEARTBEAT_ENABLED", "false", "GUARDIAN_STARTUP_BUDGET", "60s").start().awaitListening()) {
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> g.health().data("websocket").path("last_error")
                        .asText().contains(reason));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no <" + reason + ">:\n" + g.health().body(), e);
            }
            assertEquals("STARTING", g.health().state());
            // The engine is not stalled: probes answer and attempts go on.
            long attempts = g.health().data("websocket").path("attempts").asLong();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> g.health().data("websocket").path("attempts").asLong() > attempts);
            backend.mode(Mode.HEALTHY);
            g.awaitState("READY", Duration.ofSeconds(20));
            assertTrue(g.get("/q/health/live").code() == 200);
        } finally {
            backend.mode(Mode.HEALTHY);
        }
    }
}
