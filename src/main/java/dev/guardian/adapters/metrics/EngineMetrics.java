package dev.guardian.adapters.metrics;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.guardian.engine.Attempt;
import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.Engine;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ImageMode;

/**
 * The engine's metrics, all named guardian_*: attempt duration per check and outcome, up per check (with its kind and
 * role), the current state, transitions, startup duration and the build. Gauges read the cached verdict; check kinds
 * register meters of their own.
 */
@Singleton
class EngineMetrics implements EngineListener {
    @Inject
    MeterRegistry registry;
    @Inject
    Engine engine;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    private Meter.MeterProvider<Timer> attempts;
    private Meter.MeterProvider<Counter> transitions;

    @Override
    public void started(Verdict first) {
        attempts = Timer.builder("guardian.check.attempt").description("duration of one check attempt")
                .withRegistry(registry);
        transitions = Counter.builder("guardian.state.transitions").description("state transitions")
                .withRegistry(registry);
        for (CheckSnapshot s : first.checks()) {
            Gauge.builder("guardian.check.up", engine, e -> up(e.verdict(), s.name()))
                    .description("1 when the engine counts the check as healthy, else 0")
                    .tags("check", s.name(), "kind", s.kind(), "role", s.role().id()).register(registry);
        }
        for (State state : State.values()) {
            Gauge.builder("guardian.state", engine, e -> e.verdict().state() == state ? 1 : 0)
                    .description("1 for Guardian's current state, 0 for the others")
                    .tag("state", state.name()).register(registry);
        }
        TimeGauge.builder("guardian.startup.duration", engine, TimeUnit.MILLISECONDS,
                e -> e.verdict().startupDuration() == null ? Double.NaN : e.verdict().startupDuration().toMillis())
                .description("time from process start to the first READY").register(registry);
        Gauge.builder("guardian.build.info", () -> 1).description("Guardian's version and how it runs")
                .tags("version", version, "mode", ImageMode.current() == ImageMode.NATIVE_RUN ? "native" : "jvm",
                        "java", System.getProperty("java.version", "unknown"))
                .register(registry);
    }

    private static double up(Verdict v, String check) {
        return v.checks().stream().filter(c -> c.name().equals(check)).anyMatch(CheckSnapshot::healthy) ? 1 : 0;
    }

    @Override
    public void attempted(Attempt attempt, CheckSnapshot after) {
        attempts.withTags("check", attempt.check(), "outcome", attempt.outcome())
                .record(attempt.durationNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void transitioned(State from, State to, Verdict verdict) {
        transitions.withTags("from", from.name(), "to", to.name()).increment();
    }
}
