package dev.guardian.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.guardian.config.CheckTiming;

/** The state machine alone: strict before the first READY, thresholds afterwards, FAILED and DRAINING final. */
class ReadinessEngineTest {
    private static final CheckTiming TIMING = new CheckTiming(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofMillis(50), Duration.ofMillis(200), 3, 2, 0.2);

    private final ReadinessEngine engine = new ReadinessEngine(Instant.now(), Duration.ofSeconds(20));
    private final List<String> transitions = new ArrayList<>();

    ReadinessEngineTest() {
        engine.addListener(new EngineListener() {
            @Override
            public void transitioned(State from, State to, Verdict verdict) {
                transitions.add(from + "->" + to);
            }
        });
        engine.register("postgres", "db:5432/chat", TIMING);
        engine.register("redis", "cache:6379", TIMING);
        engine.start();
    }

    private boolean ok(String check) {
        return engine.record(new Attempt(check, Instant.now(), 1_000, null, false, Map.of()));
    }

    private boolean fail(String check, String error) {
        return engine.record(new Attempt(check, Instant.now(), 1_000, error, false, Map.of()));
    }

    @Test
    void readyOnlyWhenEveryCheckPasses() {
        assertEquals(State.STARTING, engine.verdict().state());
        assertTrue(engine.verdict().reason().contains("redis (cache:6379): no attempt finished yet"));
        ok("postgres");
        assertEquals(State.STARTING, engine.verdict().state());
        ok("redis");
        assertEquals(State.READY, engine.verdict().state());
        assertTrue(engine.verdict().started());
        assertEquals(List.of("STARTING->READY"), transitions);
    }

    @Test
    void beforeReadyTheLastAttemptDecides() {
        ok("postgres");
        fail("postgres", "connection refused");
        ok("redis");
        assertEquals(State.STARTING, engine.verdict().state(), "no threshold grace before the first READY");
        assertTrue(engine.verdict().reason().contains("postgres (db:5432/chat): connection refused"));
    }

    @Test
    void afterReadyFailuresMustReachTheThreshold() {
        ok("postgres");
        ok("redis");
        assertFalse(fail("redis", "timeout"), "a failed attempt asks for a quick retry");
        fail("redis", "timeout");
        assertEquals(State.READY, engine.verdict().state(), "two failures are below the threshold of three");
        fail("redis", "timeout");
        assertEquals(State.NOT_READY, engine.verdict().state());
        assertTrue(engine.verdict().reason().startsWith("not ready: redis (cache:6379): timeout (3 consecutive"));

        assertFalse(ok("redis"), "one success is below the success threshold of two");
        assertEquals(State.NOT_READY, engine.verdict().state());
        assertTrue(ok("redis"));
        assertEquals(State.READY, engine.verdict().state());
        assertEquals(List.of("STARTING->READY", "READY->NOT_READY", "NOT_READY->READY"), transitions);
    }

    @Test
    void failedIsFinalAndDrainingWins() {
        fail("postgres", "connection refused");
        engine.budgetExpired();
        assertEquals(State.FAILED, engine.verdict().state());
        assertTrue(engine.verdict().reason().startsWith("startup budget of 20000 ms ran out; unmet: postgres"));
        ok("postgres");
        ok("redis");
        assertEquals(State.FAILED, engine.verdict().state());
        assertFalse(engine.verdict().started());
        engine.drain();
        assertEquals(State.DRAINING, engine.verdict().state());
        assertFalse(engine.verdict().ready());
    }

    @Test
    void budgetAfterReadyChangesNothing() {
        ok("postgres");
        ok("redis");
        engine.budgetExpired();
        assertEquals(State.READY, engine.verdict().state());
    }
}
