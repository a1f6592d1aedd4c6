package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * STARTING → READY ⇄ NOT_READY, FAILED when the startup budget runs out first, DRAINING on shutdown. Attempts are
 * recorded from any thread; every change publishes a new immutable {@link Verdict} that probes read without locking.
 * Before the first READY the checks that gate startup decide; afterwards those that gate readiness.
 */
final class StateMachine {
    private final Map<String, CheckRecord> checks = new LinkedHashMap<>();
    private final List<EngineListener> listeners;
    private final Instant processStart;
    private final Duration budget;
    private final boolean failedIsFinal;
    private final Map<String, Object> facts;
    private State state = State.STARTING;
    private Instant since;
    private Duration startupDuration;
    private volatile Verdict verdict;

    /** @param failedIsFinal false: once every check passes after FAILED, READY still comes (Kubernetes) */
    StateMachine(List<CheckSpec> specs, Instant processStart, Duration budget, boolean failedIsFinal,
            Map<String, Object> facts, List<EngineListener> listeners) {
        this.processStart = processStart;
        this.budget = budget;
        this.failedIsFinal = failedIsFinal;
        this.facts = Map.copyOf(facts);
        this.listeners = listeners;
        this.since = processStart;
        for (CheckSpec spec : specs) {
            checks.put(spec.name(), new CheckRecord(spec));
        }
        publish();
    }

    /** With nothing to check there is nothing to wait for. */
    synchronized void start() {
        evaluate();
        publish();
    }

    Verdict verdict() {
        return verdict;
    }

    /**
     * Records one attempt and re-evaluates the state.
     *
     * @return true when the check is healthy and passed this attempt, so its loop may slow to the steady interval
     */
    synchronized boolean record(Attempt attempt) {
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

    /** Marks every check whose latest attempt is older than its timing allows as failing, with the reason. */
    synchronized void expireStale(Instant now, Instant loopsStarted) {
        boolean changed = false;
        for (CheckRecord r : checks.values()) {
            Instant last = r.lastFinished() == null ? loopsStarted : r.lastFinished();
            Duration age = Duration.between(last, now);
            if (age.compareTo(r.spec().timing().staleAfter()) > 0 && r.snapshot().healthy()) {
                r.stale("no attempt finished for " + age.toMillis() + " ms: the check's loop has stalled");
                changed = true;
            }
        }
        if (changed) {
            evaluate();
            publish();
        }
    }

    synchronized void budgetExpired() {
        if (state == State.STARTING) {
            transition(State.FAILED);
            publish();
        }
    }

    synchronized void drain() {
        if (state != State.DRAINING) {
            transition(State.DRAINING);
            publish();
        }
    }

    private void evaluate() {
        switch (state) {
            case STARTING -> {
                if (allHealthy(Role::gatesStartup)) {
                    transition(State.READY);
                }
            }
            case FAILED -> {
                if (!failedIsFinal && allHealthy(Role::gatesStartup)) {
                    transition(State.READY);
                }
            }
            case READY -> {
                if (!allHealthy(Role::gatesReadiness)) {
                    transition(State.NOT_READY);
                }
            }
            case NOT_READY -> {
                if (allHealthy(Role::gatesReadiness)) {
                    transition(State.READY);
                }
            }
            default -> {
                // DRAINING is final: the checks go on only to keep the health JSON current until exit.
            }
        }
    }

    private boolean allHealthy(Predicate<Role> gates) {
        return checks.values().stream().map(CheckRecord::snapshot).filter(s -> gates.test(s.role()))
                .allMatch(CheckSnapshot::healthy);
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
                List.copyOf(snapshots), facts);
    }

    private String reason(List<CheckSnapshot> snapshots) {
        Predicate<Role> gating = startupDuration == null ? Role::gatesStartup : Role::gatesReadiness;
        String unmet = describeUnhealthy(snapshots, s -> gating.test(s.role()));
        String reported = describeUnhealthy(snapshots, s -> !gating.test(s.role()));
        String notGating = reported.isEmpty() ? "" : "; failing, not gating: " + reported;
        return switch (state) {
            case READY -> (snapshots.isEmpty() ? "no checks configured"
                    : "all checks passing: " + snapshots.stream().filter(CheckSnapshot::healthy)
                            .map(CheckSnapshot::name).collect(Collectors.joining(", "))) + notGating;
            case STARTING -> "waiting for " + unmet + notGating;
            case NOT_READY -> "not ready: " + unmet + notGating;
            case FAILED -> "startup budget of " + budget.toMillis() + " ms ran out; " + (unmet.isEmpty()
                    ? "every check passes now, but too late: restart the instance" : "unmet: " + unmet);
            case DRAINING -> "draining: shutdown requested, refusing new traffic";
        };
    }

    private static String describeUnhealthy(List<CheckSnapshot> snapshots, Predicate<CheckSnapshot> which) {
        return snapshots.stream().filter(s -> !s.healthy()).filter(which).map(StateMachine::describe)
                .collect(Collectors.joining("; "));
    }

    /** "postgres (127.0.0.1:5432/chat): connection refused (12 consecutive failures, 12 attempts)" */
    static String describe(CheckSnapshot s) {
        String what = s.name() + " (" + s.target() + ")";
        if (!s.attempted()) {
            return what + ": " + (s.lastError() == null ? "no attempt finished yet" : s.lastError());
        }
        String error = s.lastError() == null ? "passing again, not yet past its success threshold"
                : s.lastAttemptOk() ? "recovering after: " + s.lastError() : s.lastError();
        return what + ": " + error + " (" + (s.lastAttemptOk() ? s.consecutiveSuccesses() + " consecutive successes"
                : s.consecutiveFailures() + " consecutive failures") + ", " + s.attempts() + " attempts)";
    }
}
