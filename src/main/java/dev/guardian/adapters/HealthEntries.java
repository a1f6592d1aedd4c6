package dev.guardian.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.ReadinessEngine;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.mutiny.Uni;

/** One readiness entry per configured check (postgres, redis, auth, ...), read from the cached verdict. */
@ApplicationScoped
class HealthEntries {
    @Inject
    @Readiness
    HealthRegistry readiness;

    void register(ReadinessEngine engine) {
        for (CheckSnapshot initial : engine.verdict().checks()) {
            String name = initial.name();
            readiness.register(name, () -> Uni.createFrom().item(snapshot(engine, name)));
        }
    }

    private static HealthCheckResponse snapshot(ReadinessEngine engine, String name) {
        for (CheckSnapshot s : engine.verdict().checks()) {
            if (s.name().equals(name)) {
                return HealthData.check(s);
            }
        }
        return HealthCheckResponse.down(name);
    }
}
