package dev.guardian.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The heartbeat keeper and the load-balancer guard: every heartbeat interval, Guardian's own and the backend's
 * declared one, must fit the balancer's envelope, or startup stops with the largest safe value.
 */
final class HeartbeatParser {
    private static final Duration LONGEST_CLOUD_RUN_TIMEOUT = Duration.ofSeconds(3600);
    private final SettingsParser parser;

    HeartbeatParser(SettingsParser parser) {
        this.parser = parser;
    }

    Settings.LoadBalancer loadBalancer(GuardianConfig.LoadBalancer lb) {
        LoadBalancerProfile profile = LoadBalancerProfile.byId(lb.profile()).orElse(null);
        if (profile == null) {
            parser.problem("guardian.load-balancer.profile", lb.profile(), "use one of " + LoadBalancerProfile.ids());
            profile = LoadBalancerProfile.NONE;
        }
        Duration idle = lb.idleTimeout().map(v -> parser.duration("guardian.load-balancer.idle-timeout", v))
                .orElse(profile.idleTimeout);
        Duration lifetime = lb.maxLifetime().map(v -> parser.duration("guardian.load-balancer.max-lifetime", v))
                .orElse(profile.maxLifetime);
        if (profile == LoadBalancerProfile.CLOUD_RUN && lifetime != null
                && lifetime.compareTo(LONGEST_CLOUD_RUN_TIMEOUT) > 0) {
            parser.problem("guardian.load-balancer.max-lifetime", SettingsParser.human(lifetime),
                    "Cloud Run's request timeout is at most 3600s");
        }
        return new Settings.LoadBalancer(profile, idle, lifetime);
    }

    Optional<Settings.Heartbeat> heartbeat(GuardianConfig.Heartbeat hb, boolean backendConfigured, double jitter,
            Settings.LoadBalancer lb) {
        boolean enabled = parser.bool("guardian.heartbeat.enabled", hb.enabled());
        Duration interval = parser.duration("guardian.heartbeat.interval", hb.interval());
        Duration pongTimeout = parser.duration("guardian.heartbeat.pong-timeout", hb.pongTimeout());
        int missed = parser.threshold("guardian.heartbeat.missed-pongs", hb.missedPongs());
        if (!enabled || !backendConfigured || interval == null || pongTimeout == null) {
            return Optional.empty();
        }
        Duration safe = lb.largestSafeInterval(pongTimeout);
        if (safe != null && interval.compareTo(safe) > 0) {
            parser.problem("guardian.heartbeat.interval", hb.interval(), "unsafe behind load-balancer profile "
                    + lb.profile().id + ", whose limit is " + lb.describeLimit() + "; interval + pong-timeout ("
                    + SettingsParser.human(pongTimeout) + ") must be at most half of it; "
                    + (safe.isNegative() || safe.isZero() ? "lower guardian.heartbeat.pong-timeout first"
                            : "the largest safe value is " + SettingsParser.human(safe)));
        }
        CheckTiming timing = new CheckTiming(pongTimeout, interval, Duration.ofMillis(100), Duration.ofSeconds(5),
                missed, 1, jitter);
        return Optional.of(new Settings.Heartbeat(interval, pongTimeout, missed,
                hb.keepaliveMessage().filter(m -> !m.isBlank()).orElse(null), timing));
    }

    /** The incident: a backend pinging every 45s behind a 30s limit. */
    void backendHeartbeat(Optional<String> declared, Settings.LoadBalancer lb) {
        if (declared.isEmpty()) {
            return;
        }
        String property = "guardian.backend.heartbeat-interval";
        Duration interval = parser.duration(property, declared.get());
        Duration safe = lb.largestSafeInterval(Duration.ZERO);
        if (interval != null && safe != null && interval.compareTo(safe) > 0) {
            parser.problem(property, declared.get(), "unsafe behind load-balancer profile " + lb.profile().id
                    + ", whose limit is " + lb.describeLimit() + "; the backend's heartbeat must be at most half of "
                    + "it; the largest safe value is " + SettingsParser.human(safe));
        }
    }
}
