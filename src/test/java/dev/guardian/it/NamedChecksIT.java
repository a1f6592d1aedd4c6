package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;

/**
 * Two Postgres servers (a primary and a replica) and two Redis servers, each checked under its own name: in the
 * health JSON, the metrics, the reasons and the transition log; and roles against real freezes (SIGSTOP): an
 * informational check never gates, a startup check gates startup only, a required one gates both.
 */
class NamedChecksIT {
    private static final String SECRET = "Named-Secret-6a0e3b";
    private static PostgresServer primary;
    private static PostgresServer replica;
    private static RedisServer redis;
    private static RedisServer sessions;

    @BeforeAll
    static void servers() {
        primary = PostgresServer.started();
        primary.createUser("guardian", SECRET, "chat");
        replica = PostgresServer.started();
        replica.createUser("guardian", SECRET, "chat");
        redis = RedisServer.started();
        sessions = RedisServer.started();
    }

    @AfterAll
    static void stop() {
        sessions.close();
        redis.close();
        replica.close();
        primary.close();
    }

    /** Guardian with the four checks, quick timing for each, and {@code roles} (REPLICA, informational, ...). */
    private static GuardianProcess guardian(String... roles) {
        List<String> env = new ArrayList<>(List.of("GUARDIAN_STARTUP_BUDGET", "60s", "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                "GUARDIAN_POSTGRES_URL", primary.url("guardian", SECRET, "chat"),
                "GUARDIAN_POSTGRES_REPLICA_URL", replica.url("guardian", SECRET, "chat"),
                "GUARDIAN_REDIS_URL", redis.url(), "GUARDIAN_REDIS_SESSIONS_URL", sessions.url()));
        for (String check : new String[] { "POSTGRES", "POSTGRES_REPLICA", "REDIS", "REDIS_SESSIONS" }) {
            env.addAll(List.of("GUARDIAN_" + check + "_TIMEOUT", "500ms", "GUARDIAN_" + check + "_INTERVAL", "200ms",
                    "GUARDIAN_" + check + "_FAILURE_THRESHOLD", "2", "GUARDIAN_" + check + "_SUCCESS_THRESHOLD", "1"));
        }
        for (int i = 0; i < roles.length; i += 2) {
            env.addAll(List.of("GUARDIAN_" + roles[i] + "_ROLE", roles[i + 1]));
        }
        return GuardianProcess.with(env.toArray(String[]::new)).start().awaitListening();
    }

    private static String up(String check, String kind, String role, int value) {
        return "guardian_check_up{check=\"" + check + "\",kind=\"" + kind + "\",role=\"" + role + "\"} " + value + ".0";
    }

