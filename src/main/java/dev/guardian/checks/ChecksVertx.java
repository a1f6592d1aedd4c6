package dev.guardian.checks;

import jakarta.inject.Singleton;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The checks' own Vert.x: their connections, timers and matching run on an event loop and workers of their own, so a
 * peer that keeps them busy can never delay a probe answer, which Quarkus serves on its event loops.
 */
@Singleton
public class ChecksVertx {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
            .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));

    public Vertx vertx() {
        return vertx;
    }

    public void close() {
        vertx.close();
    }
}
