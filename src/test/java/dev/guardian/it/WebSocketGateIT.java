package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.ChatBackend.Mode;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.PonglessBackend;

/** The loopback WebSocket gate against a real backend that misbehaves in each of the incident's ways. */
class WebSocketGateIT extends WithChatBackend {
    static final String PING_SCRIPT = "[{\"send\":{\"type\":\"ping\",\"session\":\"${session}\"}},"
            + "{\"expect\":{\"type\":\"pong\",\"session\":\"${session}\"}}]";
    static final String AGENT_SCRIPT = "[{\"send\":{\"type\":\"chat\",\"session\":\"${session}\"}},"
            + "{\"expectSequence\":[{\"type\":\"agent_started\"},{\"type\":\"agent_thinking\"},"
            + "{\"type\":\"tool_executing\"},{\"type\":\"tool_completed\"},{\"type\":\"agent_completed\"}]}]";

    @BeforeEach
    void healthy() {
        backend.mode(Mode.HEALTHY);
        backend.requireAuthorization((String) null);
    }

    private static GuardianProcess guardian(String... extra) {
        GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_BACKEND_CONNECT_TIMEOUT", "500ms", "GUARDIAN_BACKEND_UPGRADE_TIMEOUT", "500ms",
                "GUARDIAN_BACKEND_STEP_TIMEOUT", "500ms", "GUARDIAN_BACKEND_PING_TIMEOUT", "500ms",
                "GUARDIAN_STARTUP_BUDGET", "120s",
                // The gate alone: the heartbeat's own connection would share the backend's routing.
                "GUARDIAN_HEARTBEAT_ENABLED", "false");
        return g.env(extra).start().awaitListening();
    }

    /** Waits until the websocket check's last error contains {@code text}; returns the health JSON. */
    private static Health awaitError(GuardianProcess g, String text) {
        try {
            await("websocket last_error containing " + text).atMost(Duration.ofSeconds(20))
                    .until(() -> g.health().data("websocket").path("last_error").asText().contains(text)
                            && g.health().data("websocket").path("last_attempt").asText().equals("failure"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no last_error containing <" + text + ">; last answer:\n" + g.health().body(), e);
        }
        return g.health();
    }

    @Test
    void eachMisbehaviourKeepsItNotReadyWithItsOwnReason() {
        backend.mode(Mode.ERROR_500_BEFORE_ACCEPT);
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", PING_SCRIPT)) {
            Health h = awaitError(g, "upgrade rejected with HTTP 500");
            assertEquals(503, g.get("/q/health/started").code());
            assertTrue(h.reason().contains("websocket (" + backend.url("/ws") + "): upgrade rejected with HTTP 500"),
                    h.reason());

            backend.mode(Mode.REJECT_403);
            awaitError(g, "upgrade rejected with HTTP 403");

            backend.mode(Mode.CLOSE_1011);
            h = awaitError(g, "closed by the server with code 1011 (handler could not be built) after ");
            assertTrue(h.data("websocket").path("last_error").asText().contains("ms, before step"), h.body());
            assertEquals(1011, h.data("websocket").path("close_code").asInt(), h.body());

            backend.mode(Mode.NO_UPGRADE_ANSWER);
            awaitError(g, "no upgrade response within 1000 ms");

            backend.mode(Mode.SILENT);
            h = awaitError(g, "step 2 ({\"type\":\"pong\",\"session\":\"${session}\"}) expected "
                    + "{\"type\":\"pong\",\"session\":\"${session}\"} within 500 ms and got nothing");

            backend.mode(Mode.STOP_READING);
            awaitError(g, "expected {\"type\":\"pong\",\"session\":\"${session}\"} within 500 ms and got nothing");
            assertEquals("STARTING", g.health().state());

            backend.mode(Mode.HEALTHY);
            h = g.awaitState("READY", Duration.ofSeconds(20));
            assertEquals(200, g.get("/q/health/started").code());
            assertTrue(h.data("websocket").path("upgrade_us").asLong() > 0, h.body());
            assertTrue(h.data("websocket").path("first_frame_us").asLong() > 0, h.body());
            assertTrue(h.data("websocket").path("round_trip_us").asLong() > 0, h.body());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> g.health().data("websocket").path("close_code").asInt() == 1000);
            // Hung upgrades were dropped too: only the current attempt's connection may be open.
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> backend.openConnections() <= 1);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("open connections: " + backend.openConnections() + "\n" + g.health().body());
            }
        }
    }

    /**
     * A backend that answers pings passes; one that accepts the upgrade, reads every frame and never sends a pong
     * (from its first frame on, so no process is fast enough to get an answer) keeps Guardian STARTING.
     */
    @Test
    void withoutAScriptAPingMustBeAnswered() {
        try (GuardianProcess g = guardian()) {
            g.awaitState("READY", Duration.ofSeconds(20));
        }
        try (PonglessBackend pongless = new PonglessBackend();
                GuardianProcess g = guardian("GUARDIAN_BACKEND_URL", pongless.url("/ws"))) {
            Health h = awaitError(g, "ping not answered within 500 ms");
            assertEquals("STARTING", h.state());
            assertTrue(pongless.upgrades() > 0 && pongless.pings() > 0,
                    "the pings arrived: " + pongless.upgrades() + " upgrades, " + pongless.pings() + " pings");
        }
    }

    @Test
    void agentEventsMustArriveInOrder() {
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", AGENT_SCRIPT)) {
            g.awaitState("READY", Duration.ofSeconds(20));
        }
        backend.mode(Mode.OUT_OF_ORDER);
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", AGENT_SCRIPT)) {
            Health h = awaitError(g, "expected {\"type\":\"agent_thinking\"} next but got "
                    + "{\"type\":\"tool_executing\",\"session\":\"s1-");
            assertTrue(h.data("websocket").path("last_error").asText().endsWith(" out of order"), h.body());
        }
    }

    @Test
    void concurrentSessionsDetectCrossSessionLeaks() {
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", PING_SCRIPT, "GUARDIAN_BACKEND_SESSIONS", "12")) {
            Health h = g.awaitState("READY", Duration.ofSeconds(20));
            assertEquals(12, h.data("websocket").path("sessions").asInt());
            backend.mode(Mode.CROSS_SESSION);
            h = g.awaitState("NOT_READY", Duration.ofSeconds(20));
            String error = h.data("websocket").path("last_error").asText();
            assertTrue(error.matches("cross-session leak: session s\\d+-\\w+ received a frame carrying session "
                    + "s\\d+-\\w+'s token: .*"), error);
        }
    }

    @Test
    void tokenAndHeadersReachTheBackendAndAWrongTokenIsRefused() {
        String token = "Bearer-Token-For-Tests-4f1c";
        backend.requireAuthorization("Bearer " + token);
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", PING_SCRIPT,
                "GUARDIAN_BACKEND_HEADERS", "X-Probe: guardian-${session}",
                "GUARDIAN_BACKEND_AUTH_MODE", "bearer", "GUARDIAN_BACKEND_AUTH_TOKEN_ENV", "CHAT_PROBE_TOKEN",
                "CHAT_PROBE_TOKEN", token)) {
            g.awaitState("READY", Duration.ofSeconds(20));
            assertEquals("Bearer " + token, backend.lastAuthorization());
            assertTrue(backend.lastProbeHeader().startsWith("guardian-s1-"), backend.lastProbeHeader());

            backend.requireAuthorization("Bearer another-token");
            Health h = g.awaitState("NOT_READY", Duration.ofSeconds(20));
            assertEquals("upgrade rejected with HTTP 401", h.data("websocket").path("last_error").asText());
            String everything = h.body() + g.metrics() + g.output();
            assertFalse(everything.contains(token), "the token leaked:\n" + everything);
        }
    }

    @Test
    void thousandsOfAttemptsLeaveNoConnectionOpen() {
        long before = backend.normalCloses();
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SCRIPT", PING_SCRIPT,
                "GUARDIAN_BACKEND_INTERVAL", "1ms", "GUARDIAN_JITTER", "0")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertTrue(backend.openConnections() <= 2, "open: " + backend.openConnections());
                return g.health().data("websocket").path("attempts").asLong() >= 1000;
            });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.openConnections() == 0);
        assertTrue(backend.normalCloses() - before >= 1000, "closed with 1000: " + (backend.normalCloses() - before));
    }
}
