package dev.guardian.adapters.edge;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.guardian.adapters.health.HealthData;
import dev.guardian.config.Problems;
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
    private Future<Void> drained;

    /** Starts listening; a port that cannot be bound stops startup like invalid configuration. */
    public synchronized void start(EdgeSettings settings) {
        this.settings = settings;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1,
                Runtime.getRuntime().availableProcessors())).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(true));
        EdgeProxy starting = new EdgeProxy(vertx, settings, this::refusal, meters);
        try {
            starting.start().toCompletionStage().toCompletableFuture().get(START_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String property = EdgeConfig.P + ".port";
            throw new ConfigurationException("Guardian refuses to start: the edge cannot listen on " + settings.host()
                    + ":" + settings.port() + " (" + property + ", " + Problems.envName(property) + "): "
                    + cause.getMessage());
        }
        proxy = starting;
        readiness.register("edge", () -> Uni.createFrom().item(HealthData.entry("edge", !draining(),
                starting.health())));
        LOG.infof("edge mode: listening on %s:%d, passing traffic to %s:%d once READY", settings.host(),
                starting.port(), settings.backendHost(), settings.backendPort());
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
        try {
            pending.toCompletionStage().toCompletableFuture().get(longest.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("edge drain did not end within %dms: closing what is left", longest.toMillis());
        }
        proxy.close();
        vertx.close();
        LOG.info("edge closed");
    }
}
