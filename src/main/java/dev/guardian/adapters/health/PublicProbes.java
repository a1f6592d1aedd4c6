package dev.guardian.adapters.health;

import java.util.function.Predicate;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.guardian.engine.Engine;
import dev.guardian.engine.Verdict;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The platform's probes on Guardian's public port: status and state only, answered on the event loop from the cached
 * verdict. Reasons, targets and server texts (host names, database users, what a backend sent) are for the detailed
 * JSON on the management interface, not for whoever can reach the public port.
 */
@Singleton
class PublicProbes {
    @Inject
    Engine engine;

    void routes(@Observes Router router) {
        router.get("/q/health/started").handler(rc -> answer(rc, Verdict::started));
        router.get("/q/health/ready").handler(rc -> answer(rc, Verdict::ready));
        router.get("/q/health/live").handler(rc -> answer(rc, v -> true));
    }

    private void answer(RoutingContext rc, Predicate<Verdict> up) {
        Verdict v = engine.verdict();
        boolean ok = up.test(v);
        rc.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end("{\"status\":\"" + (ok ? "UP" : "DOWN") + "\",\"state\":\"" + v.state().name() + "\"}");
    }
}
