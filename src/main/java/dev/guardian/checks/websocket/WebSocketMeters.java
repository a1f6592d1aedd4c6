package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

/**
 * The heartbeat's meters, registered when the heartbeat is configured so that alerts on their increase work from the
 * first scrape. The round-trip time is a histogram: its buckets aggregate across pods, which quantiles cannot. The
 * backend's own pings on the kept connection are counted, and their cadence is read at each scrape.
 */
final class WebSocketMeters {
    private final MeterRegistry registry;
    private final Timer rtt;
    private final Counter missedPongs;
    private final Counter reconnects;
    private final Counter backendPings;

    WebSocketMeters(MeterRegistry registry) {
        this.registry = registry;
        this.rtt = Timer.builder("guardian.heartbeat.rtt").description("heartbeat ping to pong round-trip time")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
                        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
                        Duration.ofSeconds(5))
                .register(registry);
        this.missedPongs = Counter.builder("guardian.heartbeat.missed.pongs")
                .description("pings whose pong did not come in time").register(registry);
        this.reconnects = Counter.builder("guardian.heartbeat.reconnects")
                .description("heartbeat connections re-established").register(registry);
        this.backendPings = Counter.builder("guardian.backend.pings")
                .description("pings the backend sent on the heartbeat's kept connection").register(registry);
    }

    /**
     * The backend's ping cadence on the current kept connection, each read at scrape time (NaN when there is nothing
     * to tell): the last gap between its pings, the silence since the last one (or since the connection opened), and
     * 1 when that cadence is unsafe behind the balancer.
     */
    void backendCadence(Supplier<Number> intervalSeconds, Supplier<Number> silenceSeconds, Supplier<Number> unsafe) {
        TimeGauge.builder("guardian.backend.ping.interval", intervalSeconds, TimeUnit.SECONDS)
                .description("gap between the backend's last two pings on the heartbeat connection (the first counted "
                        + "from the connection's opening)")
                .register(registry);
        TimeGauge.builder("guardian.backend.ping.silence", silenceSeconds, TimeUnit.SECONDS)
                .description("time since the backend's last ping on the heartbeat connection, or since it opened")
                .register(registry);
        Gauge.builder("guardian.backend.ping.unsafe", unsafe)
                .description("1 when the backend's observed ping interval or silence is longer than the largest safe "
                        + "interval behind the load balancer")
                .register(registry);
    }

    void backendPing() {
        backendPings.increment();
    }

    void pong(long rttNanos) {
        rtt.record(Duration.ofNanos(rttNanos));
    }

    void missedPong() {
        missedPongs.increment();
    }

    void reconnected() {
        reconnects.increment();
    }
}
