package dev.guardian.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.StartTimes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A check's loop on a real Vert.x, driven by a scripted {@link Check} (the engine's own contract, not a stand-in for
 * a dependency): the retry backoff counts failures from the last success, so the first retry after a success waits
 * the minimum again, however long the burst before it was.
 */
class CheckLoopTest {
    private static final Duration RETRY = Duration.ofMillis(20);
    private static final Duration RETRY_MAX = Duration.ofMillis(640);
    /** No jitter: the delays are the schedule itself. Interval short so the success is followed at once. */
    private static final Timing TIMING = new Timing(Duration.ofSeconds(1), Duration.ofMillis(50), RETRY, RETRY_MAX,
            3, 1, 0);

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void afterAFailureBurstAndASuccessTheNextRetryWaitsTheMinimumAgain() {
        // 6 failures take the backoff to its maximum (20, 40, 80, 160, 320, 640 ms), then a success, then failures.
        Script script = new Script("FFFFFFF" + "S" + "FFF");
        CheckSpec spec = new CheckSpec("scripted", "test", "script", Role.REQUIRED, TIMING, script);
        StateMachine machine = new StateMachine(List.of(spec), Instant.now(), Duration.ofMinutes(5), true, Map.of(),
                List.of());
        machine.start();
        CheckLoop loop = new CheckLoop(spec, machine, new Secrets(), vertx);
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(script::done);
        } finally {
            loop.stop();
        }
        List<Long> gaps = script.gapsMillis();
        String figures = "gaps between attempts (ms): " + gaps;
        System.out.println("check loop backoff: " + figures);
        // The burst: each retry waits at least the doubled delay, up to the maximum.
        assertTrue(gaps.get(5) >= RETRY_MAX.toMillis() && gaps.get(6) >= RETRY_MAX.toMillis(), figures);
        // The success (attempt 8) is followed after the interval; the failure after it (attempt 9) is retried after
        // the minimum, not the maximum it was at before the success.
        long afterSuccess = gaps.get(8);
        assertTrue(afterSuccess >= RETRY.toMillis() && afterSuccess < RETRY_MAX.toMillis() / 2, "the first retry "
                + "after a success waited " + afterSuccess + " ms: the backoff did not start again from "
                + RETRY.toMillis() + " ms; " + figures);
        assertTrue(gaps.get(9) >= 2 * RETRY.toMillis() && gaps.get(9) < RETRY_MAX.toMillis() / 2, figures);
    }

    /** Attempts that fail (F) or pass (S) in the given order, each noting when it started. */
    private static final class Script implements Check {
        private final String outcomes;
        private final StartTimes attempts = new StartTimes();

        Script(String outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public Uni<Map<String, Object>> attempt() {
            int n = attempts.note();
            if (n < outcomes.length() && outcomes.charAt(n) == 'S') {
                return Uni.createFrom().item(Map.of());
            }
            return Uni.createFrom().failure(new CheckFailure("scripted failure " + (n + 1)));
        }

        boolean done() {
            return attempts.count() > outcomes.length();
        }

        /** gaps[i]: from the start of attempt i+1 to the start of attempt i+2 (one-based). */
        List<Long> gapsMillis() {
            return attempts.gapsMillis();
        }
    }
}
