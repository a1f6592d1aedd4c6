package dev.guardian.adapters.health;

import java.util.function.Predicate;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import dev.guardian.engine.Engine;
import dev.guardian.engine.Verdict;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * The engine's entries in the detailed health JSON on the management interface ({@code /q/health}): state, since,
 * reason and the facts. The platform's probes get their answers on the public port from {@link PublicProbes}.
 */
final class DetailedProbes {
    private DetailedProbes() {
    }

    private static Uni<HealthCheckResponse> answer(Engine engine, String name, Predicate<Verdict> up) {
        Verdict v = RequestVerdict.of(engine);
        return Uni.createFrom().item(HealthData.engine(name, up.test(v), v));
    }

    /** UP once READY has been reached. */
    @Startup
    @Singleton
    static class Started implements AsyncHealthCheck {
        @Inject
        Engine engine;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(engine, "guardian-started", Verdict::started);
        }
    }

    /** UP only in READY. */
    @Readiness
    @Singleton
    static class Ready implements AsyncHealthCheck {
        @Inject
        Engine engine;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(engine, "guardian", Verdict::ready);
        }
    }

    /** Guardian itself answers; never tied to dependencies: restarting the sidecar fixes no database. */
    @Liveness
    @Singleton
    static class Live implements AsyncHealthCheck {
        @Inject
        Engine engine;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(engine, "guardian-live", v -> true);
        }
    }
}
