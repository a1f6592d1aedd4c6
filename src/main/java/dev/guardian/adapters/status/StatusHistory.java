package dev.guardian.adapters.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.guardian.engine.Attempt;
import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;

/** The recent past for the status page: each check's last attempts and the last transitions, bounded. */
@Singleton
class StatusHistory implements EngineListener {
    static final int ATTEMPTS_PER_CHECK = 20;
    static final int TRANSITIONS = 50;

    record Transition(Instant at, State from, State to, String reason) {
    }

    private final Map<String, Deque<Attempt>> attempts = new HashMap<>();
    private final Deque<Transition> transitions = new ArrayDeque<>();

    @Override
    public synchronized void attempted(Attempt attempt, CheckSnapshot after) {
        Deque<Attempt> recent = attempts.computeIfAbsent(attempt.check(), k -> new ArrayDeque<>());
        recent.addFirst(attempt);
        if (recent.size() > ATTEMPTS_PER_CHECK) {
            recent.removeLast();
        }
    }

    @Override
    public synchronized void transitioned(State from, State to, Verdict verdict) {
        transitions.addFirst(new Transition(verdict.since(), from, to, verdict.reason()));
        if (transitions.size() > TRANSITIONS) {
            transitions.removeLast();
        }
    }

    /** Newest first. */
    synchronized List<Attempt> attempts(String check) {
        return new ArrayList<>(attempts.getOrDefault(check, new ArrayDeque<>()));
    }

    /** Newest first. */
    synchronized List<Transition> transitions() {
        return new ArrayList<>(transitions);
    }
}
