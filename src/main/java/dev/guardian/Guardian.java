package dev.guardian;


import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import sun.misc.Signal;

import dev.guardian.adapters.edge.Edge;
import dev.guardian.adapters.edge.EdgeConfig;
import dev.guardian.adapters.logs.TransitionLog;
import dev.guardian.balancer.Balancer;
import dev.guardian.balancer.LoadBalancerConfig;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ChecksVertx;
import dev.guardian.config.GuardianConfig;
import dev.guardian.engine.Engine;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.Secrets;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Wires Guardian at startup and takes it down at shutdown: every check kind found by the container reads its own
 * configuration; invalid configuration (of any kind, all at once) stops startup before any check runs; then the
 * engine runs the checks. Nothing here names a check kind.
 */
@Singleton
public class Guardian {
    /** Exit code when the startup budget runs out and guardian.startup.exit-on-failure is set. */
    public static final int EXIT_BUDGET_EXHAUSTED = 3;
    private static final Logger LOG = Logger.getLogger(Guardian.class);
    private static final Logger BALANCER_LOG = Logger.getLogger("dev.guardian.load-balancer");

    @Inject
    GuardianConfig config;
    @Inject
    LoadBalancerConfig balancerConfig;
    @Inject
    EdgeConfig edgeConfig;
    @Inject
    Edge edge;
    @Inject
    @Any
    Instance<CheckProvider> providers;
    @Inject
    @Any
    Instance<EngineListener> listeners;
    @Inject
    Engine engine;
    @Inject
    Secrets secrets;
    @Inject
    ChecksVertx io;
    @Inject
    TransitionLog transitionLog;
    @Inject
    Config mpConfig;

    private boolean drained;

    void start(@Observes @Priority(1) StartupEvent event) {
        Plan plan = Plan.read(config, balancerConfig, edgeConfig, providers.stream().toList(), mpConfig,
                System.getenv(), secrets, io.vertx());
        exitZeroOnSigterm();
        // An attempt cancelled at its deadline may still fail later (connection refused after the timeout):
        // expected, already reported as a timeout, not worth a stack trace.
        Infrastructure.setDroppedExceptionHandler(t -> LOG.debugf("late failure of a cancelled attempt: %s", t));
        warnAboutTheBalancer(plan.balancer(), plan.edge() != null);
        listeners.forEach(engine::addListener);
        engine.addListener(new EngineListener() {
            @Override
            public void transitioned(State from, State to, Verdict verdict) {
                if (to == State.FAILED && plan.exitOnFailure()) {
                    exitBudgetExhausted();
                }
            }
        });
        if (plan.checks().isEmpty()) {
            LOG.warn("no check configured (guardian.allow-no-checks=true): Guardian reports READY at once");
        }
        engine.start(plan.engine(), plan.checks(), io.vertx(), secrets);
        if (plan.edge() != null) {
            edge.start(plan.edge());
        }
    }

    private static void warnAboutTheBalancer(Balancer balancer, boolean edgeRotates) {
        if (balancer.oldName()) {
            BALANCER_LOG.warn("load-balancer profile gcp-https-lb is read as gcp-backend-service (a GKE or VM backend "
                    + "service's timeoutSec); behind a serverless NEG (Cloud Run) use gcp-serverless-neg");
        }
        if (balancer.lifetimeNote() != null && !edgeRotates) {
            BALANCER_LOG.warn(balancer.lifetimeNote());
        }
    }

    private void exitBudgetExhausted() {
        LOG.errorf("exiting with code %d (guardian.startup.exit-on-failure=true) so that the platform restarts the "
                + "instance", EXIT_BUDGET_EXHAUSTED);
        transitionLog.flush();
        Quarkus.asyncExit(EXIT_BUDGET_EXHAUSTED);
    }

    /**
     * SIGTERM: readiness turns DOWN at once (DRAINING) while the HTTP server keeps answering for the drain delay;
     * loopback connections close with 1001 and in-flight checks are cancelled; in edge mode, clients' WebSockets
     * close over the edge's drain window.
     */
    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        drainNow();
    }

    /** Also reached directly when no drain delay is configured. The edge holds the exit until it has drained. */
    void stop(@Observes ShutdownEvent event) {
        drainNow();
        edge.awaitDrainedAndClose();
        io.close();
    }

    private synchronized void drainNow() {
        if (drained) {
            return;
        }
        drained = true;
        engine.drain();
        edge.drain();
        transitionLog.flush();
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
}
