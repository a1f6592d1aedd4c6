package dev.guardian.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * The one engine: schedules every check, holds the state machine, spends the startup budget and watches that no
 * check's verdict grows old. Probes, metrics and logs read it; nothing in it knows a particular check.
 *
 * <p>The budget and the watchdog run on a thread of the engine's own, not on the checks' event loop: a loop that
 * something keeps busy (a peer's work, a blocking call) must not also stop what reports it as stalled.
 */
@Singleton
public class Engine {
    private static final Logger LOG = Logger.getLogger(Engine.class);
    /** How often the watchdog looks for checks whose loop stopped producing attempts. */
    private static final Duration WATCHDOG = Duration.ofMillis(250);

    private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
    private final List<CheckLoop> loops = new ArrayList<>();
    private volatile StateMachine machine;
    private volatile Verdict wiring = new Verdict(State.STARTING, ProcessClock.start(), "Guardian is wiring its checks",
            ProcessClock.start(), Duration.ZERO, null, List.of(), Map.of());
    private ScheduledExecutorService clock;

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

    /** Runs the checks' loops on {@code vertx}; the budget and the watchdog on the engine's own clock thread. */
    public synchronized void start(Settings settings, List<CheckSpec> specs, Vertx vertx, Secrets secrets) {
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
        clock = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "guardian-engine-clock");
            t.setDaemon(true);
            return t;
        });
        long left = settings.budget().minus(m.verdict().elapsed()).toNanos(); // to the nanosecond: never early
        clock.schedule(guarded("budget", m::budgetExpired), Math.max(0, left), TimeUnit.NANOSECONDS);
        clock.scheduleWithFixedDelay(guarded("watchdog", () -> m.expireStale(Instant.now(), loopsStarted)),
                WATCHDOG.toMillis(), WATCHDOG.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A periodic task that throws is never run again: log it and carry on instead. */
    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "the engine's %s failed", what);
            }
        };
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
        if (clock != null) {
            clock.shutdownNow();
        }
        loops.forEach(CheckLoop::stop);
        loops.clear();
    }
}
