package dev.guardian.checks.websocket;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The heartbeat's meters, registered when the heartbeat is configured so that alerts on their increase work from the
 * first scrape. The round-trip time is a histogram: its buckets aggregate across pods, which quantiles cannot.
 */
final class WebSocketMeters {
    private final Timer rtt;
    private final Counter missedPongs;
    private final Counter reconnects;

    WebSocketMeters(MeterRegistry registry) {
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
