package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.Optional;

import dev.guardian.config.Schedule;
import dev.guardian.config.Setting;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/** {@code guardian.backend.*}: the backend's WebSocket path, proven over loopback, and how the upgrade authenticates. */
@ConfigMapping(prefix = "guardian.backend")
public interface BackendConfig {

    /** ws:// or wss:// URL of the backend's WebSocket endpoint; no URL, no check. */
    Optional<String> url();

    /** Extra upgrade headers, {@code Name: value;…}; read verbatim ({@link Verbatim}) for ${session}/${token}. */
    Optional<String> headers();

    /** Subprotocols to offer, comma separated. */
    Optional<String> subprotocols();

    /** The exchange after the upgrade, a JSON array of steps; read verbatim. */
    Optional<String> script();

    Optional<String> scriptFile();

    /** The backend's own heartbeat interval, declared so that it is checked against the balancer. */
    Optional<String> heartbeatInterval();

    @WithDefault("1")
    @WithConverter(Sessions.class)
    Setting<Integer> sessions();

    @WithDefault("2s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> connectTimeout();

    @WithDefault("3s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> upgradeTimeout();

    @WithDefault("2s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> stepTimeout();

    @WithDefault("2s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> pingTimeout();

    @WithDefault("10s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> timeout();

    @WithParentName
    Schedule schedule();

    Auth auth();

    /** How the upgrade authenticates. */
    interface Auth {
        /** none, bearer, jwt or client-credentials. */
        @WithDefault("none")
        String mode();

        Optional<String> queryParam();

        Optional<String> tokenEnv();

        Optional<String> tokenFile();

        Optional<String> jwtSecret();

        Optional<String> jwtKeyFile();

        Optional<String> jwtIssuer();

        Optional<String> jwtAudience();

        @WithDefault("guardian")
        String jwtSubject();

        Optional<String> jwtClaims();

        @WithDefault("2m")
        @WithConverter(Setting.PositiveDuration.class)
        Setting<Duration> jwtLifetime();

        Optional<String> discoveryUrl();

        Optional<String> clientId();

        Optional<String> clientSecret();

        Optional<String> scope();
    }

    /** Concurrent sessions per attempt: 1 to 100. */
    final class Sessions implements org.eclipse.microprofile.config.spi.Converter<Setting<Integer>> {
        @Override
        public Setting<Integer> convert(String raw) {
            return Setting.parse(raw, v -> {
                int n = Integer.parseInt(v);
                return n >= 1 && n <= 100 ? n : null;
            }, "use a whole number from 1 to 100");
        }
    }
}
