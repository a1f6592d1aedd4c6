package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.PostgresAndRedis;
import dev.guardian.testing.PostgresServer;

/**
 * A dependency frozen with SIGSTOP while READY: probes keep answering at once from cached state while the check
 * times out and the state turns after the failure threshold; SIGCONT brings READY back.
 */
class FrozenDependencyIT {
    @RegisterExtension
    static final PostgresAndRedis deps = new PostgresAndRedis();

    private static GuardianProcess guardian(String failureThreshold) {
        return GuardianProcess.with(
                "GUARDIAN_POSTGRES_URL", deps.pg().url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD, "postgres"),
                "GUARDIAN_POSTGRES_TIMEOUT", "2s", "GUARDIAN_POSTGRES_INTERVAL", "300ms",
                "GUARDIAN_POSTGRES_FAILURE_THRESHOLD", failureThreshold,
                "GUARDIAN_REDIS_URL", deps.redis().url(),
                "GUARDIAN_REDIS_TIMEOUT", "2s", "GUARDIAN_REDIS_INTERVAL", "300ms",
                "GUARDIAN_REDIS_FAILURE_THRESHOLD", failureThreshold).start().awaitListening();
    }

    @Test
    void frozenRedisTurnsNotReadyWhileProbesStayInstant() {
        try (GuardianProcess g = guardian("2")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            deps.redis().freeze();
            try {
                long slowestMillis = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                Health h;
                do {
                    long start = System.nanoTime();
                    h = g.get("/q/health/ready");
                    slowestMillis = Math.max(slowestMillis, (System.nanoTime() - start) / 1_000_000);
                } while (h.code() == 200 && System.nanoTime() < deadline);
                assertEquals(503, h.code(), "readiness must turn DOWN while redis is frozen");
                // Sanity bound far below the 2 s attempt timeout; the benchmark measures real latency.
                assertTrue(slowestMillis < 1000, "a probe took " + slowestMillis + " ms");
                assertEquals("NOT_READY", h.state());
                h = g.management("/q/health/ready");
                assertTrue(h.reason().contains("redis (127.0.0.1:" + deps.redis().port()
                        + "): no answer within 2000 ms (attempt timeout) (2 consecutive failures"), h.reason());
                assertEquals("UP", h.check("postgres").path("status").asText());
                assertEquals(200, g.get("/q/health/started").code(), "startup stays passed");
                assertEquals(200, g.get("/q/health/live").code(), "liveness is not tied to dependencies");
                assertTrue(g.metrics().contains("guardian_check_attempt_seconds_count{check=\"redis\",outcome=\"timeout\"}"));
            } finally {
                deps.redis().resume();
            }
            g.awaitState("READY", Duration.ofSeconds(20));
            g.awaitOutput("state READY -> NOT_READY");
            g.awaitOutput("state NOT_READY -> READY");
        }
    }

    @Test
    void frozenPostgresTurnsNotReadyAndRecovers() {
        try (GuardianProcess g = guardian("2")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            deps.pg().freeze();
            try {
                Health h = g.awaitState("NOT_READY", Duration.ofSeconds(30));
                assertTrue(h.reason().contains("postgres (127.0.0.1:" + deps.pg().port()
                        + "/postgres): no answer within 2000 ms (attempt timeout)"), h.reason());
                assertEquals("DOWN", h.check("postgres").path("status").asText());
            } finally {
                deps.pg().resume();
            }
            g.awaitState("READY", Duration.ofSeconds(20));
        }
    }

    @Test
    void failuresBelowTheThresholdKeepReady() {
        try (GuardianProcess g = guardian("1000")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            deps.redis().freeze();
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> g.health().data("redis").path("consecutive_failures").asInt() >= 2);
                Health h = g.management("/q/health/ready");
                assertEquals(200, h.code(), h.body());
                assertEquals("READY", h.state());
                assertEquals("failure", h.data("redis").path("last_attempt").asText());
                assertEquals("UP", h.check("redis").path("status").asText());
            } finally {
                deps.redis().resume();
            }
        }
    }
}
