package dev.guardian.adapters;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.guardian.checks.websocket.HeartbeatKeeper;
import dev.guardian.engine.Attempt;
import dev.guardian.engine.CheckSnapshot;
import dev.guardian.engine.EngineListener;
import dev.guardian.engine.ReadinessEngine;
import dev.guardian.engine.State;
import dev.guardian.engine.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

/**
 * Prometheus metrics, all named guardian_*: attempt duration per check and outcome, up per check, the current
 * state, transitions and startup duration. Gauges read the cached verdict.
 */
@ApplicationScoped
class MetricsAdapter implements EngineListener, HeartbeatKeeper.Observer {
    @Inject
    MeterRegistry registry;

    void bind(ReadinessEngine engine) {
        for (CheckSnapshot s : engine.verdict().checks()) {
            Gauge.builder("guardian.check.up", engine, e -> up(e.verdict(), s.name()))
                    .description("1 when the engine counts the check as healthy, else 0")
                    .tag("check", s.name()).register(registry);
        }
        for (State state : State.values()) {
            Gauge.builder("guardian.state", engine, e -> e.verdict().state() == state ? 1 : 0)
                    .description("1 for Guardian's current state, 0 for the others")
                    .tag("state", state.name()).register(registry);
        }
        TimeGauge.builder("guardian.startup.duration", engine, TimeUnit.MILLISECONDS,
                e -> e.verdict().startupDuration() == null ? Double.NaN : e.verdict().startupDuration().toMillis())
                .description("time from process start to the first READY").register(registry);
    }

    /** Heartbeat series exist from the start (at zero), so that alerts on their increase work at once. */
    void bindHeartbeat() {
        rtt();
        missedPongs();
        reconnects();
    }

    private Timer rtt() {
        return Timer.builder("guardian.heartbeat.rtt").description("heartbeat ping to pong round-trip time")
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
    }

    private Counter missedPongs() {
        return Counter.builder("guardian.heartbeat.missed.pongs").description("pings whose pong did not come in time")
                .register(registry);
    }

    private Counter reconnects() {
        return Counter.builder("guardian.heartbeat.reconnects").description("heartbeat connections re-established")
                .register(registry);
    }

    private static double up(Verdict v, String check) {
        return v.checks().stream().filter(c -> c.name().equals(check)).anyMatch(CheckSnapshot::healthy) ? 1 : 0;
    }

    @Override
    public void attempted(Attempt attempt, CheckSnapshot after) {
        Timer.builder("guardian.check.attempt").description("duration of one check attempt")
                .tag("check", attempt.check()).tag("outcome", attempt.outcome())
                .register(registry).record(attempt.durationNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void pong(Duration rtt) {
        rtt().record(rtt);
    }

    @Override
    public void missedPong() {
        missedPongs().increment();
    }

    @Override
    public void reconnected() {
        reconnects().increment();
    }

    @Override
    public void transitioned(State from, State to, Verdict verdict) {
        Counter.builder("guardian.state.transitions").description("state transitions")
                .tag("from", from.name()).tag("to", to.name()).register(registry).increment();
    }
}
