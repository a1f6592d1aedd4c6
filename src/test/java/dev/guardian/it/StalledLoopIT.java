package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.Ports;
import dev.guardian.testing.ProbeWindow;
import dev.guardian.testing.ScramStallServer;
import dev.guardian.testing.TcpListener;

/**
 * A real peer stalls the checks' event loop, and the verdict still turns: a "Postgres" asking for 2^31 - 1 SCRAM
 * iterations keeps the loop that every check runs on deriving a key for half an hour. The checks stop producing
 * attempts; the engine's watchdog, on a thread of its own, turns them DOWN with the reason, while the probes (on
 * Quarkus' event loops) answer throughout. With the watchdog on the checks' loop, Guardian stayed READY on a
 * verdict nobody was renewing.
 */
class StalledLoopIT {
    private static final Pattern STALLED = Pattern.compile(
            "vectors \\(127\\.0\\.0\\.1:\\d+\\): no attempt finished for (\\d+) ms: the check's loop has stalled");

    @Test
    void aPeerThatStallsTheChecksLoopTurnsTheVerdictDownWithTheReason() {
        int postgresPort = Ports.free();
        try (TcpListener vectors = TcpListener.listening(); GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_STARTUP_BUDGET", "60s", "GUARDIAN_SHUTDOWN_DRAIN", "0s",
                "GUARDIAN_TCP_VECTORS_ADDRESS", "127.0.0.1:" + vectors.port(), "GUARDIAN_TCP_VECTORS_TIMEOUT", "500ms",
                "GUARDIAN_TCP_VECTORS_INTERVAL", "200ms", "GUARDIAN_TCP_VECTORS_RETRY_MAX_INTERVAL", "500ms",
                // Informational: refused (nothing listens yet) while the verdict turns READY on the TCP check.
                "GUARDIAN_POSTGRES_URL", "postgresql://chat:Stall-Secret-81c3@127.0.0.1:" + postgresPort + "/chat",
                "GUARDIAN_POSTGRES_ROLE", "informational", "GUARDIAN_POSTGRES_TIMEOUT", "1s",
                "GUARDIAN_POSTGRES_RETRY_MAX_INTERVAL", "500ms").start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(30));

            try (ScramStallServer stall = new ScramStallServer(postgresPort)) {
                await("the postgres check's connection was sent the iteration count").atMost(Duration.ofSeconds(10))
                        .until(() -> stall.challenges() >= 1);
                long stalledAt = System.nanoTime();
                long[] notReadyAfter = { -1 };
                ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(6), Duration.ofSeconds(1),
                        Duration.ofMillis(100), answer -> {
                            if (notReadyAfter[0] < 0 && "NOT_READY".equals(answer.state())) {
                                notReadyAfter[0] = (System.nanoTime() - stalledAt) / 1_000_000;
                            }
                        }, "/q/health/ready", "/q/health/live");
                Health h = g.awaitState("NOT_READY", Duration.ofSeconds(15));
                long age = h.data("vectors").path("last_attempt_age_ms").asLong(-1);
                System.out.printf("stalled checks' loop: the probes said NOT_READY %d ms after the SCRAM challenge; "
                        + "vectors' last attempt %d ms old; %s; reason: %s%n", notReadyAfter[0], age, probes,
                        h.reason());

                Matcher m = STALLED.matcher(h.reason());
                assertTrue(m.find(), h.reason());
                assertTrue(age >= Long.parseLong(m.group(1)), "last_attempt_age_ms " + age + ": " + h.body());
                assertTrue(probes.clean(), "probes while the checks' loop was stalled: " + probes);
                assertTrue(g.get("/q/health/live", Duration.ofSeconds(1)).code() == 200, "liveness");
            }
        }
    }
}
