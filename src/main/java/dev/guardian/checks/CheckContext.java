package dev.guardian.checks;

import dev.guardian.balancer.Balancer;
import dev.guardian.config.Names;
import dev.guardian.engine.Secrets;
import io.vertx.core.Vertx;

/**
 * What every kind is given to build its checks: the jitter of every delay, the balancer in front of the backend, the
 * secrets registry, the rules for check names, and the checks' own Vert.x (never the event loops that answer probes).
 */
public record CheckContext(double jitter, Balancer balancer, Secrets secrets, Names names, Vertx vertx) {
}
