package dev.guardian.adapters.edge;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.guardian.adapters.health.HealthData;
import dev.guardian.config.Problems;
import dev.guardian.config.Setting;
import dev.guardian.engine.Engine;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Edge mode in Guardian's lifecycle: listens once the engine runs, lets traffic pass only in READY, tells the proxy
 * when Guardian leaves READY, drains on SIGTERM and holds the exit until the drain is over. The edge has a Vert.x
 * of its own, so traffic can never delay a probe answer or a check.
 */
@Singleton
public class Edge implements EngineListener {
    private static final Logger LOG = Logger.getLogger(Edge.class);
    /** Binding the port is quick; a start that takes longer than this is a failure worth stopping for. */
    private static final long START_SECONDS = 10;
    private static final long CLOSE_SECONDS = 2;

    @Inject
    Engine engine;
    @Inject
    MeterRegistry meters;
    @Inject
    @Readiness
    HealthRegistry readiness;

    private volatile EdgeProxy proxy;
    private Vertx vertx;
    private EdgeSettings settings;
    private volatile Future<Void> drained;

    /** Starts listening; a port that cannot be bound stops startup like invalid configuration. */
    public synchronized void start(EdgeSettings settings) {
        this.settings = settings;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1,
                Runtime.getRuntime().availableProcessors())).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(true));
        EdgeProxy starting = new EdgeProxy(vertx, settings, this::refusal, meters);
        String failure = await(starting.start(), Duration.ofSeconds(START_SECONDS));
        if (failure != null) {
            vertx.close();
            String property = EdgeConfig.P + ".port";
            throw new ConfigurationException("Guardian refuses to start: the edge cannot listen on " + settings.host()
                    + ":" + settings.port() + " (" + property + ", " + Problems.envName(property) + "): " + failure);
        }
        proxy = starting;
        readiness.register("edge", () -> Uni.createFrom().item(HealthData.entry("edge", !draining(),
                starting.health())));
        LOG.infof("edge mode: listening on %s:%d, passing traffic to %s:%d once READY", settings.host(),
                starting.port(), settings.backendHost(), settings.backendPort());
        if (settings.maxLifetime() != null) {
            Duration last = settings.maxLifetime().minus(settings.rotationMargin());
            LOG.infof("edge rotation: each WebSocket closes with %d between %s and %s of its life, before the "
                    + "balancer's %s lifetime cap", settings.rotationCode(), Setting.human(last.minus(
                            settings.rotationWindow())), Setting.human(last), Setting.human(settings.maxLifetime()));
        }
    }

    private boolean draining() {
        return drained != null;
    }

    /** The gate: a cached state read, cheap enough for every new request. */
    private String refusal() {
        return switch (engine.verdict().state()) {
            case READY -> null;
            case STARTING -> "starting";
            case NOT_READY -> "not ready";
            case FAILED -> "failed to start";
            case DRAINING -> "draining";
        };
    }

    @Override
    public void transitioned(State from, State to, Verdict verdict) {
        EdgeProxy p = proxy;
        if (p != null && from == State.READY && to == State.NOT_READY) {
            p.notReady();
        }
    }

    /** SIGTERM: refuse new traffic, close every WebSocket over the drain window. Idempotent. */
    public synchronized void drain() {
        if (proxy != null && drained == null) {
            LOG.infof("edge draining: %d connection(s) close over %dms", (Long) proxy.health().get("connections"),
                    settings.drainWindow().toMillis());
            drained = proxy.drain();
        }
    }

    /** Waits for the drain (at most its window and the grace for the last closes), then stops the edge. */
    public void awaitDrainedAndClose() {
        Future<Void> pending;
        synchronized (this) {
            if (proxy == null) {
                return;
            }
            drain();
            pending = drained;
        }
        Duration longest = settings.drainWindow().plus(EdgeLimits.DRAIN_GRACE).plusSeconds(1);
        String failure = await(pending, longest);
        if (failure != null) {
            LOG.warnf("edge drain did not end: %s; closing what is left", failure);
        }
        // Closing the edge's Vert.x undeploys every loop: listeners and whatever connection is left.
        failure = await(vertx.close(), Duration.ofSeconds(CLOSE_SECONDS));
        LOG.infof("edge closed%s", failure == null ? "" : " (" + failure + ")");
    }

    /** Waits for {@code f} at most {@code atMost}: null when it succeeded, else what went wrong. */
    private static String await(Future<Void> f, Duration atMost) {
        try {
            f.toCompletionStage().toCompletableFuture().get(atMost.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (TimeoutException e) {
            return "not done within " + atMost.toMillis() + "ms";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause().getMessage());
        }
    }
}
