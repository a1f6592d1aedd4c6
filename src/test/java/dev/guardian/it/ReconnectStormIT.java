package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.ChatBackend.Mode;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.ProbeWindow;
import dev.guardian.testing.ProcStats;

/**
 * A backend that accepts the upgrade and closes at once with 1011 (the incident's failure 2) must not be hammered:
 * the gate's retries and the heartbeat's reconnects back off with jitter, and Guardian stays cheap meanwhile.
 */
class ReconnectStormIT {
    static final Duration WINDOW = Duration.ofSeconds(10);

    @Test
    void aBackendClosingEveryConnectionAtOnceIsNotStormed() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.CLOSE_1011);
            try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                    "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.PING_SCRIPT,
                    "GUARDIAN_STARTUP_BUDGET", "120s").start().awaitListening()) {
                await("both the gate and the heartbeat met the closing backend").atMost(Duration.ofSeconds(20))
                        .until(() -> g.health().data("websocket").has("last_error")
                                && g.health().data("heartbeat").has("last_error"));

                long upgradesBefore = backend.upgrades();
                long cpuBefore = ProcStats.cpuMillis(g.pid());
                ProbeWindow.Result probes = ProbeWindow.run(g, WINDOW, Duration.ofSeconds(1), "/q/health/live");
                long upgrades = backend.upgrades() - upgradesBefore;
                long cpuMillis = ProcStats.cpuMillis(g.pid()) - cpuBefore;
                Health h = g.health();
                String gate = h.data("websocket").path("last_error").asText();
                String heartbeat = h.data("heartbeat").path("last_error").asText();
                System.out.printf("reconnect storm: %d upgrades and %d ms of Guardian CPU in %s; %s; websocket: %s;"
                        + " heartbeat: %s%n", upgrades, cpuMillis, WINDOW, probes, gate, heartbeat);

                assertTrue(upgrades <= 100, "the backend saw " + upgrades + " upgrades in " + WINDOW
                        + " (at most 100: every retry and reconnect backs off)");
                // Sanity bound, not a benchmark: a reconnect storm keeps a core busy.
                assertTrue(cpuMillis < 3_000, "Guardian used " + cpuMillis + " ms of CPU in " + WINDOW);
                assertTrue(probes.clean(), probes.toString());

                assertTrue(gate.startsWith("closed by the server with code 1011 (handler could not be built)"), gate);
                assertTrue(heartbeat.startsWith("heartbeat connection closed by the server with code 1011"), heartbeat);

                backend.mode(Mode.HEALTHY);
                g.awaitState("READY", Duration.ofSeconds(30));
            }
        }
    }
}
