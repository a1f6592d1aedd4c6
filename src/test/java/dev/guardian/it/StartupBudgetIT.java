package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.RedisServer;

/** STARTING → READY when dependencies appear late; FAILED (or exit) when one never does. */
class StartupBudgetIT {

    @Test
    void readyShortlyAfterTheLastDependencyAppears() {
        try (PostgresServer pg = PostgresServer.prepare(); RedisServer redis = RedisServer.prepare(null)) {
            try (GuardianProcess g = GuardianProcess.with(
                    "GUARDIAN_POSTGRES_URL", pg.url(PostgresServer.ADMIN, PostgresServer.ADMIN_PASSWORD, "postgres"),
                    "GUARDIAN_REDIS_URL", redis.url(),
                    "GUARDIAN_STARTUP_BUDGET", "60s").start().awaitListening()) {

                // The first attempts end at once (nothing listens), but a loaded machine may answer before they do.
                await().atMost(Duration.ofSeconds(10)).until(() -> g.management("/q/health/started").reason()
                        .split("connection refused", -1).length == 3);
                Health starting = g.management("/q/health/started");
                assertEquals(503, starting.code());
                assertEquals("STARTING", starting.state());
                assertTrue(starting.reason().contains("postgres (127.0.0.1:" + pg.port() + "/postgres): connection refused"),
                        starting.reason());
                assertTrue(starting.reason().contains("redis (127.0.0.1:" + redis.port() + "): connection refused"),
                        starting.reason());
                assertEquals(503, g.get("/q/health/ready").code());
                assertEquals(200, g.get("/q/health/live").code());

                redis.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> g.health().data("redis").path("last_attempt")
                        .asText().equals("success"));
                Health stillStarting = g.management("/q/health/started");
                assertEquals(503, stillStarting.code(), "postgres is still missing");
                assertTrue(!stillStarting.reason().contains("redis"), stillStarting.reason());

                pg.start();
                Instant pgUp = Instant.now();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> g.get("/q/health/started").code() == 200);
                Duration lag = Duration.between(pgUp, Instant.now());
                // Sanity bound only (the benchmark measures the real lag): retries are at most 200 ms apart.
                assertTrue(lag.compareTo(Duration.ofSeconds(2)) < 0, "READY " + lag + " after postgres came up");

                Health ready = g.management("/q/health/ready");
                assertEquals(200, ready.code());
                assertEquals("READY", ready.data("guardian").path("state").asText());
                assertEquals("UP", ready.check("postgres").path("status").asText());
                assertEquals("UP", ready.check("redis").path("status").asText());
                assertTrue(ready.data("guardian").path("startup_duration_ms").asLong() > 0);
                assertTrue(ready.data("postgres").path("last_latency_us").asLong() > 0);
                g.awaitOutput("state STARTING -> READY");

                String metrics = g.metrics();
                assertTrue(metrics.contains("guardian_state{state=\"READY\"} 1.0"), metrics);
                assertTrue(metrics.contains("guardian_check_up{check=\"postgres\",kind=\"postgres\",role=\"required\"} 1.0"), metrics);
                assertTrue(metrics.contains("guardian_check_attempt_seconds_count{check=\"postgres\",outcome=\"failure\"}"),
                        metrics);
                assertTrue(metrics.contains("guardian_check_attempt_seconds_count{check=\"postgres\",outcome=\"success\"}"),
                        metrics);
                assertTrue(metrics.contains("guardian_state_transitions_total{from=\"STARTING\",to=\"READY\"} 1.0"),
                        metrics);
                assertTrue(metrics.matches("(?s).*guardian_startup_duration_seconds \\d+\\.\\d+.*"), metrics);
            }
        }
    }

    @Test
    void failedWhenTheBudgetRunsOutAndTheReasonNamesTheCheck() {
        try (RedisServer neverStarted = RedisServer.prepare(null);
                GuardianProcess g = GuardianProcess.with("GUARDIAN_REDIS_URL", neverStarted.url(),
                        "GUARDIAN_STARTUP_BUDGET", "3s").start().awaitListening()) {
            Health failed = g.awaitState("FAILED", Duration.ofSeconds(20));
            Health started = g.management("/q/health/started");
            assertEquals(503, started.code());
            assertEquals("FAILED", started.state());
            assertTrue(started.reason().startsWith("startup budget of 3000 ms ran out; unmet: redis (127.0.0.1:"
                    + neverStarted.port() + "): connection refused"), started.reason());
            assertEquals("DOWN", failed.check("redis").path("status").asText());
            assertEquals("connection refused", failed.data("redis").path("last_error").asText());
            g.awaitOutput("ERROR [dev.guardian.state] (guardian-transition-log) state STARTING -> FAILED");
            assertTrue(g.process().isAlive(), "without exit-on-failure Guardian keeps serving its verdict");

            // FAILED is final even when the dependency appears later: the platform restarts the instance.
            neverStarted.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> g.health().check("redis").path("status").asText()
                    .equals("UP"));
            assertEquals(503, g.get("/q/health/started").code());
            assertTrue(g.management("/q/health/started").reason().contains("every check passes now, but too late"));
        }
    }

    /**
     * The budget counts from the real process start: the first answer saying FAILED comes no earlier than the
     * budget after the launch (the process starts after the launch, so this bound is safe), and it says so itself.
     */
    @Test
    void failedNeverComesBeforeTheBudget() {
        try (RedisServer neverStarted = RedisServer.prepare(null);
                GuardianProcess g = GuardianProcess.with("GUARDIAN_REDIS_URL", neverStarted.url(),
                        "GUARDIAN_STARTUP_BUDGET", "3s")) {
            List<Supplier<Health>> answers = List.of(() -> g.get("/q/health/started"), g::health);
            Health[] failed = { null };
            long[] answeredAt = { 0 };
            long launch = System.nanoTime();
            g.start();
            await("an answer saying FAILED").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(25)).until(() -> {
                        for (Supplier<Health> answer : answers) {
                            try {
                                Health h = answer.get();
                                if ("FAILED".equals(h.state())) {
                                    answeredAt[0] = System.nanoTime();
                                    failed[0] = h;
                                    return true;
                                }
                            } catch (UncheckedIOException notListeningYet) {
                                // keep polling
                            }
                        }
                        return false;
                    });
            long afterLaunch = (answeredAt[0] - launch) / 1_000_000;
            System.out.println("first FAILED answer " + afterLaunch + " ms after the launch");
            assertTrue(afterLaunch >= 3_000, "FAILED was answered " + afterLaunch + " ms after the launch, before "
                    + "the 3000 ms budget had passed:\n" + failed[0].body());
            JsonNode engine = engineData(failed[0].json().has("checks") ? failed[0] : g.health());
            assertTrue(engine.path("elapsed_ms").asLong() >= engine.path("startup_budget_ms").asLong(),
                    engine.toString());
            assertEquals(3_000, engine.path("startup_budget_ms").asLong(), engine.toString());
        }
    }

    /** The entry carrying the engine's state and clock, whichever probe answered. */
    private static JsonNode engineData(Health h) {
        for (JsonNode c : h.json().path("checks")) {
            if (c.path("data").has("elapsed_ms")) {
                return c.path("data");
            }
        }
        throw new AssertionError("no entry with elapsed_ms: " + h.body());
    }

    @Test
    void exitsNonZeroWhenAskedTo() {
        try (RedisServer neverStarted = RedisServer.prepare(null);
                GuardianProcess g = GuardianProcess.with("GUARDIAN_REDIS_URL", neverStarted.url(),
                        "GUARDIAN_STARTUP_BUDGET", "2s", "GUARDIAN_STARTUP_EXIT_ON_FAILURE", "true").start()) {
            assertEquals(3, g.awaitExit(Duration.ofSeconds(30)), g.output());
            assertTrue(g.output().contains("state STARTING -> FAILED"), g.output());
            assertTrue(g.output().contains("exiting with code 3"), g.output());
        }
    }

    @Test
    void readyAtOnceWithNothingToCheck() {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true").start().awaitListening()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> g.get("/q/health/started").code() == 200);
            assertEquals("no checks configured", g.management("/q/health/ready").reason());
            assertTrue(g.output().contains("no check configured"), g.output());
        }
    }
}
