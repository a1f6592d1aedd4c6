package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HttpStub;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;

/**
 * Each way a dependency can refuse gives its own reason, and a known secret string appears nowhere: not in the
 * health JSON, not in the logs, not in the metrics.
 */
class FailureReasonIT {
    static final String PG_SECRET = "Pg-Secret-7f3a9c";
    static final String REDIS_SECRET = "Redis-Secret-2b8e1d";
    static final String WRONG_SECRET = "Wrong-Secret-91c4e0";
    static final String AUTH_TOKEN = "Auth-Token-5d2f7a";
    static PostgresServer pg;
    static RedisServer redis;
    static HttpStub auth;

    @BeforeAll
    static void dependencies() {
        pg = PostgresServer.started();
        pg.createUser("guardian", PG_SECRET, "chat");
        redis = RedisServer.prepare(REDIS_SECRET);
        redis.start();
        auth = new HttpStub();
    }

    @AfterAll
    static void stop() {
        auth.close();
        redis.close();
        pg.close();
    }

    private static void assertNoSecret(GuardianProcess g, String... secrets) {
        String everything = g.health().body() + g.get("/q/health/started").body() + g.metrics() + g.output();
        for (String secret : secrets) {
            assertFalse(everything.contains(secret), "secret " + secret + " leaked:\n" + everything);
        }
    }

    /** Waits until every check has failed at least once, and returns the health JSON. */
    private static Health afterFirstFailures(GuardianProcess g) {
        await().atMost(Duration.ofSeconds(20)).until(() -> g.health().data("auth").has("last_error")
                && g.health().data("postgres").has("last_error") && g.health().data("redis").has("last_error"));
        return g.health();
    }

    @Test
    void wrongPasswordsAndFailingAuthAreNamed() {
        auth.answer(503);
        try (GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_POSTGRES_URL", pg.url("guardian", WRONG_SECRET, "chat"),
                "GUARDIAN_REDIS_URL", redis.url(WRONG_SECRET),
                "GUARDIAN_AUTH_URL", auth.url("/health?token=" + AUTH_TOKEN),
                "GUARDIAN_STARTUP_BUDGET", "60s").start().awaitListening()) {
            Health h = afterFirstFailures(g);
            assertEquals(503, h.code());
            assertTrue(h.data("postgres").path("last_error").asText()
                    .startsWith("authentication failed for user \"guardian\" (SQLSTATE 28P01"), h.body());
            assertTrue(h.data("redis").path("last_error").asText().startsWith("server replied: WRONGPASS"), h.body());
            assertEquals("HTTP 503 Service Unavailable from the auth service", h.data("auth").path("last_error").asText());
            assertEquals(503, h.data("auth").path("http_status").asInt());
            assertTrue(h.reason().contains("auth (http://127.0.0.1:"), h.reason());
            assertTrue(h.reason().contains("/health?***"), "the URL's query is masked: " + h.reason());
            assertNoSecret(g, WRONG_SECRET, AUTH_TOKEN);

            auth.answer(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> g.health().check("auth").path("status").asText()
                    .equals("UP"));
            assertNoSecret(g, WRONG_SECRET, AUTH_TOKEN);
        }
    }

    @Test
    void missingDatabaseMissingRedisPasswordAndHangingAuthAreNamed() {
        auth.hang();
        try (GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_POSTGRES_URL", pg.url("guardian", PG_SECRET, "nosuchdb"),
                "GUARDIAN_REDIS_URL", redis.url(),
                "GUARDIAN_AUTH_URL", auth.url("/health"),
                "GUARDIAN_AUTH_TIMEOUT", "1s",
                "GUARDIAN_STARTUP_BUDGET", "60s").start().awaitListening()) {
            Health h = afterFirstFailures(g);
            assertEquals("database \"nosuchdb\" does not exist (SQLSTATE 3D000)",
                    h.data("postgres").path("last_error").asText());
            assertTrue(h.data("redis").path("last_error").asText().startsWith("server replied: NOAUTH"), h.body());
            assertEquals("no answer within 1000 ms (attempt timeout)", h.data("auth").path("last_error").asText());
            assertEquals("STARTING", h.state());
            assertNoSecret(g, PG_SECRET, REDIS_SECRET);
        } finally {
            auth.answer(200);
        }
    }

    @Test
    void correctCredentialsGiveReadyWithoutLeakingThem() {
        auth.answer(200);
        try (GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_POSTGRES_URL", pg.url("guardian", PG_SECRET, "chat"),
                "GUARDIAN_REDIS_URL", redis.url(REDIS_SECRET),
                "GUARDIAN_AUTH_URL", auth.url("/health?token=" + AUTH_TOKEN)
                        .replace("http://", "http://probe:" + AUTH_TOKEN + "@")).start().awaitListening()) {
            Health h = g.awaitState("READY", Duration.ofSeconds(20));
            // User info in the auth URL becomes HTTP Basic credentials.
            assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString(("probe:" + AUTH_TOKEN)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)), auth.lastAuthorization());
            assertEquals("127.0.0.1:" + pg.port() + "/chat", h.data("postgres").path("target").asText());
            assertNoSecret(g, PG_SECRET, REDIS_SECRET, AUTH_TOKEN);
        }
    }
}