    private static void awaitStatus(GuardianProcess g, String check, String status) {
        await(check + " " + status).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(25))
                .until(() -> status.equals(g.health().check(check).path("status").asText()));
    }

    /** "no answer within 500 ms (attempt timeout)", as a frozen server of {@code check} at {@code target} gives. */
    private static String frozen(String check, String target) {
        return check + " (" + target + "): no answer within 500 ms (attempt timeout)";
    }

    /** The part of a reason about the checks that gate, before "; failing, not gating: ...". */
    private static String gating(String reason) {
        int cut = reason.indexOf("; failing, not gating: ");
        return cut < 0 ? reason : reason.substring(0, cut);
    }

    @Test
    void eachCheckHasItsOwnNameInJsonMetricsReasonsAndLogs() {
        String replicaTarget = "127.0.0.1:" + replica.port() + "/chat";
        String sessionsTarget = "127.0.0.1:" + sessions.port();
        try (GuardianProcess g = guardian()) {
            Health h = g.awaitState("READY", Duration.ofSeconds(30));
            assertEquals("127.0.0.1:" + primary.port() + "/chat", h.data("postgres").path("target").asText());
            assertEquals(replicaTarget, h.data("replica").path("target").asText());
            assertEquals("postgres", h.data("replica").path("kind").asText());
            assertEquals("127.0.0.1:" + redis.port(), h.data("redis").path("target").asText());
            assertEquals(sessionsTarget, h.data("sessions").path("target").asText());
            assertEquals("redis", h.data("sessions").path("kind").asText());
            String metrics = g.metrics();
            for (String line : new String[] { up("postgres", "postgres", "required", 1),
                    up("replica", "postgres", "required", 1), up("redis", "redis", "required", 1),
                    up("sessions", "redis", "required", 1) }) {
                assertTrue(metrics.contains(line), line + " in\n" + metrics);
            }
            assertTrue(metrics.contains("guardian_check_attempt_seconds_count{check=\"replica\",outcome=\"success\"}"));

            replica.freeze();
            try {
                h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
                assertTrue(h.reason().startsWith("not ready: " + frozen("replica", replicaTarget)), h.reason());
                assertFalse(h.reason().contains("postgres ("), "only the frozen server is named: " + h.reason());
                assertEquals("DOWN", h.check("replica").path("status").asText());
                assertEquals("UP", h.check("postgres").path("status").asText());
                metrics = g.metrics();
                assertTrue(metrics.contains(up("replica", "postgres", "required", 0)), metrics);
                assertTrue(metrics.contains(up("postgres", "postgres", "required", 1)), metrics);
                assertTrue(metrics.contains("guardian_check_attempt_seconds_count{check=\"replica\",outcome=\"timeout\"}"));
                g.awaitOutput("state READY -> NOT_READY");
                g.awaitOutput("not ready: " + frozen("replica", replicaTarget));
            } finally {
                replica.resume();
            }
            g.awaitState("READY", Duration.ofSeconds(15));

            sessions.freeze();
            try {
                h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
                assertTrue(h.reason().startsWith("not ready: " + frozen("sessions", sessionsTarget)), h.reason());
                assertFalse(h.reason().contains("redis ("), "only the frozen server is named: " + h.reason());
                assertTrue(g.metrics().contains(up("sessions", "redis", "required", 0)));
            } finally {
                sessions.resume();
            }
            g.awaitState("READY", Duration.ofSeconds(15));
        }
    }

    @Test
    void rolesDecideWhatGatesStartupAndReadiness() {
        String replicaTarget = "127.0.0.1:" + replica.port() + "/chat";
        String redisTarget = "127.0.0.1:" + redis.port();
        String sessionsTarget = "127.0.0.1:" + sessions.port();
        replica.freeze();
        redis.freeze();
        sessions.freeze();
        try (GuardianProcess g = guardian("POSTGRES_REPLICA", "informational", "REDIS_SESSIONS", "startup")) {
            // Startup: the required and the startup check gate; the informational one is only reported.
            // (The primary passes; the first attempt of a cold JVM on a busy machine may time out before it does.)
            await("the primary passing, each frozen check timed out").atMost(Duration.ofSeconds(15)).until(() -> {
                Health now = g.health();
                return "UP".equals(now.check("postgres").path("status").asText()) && List.of("replica", "redis",
                        "sessions").stream().allMatch(c -> now.data(c).has("last_error"));
            });
            Health h = g.health();
            assertEquals("STARTING", h.state());
            assertEquals("informational", h.data("replica").path("role").asText(), "each check's role in the JSON");
            assertEquals("startup", h.data("sessions").path("role").asText());
            assertEquals("required", h.data("postgres").path("role").asText());
            String gating = gating(h.reason());
            assertTrue(gating.startsWith("waiting for " + frozen("redis", redisTarget)), h.reason());
            assertTrue(gating.contains("; " + frozen("sessions", sessionsTarget)), h.reason());
            assertFalse(gating.contains("replica ("), h.reason());
            assertTrue(h.reason().contains("; failing, not gating: " + frozen("replica", replicaTarget)), h.reason());

            redis.resume();
            awaitStatus(g, "redis", "UP");
            h = g.health();
            assertEquals("STARTING", h.state(), "a startup check gates startup: " + h.reason());
            assertTrue(h.reason().startsWith("waiting for " + frozen("sessions", sessionsTarget)), h.reason());

            sessions.resume();
            h = g.awaitState("READY", Duration.ofSeconds(15));
            assertEquals("DOWN", h.check("replica").path("status").asText(), "an informational check never gates");
            assertTrue(h.reason().startsWith("all checks passing: "), h.reason());
            assertTrue(h.reason().contains("; failing, not gating: " + frozen("replica", replicaTarget)), h.reason());

            // After READY a startup check's failure is reported, not acted on.
            sessions.freeze();
            try {
                awaitStatus(g, "sessions", "DOWN");
                h = g.health();
                assertEquals("READY", h.state(), h.reason());
                assertEquals(200, g.get("/q/health/ready").code());
                assertTrue(h.reason().contains("failing, not gating: ") && h.reason().contains(
                        frozen("sessions", sessionsTarget)), h.reason());
                assertTrue(g.metrics().contains(up("sessions", "redis", "startup", 0)));
            } finally {
                sessions.resume();
            }
            awaitStatus(g, "sessions", "UP");

            // A required check gates readiness too.
            primary.freeze();
            try {
                h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
                assertTrue(h.reason().startsWith("not ready: " + frozen("postgres", "127.0.0.1:" + primary.port()
                        + "/chat")), h.reason());
                assertTrue(h.reason().contains("; failing, not gating: " + frozen("replica", replicaTarget)),
                        h.reason());
                assertEquals(503, g.get("/q/health/ready").code());
            } finally {
                primary.resume();
            }
            g.awaitState("READY", Duration.ofSeconds(15));

            // An informational check that passed and then fails never flips readiness either.
            replica.resume();
            awaitStatus(g, "replica", "UP");
            assertFalse(g.health().reason().contains("not gating"), g.health().reason());
            replica.freeze();
            awaitStatus(g, "replica", "DOWN");
            h = g.health();
            assertEquals("READY", h.state(), h.reason());
            assertTrue(h.reason().contains("; failing, not gating: " + frozen("replica", replicaTarget)), h.reason());
            String metrics = g.metrics();
            assertTrue(metrics.contains(up("replica", "postgres", "informational", 0)), metrics);
            assertTrue(metrics.contains(up("sessions", "redis", "startup", 1)), metrics);
            assertTrue(metrics.contains(up("postgres", "postgres", "required", 1)), metrics);
            assertEquals(1, g.output().lines().filter(l -> l.contains("state READY -> NOT_READY")).count(),
                    "only the required check flipped readiness:\n" + g.output());
            assertFalse(g.output().contains(SECRET));
        } finally {
            replica.resume();
            redis.resume();
            sessions.resume();
        }
    }
}
