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

import io.smallrye.mutiny.Uni;

/** The state machine alone: strict before the first READY, thresholds afterwards, roles, FAILED and DRAINING. */
class StateMachineTest {
    private static final Timing TIMING = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofMillis(50), Duration.ofMillis(200), 3, 2, 0.2);
    private static final Check NOTHING = () -> Uni.createFrom().item(Map.of());

    private final List<String> transitions = new ArrayList<>();

    private StateMachine machine(boolean failedIsFinal, CheckSpec... specs) {
        EngineListener listener = new EngineListener() {
            @Override
            public void transitioned(State from, State to, Verdict verdict) {
                transitions.add(from + "->" + to);
            }
        };
        StateMachine m = new StateMachine(List.of(specs), Instant.now(), Duration.ofSeconds(20), failedIsFinal,
                Map.of("lb_profile", "none"), List.of(listener));
        m.start();
        return m;
    }

    private static CheckSpec spec(String name, String target, Role role) {
        return new CheckSpec(name, name, target, role, TIMING, NOTHING);
    }

    private StateMachine twoRequired() {
        return machine(true, spec("postgres", "db:5432/chat", Role.REQUIRED), spec("redis", "cache:6379", Role.REQUIRED));
    }

    private static boolean ok(StateMachine m, String check) {
        return m.record(new Attempt(check, Instant.now(), 1_000, null, false, Map.of()));
    }

    private static boolean fail(StateMachine m, String check, String error) {
        return m.record(new Attempt(check, Instant.now(), 1_000, error, false, Map.of()));
    }

    @Test
    void readyOnlyWhenEveryCheckPasses() {
        StateMachine m = twoRequired();
        assertEquals(State.STARTING, m.verdict().state());
        assertTrue(m.verdict().reason().contains("redis (cache:6379): no attempt finished yet"));
        ok(m, "postgres");
        assertEquals(State.STARTING, m.verdict().state());
        ok(m, "redis");
        assertEquals(State.READY, m.verdict().state());
        assertTrue(m.verdict().started());
        assertEquals("all checks passing: postgres, redis", m.verdict().reason());
        assertEquals(Map.of("lb_profile", "none"), m.verdict().facts());
        assertEquals(List.of("STARTING->READY"), transitions);
    }

    @Test
    void beforeReadyTheLastAttemptDecides() {
        StateMachine m = twoRequired();
        ok(m, "postgres");
        fail(m, "postgres", "connection refused");
        ok(m, "redis");
        assertEquals(State.STARTING, m.verdict().state(), "no threshold grace before the first READY");
        assertTrue(m.verdict().reason().contains("postgres (db:5432/chat): connection refused"));
    }

    @Test
    void afterReadyFailuresMustReachTheThreshold() {
        StateMachine m = twoRequired();
        ok(m, "postgres");
        ok(m, "redis");
        assertFalse(fail(m, "redis", "timeout"), "a failed attempt asks for a quick retry");
        fail(m, "redis", "timeout");
        assertEquals(State.READY, m.verdict().state(), "two failures are below the threshold of three");
        fail(m, "redis", "timeout");
        assertEquals(State.NOT_READY, m.verdict().state());
        assertTrue(m.verdict().reason().startsWith("not ready: redis (cache:6379): timeout (3 consecutive"));

        assertFalse(ok(m, "redis"), "one success is below the success threshold of two");
        assertEquals(State.NOT_READY, m.verdict().state());
        assertTrue(ok(m, "redis"));
        assertEquals(State.READY, m.verdict().state());
        assertEquals(List.of("STARTING->READY", "READY->NOT_READY", "NOT_READY->READY"), transitions);
    }

    @Test
    void failedIsFinalAndDrainingWins() {
        StateMachine m = twoRequired();
        fail(m, "postgres", "connection refused");
        m.budgetExpired();
        assertEquals(State.FAILED, m.verdict().state());
        assertTrue(m.verdict().reason().startsWith("startup budget of 20000 ms ran out; unmet: postgres"));
        ok(m, "postgres");
        ok(m, "redis");
        assertEquals(State.FAILED, m.verdict().state());
        assertFalse(m.verdict().started());
        m.drain();
        assertEquals(State.DRAINING, m.verdict().state());
        assertFalse(m.verdict().ready());
    }

    @Test
    void failedRecoversWhenNotFinal() {
        StateMachine m = machine(false, spec("postgres", "db:5432/chat", Role.REQUIRED));
        fail(m, "postgres", "connection refused");
        m.budgetExpired();
        assertEquals(State.FAILED, m.verdict().state());
        ok(m, "postgres");
        assertEquals(State.READY, m.verdict().state(), "Kubernetes: readiness follows the checks after the budget");
        assertTrue(m.verdict().started());
        assertEquals(List.of("STARTING->FAILED", "FAILED->READY"), transitions);
    }

    @Test
    void budgetAfterReadyChangesNothing() {
        StateMachine m = twoRequired();
        ok(m, "postgres");
        ok(m, "redis");
        m.budgetExpired();
        assertEquals(State.READY, m.verdict().state());
    }

    @Test
    void rolesDecideWhatGates() {
        StateMachine m = machine(true, spec("postgres", "db:5432/chat", Role.REQUIRED),
                spec("sessions", "cache:6379", Role.STARTUP), spec("replica", "replica:5432/chat", Role.INFORMATIONAL));
        ok(m, "postgres");
        fail(m, "replica", "connection refused");
        assertEquals(State.STARTING, m.verdict().state(), "a startup check gates startup");
        assertTrue(m.verdict().reason().startsWith("waiting for sessions (cache:6379): no attempt finished yet; "
                + "failing, not gating: replica (replica:5432/chat): connection refused"), m.verdict().reason());
        ok(m, "sessions");
        assertEquals(State.READY, m.verdict().state(), "an informational check never gates");
        for (int i = 0; i < 5; i++) {
            fail(m, "sessions", "timeout");
        }
        assertEquals(State.READY, m.verdict().state(), "after READY a startup check only reports");
        assertTrue(m.verdict().reason().contains("failing, not gating: sessions (cache:6379): timeout"),
                m.verdict().reason());
        for (int i = 0; i < 3; i++) {
            fail(m, "postgres", "timeout");
        }
        assertEquals(State.NOT_READY, m.verdict().state(), "a required check gates readiness");
    }

    @Test
    void aCheckWhoseLoopStallsTurnsDownWithAReason() {
        StateMachine m = twoRequired();
        Instant started = Instant.now();
        ok(m, "postgres");
        ok(m, "redis");
        // staleAfter = max(interval 5 s, retry max) × 1.2 + timeout 1 s + 1 s of slack = 8 s
        m.expireStale(started.plusSeconds(7), started);
        assertEquals(State.READY, m.verdict().state());
        m.expireStale(Instant.now().plusSeconds(9), started);
        assertEquals(State.NOT_READY, m.verdict().state());
        assertTrue(m.verdict().reason().contains("postgres (db:5432/chat): no attempt finished for "), m.verdict().reason());
        assertTrue(m.verdict().reason().contains(" ms: the check's loop has stalled"), m.verdict().reason());
    }

    @Test
    void backoffDoublesFromTheLastSuccess() {
        Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.2);
        assertEquals(50, b.delay(1, 0.5).toMillis());
        assertEquals(100, b.delay(2, 0.5).toMillis());
        assertEquals(200, b.delay(3, 0.5).toMillis());
        assertEquals(200, b.delay(40, 0.5).toMillis(), "capped, also far past the doublings a long can hold");
        assertEquals(40, b.delay(1, 0).toMillis(), "jitter spreads by -20 %");
        assertEquals(60, b.delay(1, 1).toMillis(), "and by +20 %");
    }
}
