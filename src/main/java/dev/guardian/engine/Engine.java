package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Singleton;

import io.vertx.core.Vertx;

/**
 * The one engine: schedules every check, holds the state machine, spends the startup budget and watches that no
 * check's verdict grows old. Probes, metrics and logs read it; nothing in it knows a particular check.
 */
@Singleton
public class Engine {
    /** How often the watchdog looks for checks whose loop stopped producing attempts. */
    private static final Duration WATCHDOG = Duration.ofMillis(250);

    private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
    private final List<CheckLoop> loops = new ArrayList<>();
    private volatile StateMachine machine;
    private volatile Verdict wiring = new Verdict(State.STARTING, ProcessClock.start(), "Guardian is wiring its checks",
            ProcessClock.start(), Duration.ZERO, null, List.of(), Map.of());
    private Vertx vertx;
    private long budgetTimer = -1;
    private long watchdogTimer = -1;

    /** What the engine is told at start: the budget and what FAILED means, and fixed facts for the health JSON. */
    public record Settings(Duration budget, boolean failedIsFinal, Map<String, Object> facts) {
    }

    /** Listeners see every attempt and transition, in order, under the state machine's lock: keep them quick. */
    public void addListener(EngineListener listener) {
        listeners.add(listener);
    }

    /** The current verdict, also before {@link #start}: STARTING while the checks are wired. */
    public Verdict verdict() {
        StateMachine m = machine;
        return m == null ? wiring : m.verdict();
    }

    public synchronized void start(Settings settings, List<CheckSpec> specs, Vertx vertx, Secrets secrets) {
        this.vertx = vertx;
        StateMachine m = new StateMachine(specs, ProcessClock.start(), settings.budget(), settings.failedIsFinal(),
                settings.facts(), listeners);
        machine = m;
        listeners.forEach(l -> l.started(m.verdict()));
        m.start();
        Instant loopsStarted = Instant.now();
        for (CheckSpec spec : specs) {
            CheckLoop loop = new CheckLoop(spec, m, secrets, vertx);
            loops.add(loop);
            loop.start();
        }
        long left = settings.budget().minus(m.verdict().elapsed()).toMillis();
        budgetTimer = vertx.setTimer(Math.max(1, left), id -> m.budgetExpired());
        watchdogTimer = vertx.setPeriodic(WATCHDOG.toMillis(), id -> m.expireStale(Instant.now(), loopsStarted));
    }

    /**
     * Shutdown: readiness turns DOWN at once (DRAINING), every check is told to go away (connections close with
     * 1001) and the attempts in flight are cancelled.
     */
    public synchronized void drain() {
        StateMachine m = machine;
        if (m == null) {
            return;
        }
        m.drain();
        if (vertx != null) {
            vertx.cancelTimer(budgetTimer);
            vertx.cancelTimer(watchdogTimer);
        }
        loops.forEach(CheckLoop::stop);
        loops.clear();
    }
}
