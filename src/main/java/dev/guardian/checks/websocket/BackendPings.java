package dev.guardian.checks.websocket;

import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

import dev.guardian.config.Setting;

/**
 * {@code guardian.heartbeat.backend-pings}: what an unsafe cadence of the backend's own pings on the kept connection
 * does, when the balancer's limits are known.
 */
public enum BackendPings {
    /** A WARN line at each change of verdict and {@code backend_ping_warning} in the heartbeat's JSON. */
    WARN,
    /** The same, and the heartbeat attempt fails with that reason. */
    FAIL,
    /** The backend never pings by design: silence is not flagged; pings that do come too far apart still are. */
    NONE;

    static final String EXPECTATION = "use warn (an unsafe cadence is logged and shown), fail (it fails the heartbeat "
            + "check) or none (the backend never pings by design: its silence is not flagged)";

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static final class Mode implements Converter<Setting<BackendPings>> {
        @Override
        public Setting<BackendPings> convert(String raw) {
            return Setting.parse(raw, v -> BackendPings.valueOf(v.toUpperCase(Locale.ROOT)), EXPECTATION);
        }
    }
}
