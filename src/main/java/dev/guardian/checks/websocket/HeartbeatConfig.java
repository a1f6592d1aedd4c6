package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.Optional;

import dev.guardian.config.Setting;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** {@code guardian.heartbeat.*}: a kept loopback WebSocket to the backend, pinged by the engine like any check. */
@ConfigMapping(prefix = "guardian.heartbeat")
public interface HeartbeatConfig {

    /** On by default whenever guardian.backend.url is set. */
    @WithDefault("true")
    @WithConverter(Setting.Flag.class)
    Setting<Boolean> enabled();

    @WithDefault("10s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> interval();

    @WithDefault("5s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> pongTimeout();

    /** Consecutive missed pongs that fail the heartbeat check; the connection is then opened afresh. */
    @WithDefault("2")
    @WithConverter(Setting.AtLeastOne.class)
    Setting<Integer> missedPongs();

    /** A text frame sent with each ping, for balancers that do not count control frames as traffic. */
    Optional<String> keepaliveMessage();

    /** What an unsafe cadence of the backend's own pings on the kept connection does: warn, fail or none. */
    @WithDefault("warn")
    @WithConverter(BackendPings.Mode.class)
    Setting<BackendPings> backendPings();
}
