package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.FaultProxy;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;

/** The heartbeat keeper: pongs tracked, a stalled path detected in bounded time, reconnects after a restart. */
class HeartbeatIT extends WithChatBackend {

    /** The gate is slowed right down so that only the heartbeat reacts to faults. */
    private static GuardianProcess guardian(String url, String... extra) {
        GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", url,
                "GUARDIAN_BACKEND_INTERVAL", "60s", "GUARDIAN_BACKEND_FAILURE_THRESHOLD", "100",
                "GUARDIAN_HEARTBEAT_INTERVAL", "300ms", "GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "300ms",
                "GUARDIAN_HEARTBEAT_MISSED_PONGS", "2", "GUARDIAN_STARTUP_BUDGET", "60s");
        return g.env(extra).start().awaitListening();
    }

    @Test
    void aFrozenPathTurnsTheHeartbeatDownInBoundedTimeAndRecovers() {
        try (FaultProxy proxy = new FaultProxy(backend.port());
                GuardianProcess g = guardian("ws://127.0.0.1:" + proxy.port() + "/ws",
                        "GUARDIAN_HEARTBEAT_KEEPALIVE_MESSAGE", "{\"type\":\"keepalive\"}")) {
            Health ready = g.awaitState("READY", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> g.health().data("heartbeat").path("pings").asLong() >= 3);
            JsonNode hb = g.health().data("heartbeat");
            assertTrue(hb.path("rtt_last_us").asLong() > 0 && hb.path("rtt_min_us").asLong() <= hb.path("rtt_max_us")
                    .asLong(), hb.toString());
            assertEquals(true, hb.path("connected").asBoolean(), hb.toString());
            assertTrue(backend.keepalives() > 0, "the application-level keepalive reached the backend");

            long frozenAt = System.nanoTime();
            proxy.freeze();
            try {
                Health down = g.awaitState("NOT_READY", Duration.ofSeconds(20));
                long detectedMillis = (System.nanoTime() - frozenAt) / 1_000_000;
                // Bound implied by the configuration: interval 300 + pong timeout 300 × 2 missed pongs = 900 ms.
                // Generous sanity bound here; the benchmark measures it.
                assertTrue(detectedMillis < 5_000, "detected after " + detectedMillis + " ms");
                assertEquals("DOWN", down.check("heartbeat").path("status").asText());
                assertTrue(down.reason().contains("heartbeat (ws://127.0.0.1:" + proxy.port()
                        + "/ws): no pong within 300 ms (2 consecutive missed pongs)"), down.reason());
                assertEquals("UP", down.check("websocket").path("status").asText(), "the gate was not involved");
            } finally {
                proxy.thaw();
            }
            g.awaitState("READY", Duration.ofSeconds(30));
            String metrics = g.metrics();
            assertTrue(metrics.contains("guardian_heartbeat_rtt_seconds_bucket{le=\"0.005\"}"), metrics);
            assertTrue(metrics.contains("guardian_heartbeat_rtt_seconds_count"), metrics);
            assertTrue(metrics.matches("(?s).*guardian_heartbeat_missed_pongs_total [1-9].*"), metrics);
            assertTrue(metrics.matches("(?s).*guardian_heartbeat_reconnects_total [1-9].*"), metrics);
        }
    }

    @Test
    void aRestartedBackendIsReconnected() {
        try (GuardianProcess g = guardian(backend.url("/ws"))) {
            g.awaitState("READY", Duration.ofSeconds(20));
            long before = g.health().data("heartbeat").path("reconnects").asLong();
            backend.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode hb = g.health().data("heartbeat");
                return hb.path("reconnects").asLong() > before && hb.path("connected").asBoolean()
                        && hb.path("last_attempt").asText().equals("success");
            });
            // The restart was seen: the last failure is the close itself, or a refused reconnect while it was down.
            String lastError = g.health().data("heartbeat").path("last_error").asText();
            assertTrue(lastError.startsWith("heartbeat connection closed by the server")
                    || lastError.startsWith("cannot open the heartbeat connection: "), lastError);
            g.awaitState("READY", Duration.ofSeconds(20));
        }
    }

    @Test
    void aLifetimeCapIsStatedInTheLogAndTheJson() {
        // gcp-https-lb is the old name of gcp-backend-service: read as such, with a warning.
        try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-https-lb")) {
            Health h = g.awaitState("READY", Duration.ofSeconds(20));
            JsonNode data = h.data("guardian");
            assertEquals("gcp-backend-service", data.path("lb_profile").asText());
            assertEquals(30_000, data.path("lb_max_lifetime_ms").asLong());
            assertEquals(14_700, data.path("largest_safe_heartbeat_interval_ms").asLong());
            String note = data.path("lb_lifetime_note").asText();
            assertTrue(note.startsWith("gcp-backend-service closes every WebSocket after 30s, idle or not: pings cannot keep"
                    + " a connection past that; clients must reconnect. The cap is short"), note);
            assertTrue(g.output().contains("WARN  [dev.guardian.load-balancer]") && g.output().contains(note),
                    g.output());
            assertTrue(g.output().contains("load-balancer profile gcp-https-lb is read as gcp-backend-service"),
                    g.output());
        }
    }
}
