package dev.guardian.adapters;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import sun.misc.Signal;

import dev.guardian.checks.AuthCheck;
import dev.guardian.checks.PostgresCheck;
import dev.guardian.checks.RedisCheck;
import dev.guardian.checks.websocket.HeartbeatKeeper;
import dev.guardian.checks.websocket.TokenSource;
import dev.guardian.checks.websocket.TokenSources;
import dev.guardian.checks.websocket.WebSocketCheck;
import dev.guardian.config.CheckTiming;
import dev.guardian.config.GuardianConfig;
import dev.guardian.config.Secrets;
import dev.guardian.config.Settings;
import dev.guardian.config.SettingsParser;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckLoop;
import dev.guardian.engine.ReadinessEngine;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

/**
 * Wires configuration, checks and engine together at startup, and takes them down at shutdown. Invalid
 * configuration stops startup here, before any check runs.
 */
@Singleton
public class Guardian {
    /** Exit code when the startup budget runs out and guardian.startup.exit-on-failure is set. */
    public static final int EXIT_BUDGET_EXHAUSTED = 3;
    private static final Logger LOG = Logger.getLogger(Guardian.class);

    @Inject
    GuardianConfig config;
    @Inject
    Secrets secrets;
    @Inject
    Vertx vertx;
    @Inject
    HealthEntries healthEntries;
    @Inject
    MetricsAdapter metrics;

    private volatile ReadinessEngine engine;
    private final List<Cancellable> loops = new ArrayList<>();
    private long budgetTimer = -1;
    private HeartbeatKeeper keeper;
    private final TransitionLog transitionLog = new TransitionLog();
    private boolean drained;
    /** Set on shutdown: probe connections then close with 1001 (going away) instead of 1000. */
    private final AtomicBoolean goingAway = new AtomicBoolean();
    private volatile Envelope envelope = Envelope.NONE;

    void start(@Observes @Priority(1) StartupEvent event) {
        Settings settings = SettingsParser.parse(config, secrets);
        exitZeroOnSigterm();
        // An attempt cancelled at its deadline may still fail later (connection refused after the timeout):
        // expected, already reported as a timeout, not worth a stack trace.
        Infrastructure.setDroppedExceptionHandler(t -> LOG.debugf("late failure of a cancelled attempt: %s",
                secrets.scrub(String.valueOf(t))));
        ReadinessEngine engine = new ReadinessEngine(processStart(), settings.budget());
        engine.addListener(transitionLog);
        engine.addListener(metrics);
        List<Check> checks = new ArrayList<>();
        List<CheckTiming> timings = new ArrayList<>();
        settings.postgres().ifPresent(p -> add(checks, timings, new PostgresCheck(vertx, p), p.timing()));
        settings.redis().ifPresent(r -> add(checks, timings, new RedisCheck(vertx, r), r.timing()));
        settings.auth().ifPresent(a -> add(checks, timings, new AuthCheck(vertx, a), a.timing()));
        TokenSource backendTokens = settings.backend().map(b -> TokenSources.of(b.auth(), vertx, secrets))
                .orElse(TokenSource.NONE);
        settings.backend().ifPresent(b -> add(checks, timings, new WebSocketCheck(b, backendTokens, goingAway), b.timing()));
        for (int i = 0; i < checks.size(); i++) {
            engine.register(checks.get(i).name(), checks.get(i).target(), timings.get(i));
        }
        settings.heartbeat().ifPresent(h -> engine.register(HeartbeatKeeper.NAME, settings.backend().get().display(),
                h.timing()));
        envelope = Envelope.of(settings);
        envelope.log();
        metrics.bind(engine);
        healthEntries.register(engine);
        this.engine = engine;
        engine.start();
        if (checks.isEmpty()) {
            LOG.warn("no check configured (set GUARDIAN_POSTGRES_URL, GUARDIAN_REDIS_URL or GUARDIAN_AUTH_URL): "
                    + "Guardian reports READY at once");
        }
        for (int i = 0; i < checks.size(); i++) {
            loops.add(new CheckLoop(checks.get(i), timings.get(i), engine, secrets).start());
        }
        if (settings.heartbeat().isPresent()) {
            keeper = new HeartbeatKeeper(vertx, settings.backend().get(), settings.heartbeat().get(), backendTokens,
                    engine, metrics, secrets);
            metrics.bindHeartbeat();
            keeper.start();
        }
        scheduleBudget(engine, settings);
    }

    private static void add(List<Check> checks, List<CheckTiming> timings, Check check, CheckTiming timing) {
        checks.add(check);
        timings.add(timing);
    }

    private void scheduleBudget(ReadinessEngine engine, Settings settings) {
        Duration left = settings.budget().minus(engine.verdict().elapsed());
        budgetTimer = vertx.setTimer(Math.max(1, left.toMillis()), id -> {
            engine.budgetExpired();
            if (engine.verdict().state() == State.FAILED && settings.exitOnFailure()) {
                LOG.errorf("exiting with code %d (guardian.startup.exit-on-failure=true) so that the platform "
                        + "restarts the instance", EXIT_BUDGET_EXHAUSTED);
                transitionLog.flush();
                Quarkus.asyncExit(EXIT_BUDGET_EXHAUSTED);
            }
        });
    }

    /**
     * SIGTERM: readiness turns DOWN at once (DRAINING) while the HTTP server keeps answering for the drain delay,
     * loopback connections close with 1001 and in-flight checks are cancelled.
     */
    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        drainNow();
    }

    /** Also reached directly when no drain delay is configured. */
    void stop(@Observes ShutdownEvent event) {
        drainNow();
    }

    private synchronized void drainNow() {
        if (drained) {
            return;
        }
        drained = true;
        ReadinessEngine e = engine;
        if (e != null) {
            e.drain();
        }
        vertx.cancelTimer(budgetTimer);
        goingAway.set(true);
        loops.forEach(Cancellable::cancel);
        if (keeper != null) {
            keeper.stop().await().atMost(Duration.ofSeconds(2));
        }
        transitionLog.flush();
    }

    /** The current verdict; null only in the instant before startup wiring finished. */
    public Verdict verdict() {
        ReadinessEngine e = engine;
        return e == null ? null : e.verdict();
    }

    /**
     * SIGTERM is how Cloud Run and the kubelet ask a container to stop: a normal, graceful exit (code 0) rather
     * than the JVM's 143, so that the platform does not record a crash.
     */
    private static void exitZeroOnSigterm() {
        try {
            Signal.handle(new Signal("TERM"), signal -> Quarkus.asyncExit(0));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debugf("SIGTERM handler not installed: %s", e.getMessage());
        }
    }

    /** The load-balancer envelope shown in the health JSON. */
    public Envelope envelope() {
        return envelope;
    }

    /** When the process started, so the budget counts from there and not from when Quarkus got here. */
    private static Instant processStart() {
        return ProcessHandle.current().info().startInstant().orElseGet(Instant::now);
    }
}
