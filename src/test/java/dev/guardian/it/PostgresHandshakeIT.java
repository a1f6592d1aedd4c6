package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.DripServer;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.PostgresServer;
import dev.guardian.testing.ProbeWindow;
import dev.guardian.testing.ProcStats;
import dev.guardian.testing.SilentServer;

/**
 * The Postgres handshake has a deadline as a whole, not only its TCP connect: at most one connection per check is
 * in progress, and one that completes late is closed. Otherwise a peer that accepts and never answers collects a
 * socket per attempt, and a frozen server gets them all at once when it resumes, competing with the application
 * for max_connections at the worst moment.
 */
class PostgresHandshakeIT {
    static final String ROLE = "guardian_probe";
    static final String PASSWORD = "Pg-Probe-Secret-4d2b";
    static final Duration FREEZE = Duration.ofSeconds(20);

    @Test
    void aServerThatAcceptsAndNeverAnswersHoldsAtMostTwoSockets() {
        try (SilentServer silent = new SilentServer(); GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_POSTGRES_URL", "postgresql://" + ROLE + ":" + PASSWORD + "@127.0.0.1:" + silent.port()
                        + "/chat",
                "GUARDIAN_POSTGRES_TIMEOUT", "1s", "GUARDIAN_POSTGRES_INTERVAL", "200ms",
                "GUARDIAN_STARTUP_BUDGET", "120s").start().awaitListening()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.accepted() >= 1);
            ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(15), Duration.ofSeconds(1),
                    "/q/health/live");
            System.out.printf("silent postgres: %d connections accepted in all, at most %d open at once, %d open "
                    + "now; %s%n", silent.accepted(), silent.mostOpen(), silent.open(), probes);

            assertTrue(silent.mostOpen() <= 2, "up to " + silent.mostOpen() + " sockets were open at once at the "
                    + "silent server (" + silent.open() + " now, " + silent.accepted() + " accepted in all); at most "
                    + "one in progress and one being closed");
            assertTrue(probes.clean(), probes.toString());
            assertEquals("no answer within 1000 ms (attempt timeout)",
                    g.health().data("postgres").path("last_error").asText(), g.health().body());
        }
    }

    /**
     * A peer that answers the startup message with a ParameterStatus message a byte every half timeout, for ever: no
     * idle timeout ever fires on it, so only a deadline on the whole handshake ends each connection.
     */
    @Test
    void aServerDrippingBytesForEverHasEachConnectionClosedAtTheAttemptDeadline() {
        byte[] parameterStatus = { 'S', 0, 0, 0, 8, 'a', 0, 'b', 0 };
        try (DripServer drip = DripServer.forever(parameterStatus, Duration.ofMillis(500));
                GuardianProcess g = GuardianProcess.with("GUARDIAN_POSTGRES_URL", "postgresql://" + ROLE + ":"
                        + PASSWORD + "@127.0.0.1:" + drip.port() + "/chat?sslmode=disable",
                        "GUARDIAN_POSTGRES_TIMEOUT", "1s", "GUARDIAN_POSTGRES_INTERVAL", "200ms",
                        "GUARDIAN_STARTUP_BUDGET", "120s").start().awaitListening()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> drip.accepted() >= 1);
            long[] most = { 0 };
            ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(12), Duration.ofSeconds(1),
                    Duration.ofMillis(100), answer -> most[0] = Math.max(most[0],
                            ProcStats.tcpConnectionsTo(g.pid(), drip.port())), "/q/health/live");
            String error = g.health().data("postgres").path("last_error").asText();
            System.out.printf("dripping postgres: %d connections accepted in 12 s, at most %d of Guardian's open at "
                    + "once (%d at the server), the longest open %d ms; last error: %s; %s%n", drip.accepted(), most[0],
                    drip.mostOpen(), drip.longestOpenMillis(), error, probes);

            assertTrue(most[0] <= 1, "Guardian had up to " + most[0] + " connections to the dripping server open at "
                    + "once");
            assertTrue(drip.longestOpenMillis() < 2_000, "a connection stayed open " + drip.longestOpenMillis()
                    + " ms against an attempt timeout of 1000 ms (" + drip.accepted() + " accepted in all)");
            assertTrue(drip.accepted() >= 5, "only " + drip.accepted() + " connections in 12 s: each attempt should "
                    + "end at its deadline and the next connect afresh");
            assertEquals("no answer within 1000 ms (attempt timeout)", error, g.health().body());
            assertTrue(probes.clean(), probes.toString());
        }
    }

    @Test
    void aFrozenServerHasAtMostOneOfItsConnectionsInProgressAndIsNotFloodedWhenItResumes() {
        try (PostgresServer pg = PostgresServer.started(20)) {
            pg.createUser(ROLE, PASSWORD, "chat");
            try (GuardianProcess g = GuardianProcess.with("GUARDIAN_POSTGRES_URL", pg.url(ROLE, PASSWORD, "chat"),
                    "GUARDIAN_POSTGRES_TIMEOUT", "1s", "GUARDIAN_POSTGRES_INTERVAL", "200ms",
                    "GUARDIAN_STARTUP_BUDGET", "60s").start().awaitListening()) {
                g.awaitState("READY", Duration.ofSeconds(20));

                // Counts Guardian's backends from a session opened before the freeze, through the resume.
                PostgresServer.Sampler backends = pg.sampleConnections(ROLE, FREEZE.plus(Duration.ofSeconds(6)));
                long[] mostInProgress = { 0 };
                pg.freeze();
                try {
                    ProbeWindow.Result probes = ProbeWindow.run(g, FREEZE, Duration.ofSeconds(1),
                            Duration.ofMillis(200), answer -> mostInProgress[0] = Math.max(mostInProgress[0],
                                    ProcStats.tcpConnectionsTo(g.pid(), pg.port())), "/q/health/live");
                    assertTrue(probes.clean(), probes.toString());
                } finally {
                    pg.resume();
                }
                int most = backends.most();
                g.awaitState("READY", Duration.ofSeconds(30));
                long refused = pg.log().lines().filter(l -> l.contains("sorry, too many clients already")).count();
                System.out.printf("frozen postgres: up to %d of Guardian's connections to it open during the "
                        + "freeze; up to %d of its backends in pg_stat_activity after the resume; %d x 'too many "
                        + "clients' in the server's log%n", mostInProgress[0], most, refused);

                // One in progress, and aborted ones whose close is still under way: 1 in most runs, 3 once in a CI
                // run on loaded cores (not explained further). The point is the bound: 85 before the fix.
                assertTrue(mostInProgress[0] <= 3, "Guardian had up to " + mostInProgress[0] + " connections to the "
                        + "frozen server open at once; at most one in progress and two being closed");
                assertFalse(refused > 0, "the server refused " + refused + " connections with 'sorry, too many "
                        + "clients already' after the resume");
                assertTrue(most <= 1, "up to " + most + " backends of " + ROLE + " in pg_stat_activity at once "
                        + "after the resume");
            }
        }
    }
}
