package dev.guardian.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import dev.guardian.engine.Verdict;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * The three probes, one tiny handler each. All read the cached verdict and answer on the event loop
 * ({@link AsyncHealthCheck}), so no probe waits on a dependency or on a worker thread.
 */
final class Probes {
    private Probes() {
    }

    private static Uni<HealthCheckResponse> answer(Guardian guardian, String name, Rule rule) {
        Verdict v = guardian.verdict();
        return Uni.createFrom().item(v == null ? HealthData.notWired(name)
                : HealthData.engine(name, rule.up(v), v, guardian.envelope().data()));
    }

    private interface Rule {
        boolean up(Verdict v);
    }

    /** UP once READY has been reached: Cloud Run's traffic gate and Kubernetes' startup probe. */
    @Startup
    @ApplicationScoped
    static class Started implements AsyncHealthCheck {
        @Inject
        Guardian guardian;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(guardian, "guardian-started", Verdict::started);
        }
    }

    /** UP only in READY. */
    @Readiness
    @ApplicationScoped
    static class Ready implements AsyncHealthCheck {
        @Inject
        Guardian guardian;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(guardian, "guardian", Verdict::ready);
        }
    }

    /** Guardian itself answers; never tied to dependencies: restarting the sidecar fixes no database. */
    @Liveness
    @ApplicationScoped
    static class Live implements AsyncHealthCheck {
        @Inject
        Guardian guardian;

        @Override
        public Uni<HealthCheckResponse> call() {
            return answer(guardian, "guardian-live", v -> true);
        }
    }
}
