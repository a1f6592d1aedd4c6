package dev.guardian.adapters.health;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.Engine;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.Verdict;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.mutiny.Uni;

/** One readiness entry per check (postgres, redis, ...) in the detailed health JSON, read from the cached verdict. */
@Singleton
class HealthEntries implements EngineListener {
    @Inject
    @Readiness
    HealthRegistry readiness;
    @Inject
    Engine engine;

    @Override
    public void started(Verdict first) {
        for (CheckSnapshot initial : first.checks()) {
            String name = initial.name();
            readiness.register(name, () -> Uni.createFrom().item(snapshot(name)));
        }
    }

    private HealthCheckResponse snapshot(String name) {
        for (CheckSnapshot s : RequestVerdict.of(engine).checks()) {
            if (s.name().equals(name)) {
                return HealthData.check(s);
            }
        }
        return HealthCheckResponse.down(name);
    }
}
