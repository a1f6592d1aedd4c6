package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.guardian.config.CheckTiming;

/**
 * The state machine: STARTING → READY ⇄ NOT_READY, FAILED when the startup budget runs out first, DRAINING on
 * shutdown. Attempts are recorded from any thread; every change publishes a new immutable {@link Verdict} that
 * probes read without locking.
 */
public final class ReadinessEngine {
    private final Map<String, CheckRecord> checks = new LinkedHashMap<>();
    private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
    private final Instant processStart;
    private final Duration budget;
    private State state = State.STARTING;
    private Instant since;
    private Duration startupDuration;
    private volatile Verdict verdict;

    public ReadinessEngine(Instant processStart, Duration budget) {
        this.processStart = processStart;
        this.budget = budget;
        this.since = processStart;
        publish();
    }

    public synchronized void register(String name, String target, CheckTiming timing) {
        checks.put(name, new CheckRecord(name, target, timing));
        publish();
    }

    public void addListener(EngineListener listener) {
        listeners.add(listener);
    }

    /** Evaluates the checks once all are registered; with none configured there is nothing to wait for. */
    public synchronized void start() {
        evaluate();
        publish();
    }

    public Verdict verdict() {
        return verdict;
    }

    /**
     * Records one attempt and re-evaluates the state.
     *
     * @return true when the check is healthy and passed this attempt, so its loop may slow to the steady interval
     */
    public synchronized boolean record(Attempt attempt) {
        CheckRecord record = checks.get(attempt.check());
        record.apply(attempt, startupDuration != null);
        CheckSnapshot after = record.snapshot();
        evaluate();
        publish();
        for (EngineListener l : listeners) {
            l.attempted(attempt, after);
        }
        return after.healthy() && attempt.ok();
    }

    public synchronized void budgetExpired() {
        if (state == State.STARTING) {
            transition(State.FAILED);
            publish();
        }
    }

    public synchronized void drain() {
        if (state != State.DRAINING) {
            transition(State.DRAINING);
            publish();
        }
    }

    private void evaluate() {
        boolean allHealthy = checks.values().stream().allMatch(c -> c.snapshot().healthy());
        switch (state) {
            case STARTING, NOT_READY -> {
                if (allHealthy) {
                    transition(State.READY);
                }
            }
            case READY -> {
                if (!allHealthy) {
                    transition(State.NOT_READY);
                }
            }
            default -> {
                // FAILED and DRAINING are final: the checks go on only to keep the health JSON current.
            }
        }
    }

    private void transition(State to) {
        State from = state;
        Instant now = Instant.now();
        state = to;
        since = now;
        if (to == State.READY && startupDuration == null) {
            startupDuration = Duration.between(processStart, now);
        }
        publish();
        for (EngineListener l : listeners) {
            l.transitioned(from, to, verdict);
        }
    }

    private void publish() {
        List<CheckSnapshot> snapshots = new ArrayList<>(checks.size());
        for (CheckRecord r : checks.values()) {
            snapshots.add(r.snapshot());
        }
        verdict = new Verdict(state, since, reason(snapshots), processStart, budget, startupDuration,
                List.copyOf(snapshots));
    }

    private String reason(List<CheckSnapshot> snapshots) {
        String unmet = snapshots.stream().filter(s -> !s.healthy()).map(ReadinessEngine::describe)
                .collect(Collectors.joining("; "));
        return switch (state) {
            case READY -> snapshots.isEmpty() ? "no checks configured"
                    : "all checks passing: " + snapshots.stream().map(CheckSnapshot::name)
                            .collect(Collectors.joining(", "));
            case STARTING -> "waiting for " + unmet;
            case NOT_READY -> "not ready: " + unmet;
            case FAILED -> "startup budget of " + budget.toMillis() + " ms ran out; " + (unmet.isEmpty()
                    ? "every check passes now, but too late: restart the instance" : "unmet: " + unmet);
            case DRAINING -> "draining: shutdown requested, refusing new traffic";
        };
    }

    /** "postgres (127.0.0.1:5432/chat): connection refused, 12 attempts" */
    static String describe(CheckSnapshot s) {
        String what = s.name() + " (" + s.target() + ")";
        if (!s.attempted()) {
            return what + ": no attempt finished yet";
        }
        String error = s.lastError() == null ? "passing again, not yet past its success threshold"
                : s.lastAttemptOk() ? "recovering after: " + s.lastError() : s.lastError();
        return what + ": " + error + " (" + (s.lastAttemptOk() ? s.consecutiveSuccesses() + " consecutive successes"
                : s.consecutiveFailures() + " consecutive failures") + ", " + s.attempts() + " attempts)";
    }
}
