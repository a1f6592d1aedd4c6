package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.TcpListener;

/**
 * The detailed health JSON is one moment: its state and its check entries never contradict each other, even while
 * attempts finish between the entries being read. A TCP dependency that listens and stops every few milliseconds, with
 * thresholds of 1, flips Guardian between READY and NOT_READY hundreds of times while the test reads the JSON.
 */
class HealthDocumentIT {

    @Test
    void theStateAndTheCheckEntriesOfOneDocumentAgreeWhileTheCheckFlips() {
        try (TcpListener flapping = TcpListener.listening(); GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_TCP_FLAP_ADDRESS", "127.0.0.1:" + flapping.port(), "GUARDIAN_TCP_FLAP_TIMEOUT", "500ms",
                "GUARDIAN_TCP_FLAP_INTERVAL", "1ms", "GUARDIAN_TCP_FLAP_RETRY_INTERVAL", "1ms",
                "GUARDIAN_TCP_FLAP_RETRY_MAX_INTERVAL", "1ms", "GUARDIAN_TCP_FLAP_FAILURE_THRESHOLD", "1",
                "GUARDIAN_TCP_FLAP_SUCCESS_THRESHOLD", "1", "GUARDIAN_JITTER", "0").start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(30));
            Thread flipper = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    flapping.close();
                    LockSupport.parkNanos(3_000_000L); // pacing the flips
                    try {
                        flapping.open();
                    } catch (RuntimeException bindFailed) {
                        System.out.println("flipper: " + bindFailed);
                    }
                    LockSupport.parkNanos(3_000_000L);
                }
            }, "flipper");
            flipper.start();
            Map<String, Integer> states = new HashMap<>();
            List<String> contradictions = new ArrayList<>();
            int documents = 0;
            try {
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < end) {
                    Health h = g.management("/q/health");
                    documents++;
                    String state = h.state();
                    String check = h.check("flap").path("status").asText();
                    states.merge(state, 1, Integer::sum);
                    boolean agree = "READY".equals(state) ? "UP".equals(check) : "DOWN".equals(check);
                    if (!agree && contradictions.size() < 3) {
                        contradictions.add(h.body());
                    } else if (!agree) {
                        contradictions.add("(another)");
                    }
                }
            } finally {
                flipper.interrupt();
                joinQuietly(flipper); // before the listener closes: it must not listen again afterwards
            }
            System.out.printf("%d health documents while the check flipped: states %s, %d contradicting "
                    + "themselves%n", documents, states, contradictions.size());
            assertTrue(states.getOrDefault("READY", 0) > 0 && states.getOrDefault("NOT_READY", 0) > 0,
                    "the check flipped Guardian's state: " + states);
            assertEquals(List.of(), contradictions, "documents whose state and flap entry disagree");
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
