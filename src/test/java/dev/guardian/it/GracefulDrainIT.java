package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;

/** SIGTERM: DRAINING at once while probes are still answered, loopback connections closed with 1001, exit 0. */
class GracefulDrainIT extends WithChatBackend {

    @Test
    void sigtermDrainsAndExitsZeroWithinTheGrace() {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_HEARTBEAT_INTERVAL", "200ms", "GUARDIAN_SHUTDOWN_DRAIN", "2s").start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> g.health().data("heartbeat").path("connected")
                    .asBoolean());
            long goingAwayBefore = backend.closes(1001);

            long sent = System.nanoTime();
            g.sigterm();
            // As soon as the signal is handled (milliseconds): readiness 503 with DRAINING.
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> {
                Health h = g.get("/q/health/ready");
                return h.code() == 503 && "DRAINING".equals(h.state());
            });
            assertEquals(200, g.get("/q/health/live").code(), "probes are still answered while draining");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.closes(1001) > goingAwayBefore);

            assertEquals(0, g.awaitExit(Duration.ofSeconds(15)), g.output());
            long tookMillis = (System.nanoTime() - sent) / 1_000_000;
            // 2 s drain plus shutdown; well inside Cloud Run's 10 s between SIGTERM and SIGKILL.
            assertTrue(tookMillis < 8_000, "exit took " + tookMillis + " ms");
            assertTrue(g.output().contains("state READY -> DRAINING"), g.output());
        }
    }
}
