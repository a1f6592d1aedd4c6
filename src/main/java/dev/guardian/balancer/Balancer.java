package dev.guardian.balancer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.guardian.config.Problems;
import dev.guardian.config.Setting;

/**
 * The balancer's limits (either may be null) and the envelope they imply: a heartbeat interval, plus the time its
 * pong may take, must fit in half of the tightest limit, so that one lost ping still leaves the connection alive.
 */
public record Balancer(LoadBalancerProfile profile, Duration idleTimeout, Duration maxLifetime, boolean oldName) {

    /** Validates the configured profile and overrides; problems are refused in Guardian's words. */
    public static Balancer of(LoadBalancerConfig config, Problems problems) {
        String p = "guardian.load-balancer";
        LoadBalancerProfile profile = LoadBalancerProfile.byId(config.profile()).orElse(null);
        if (profile == null) {
            problems.refuse(p + ".profile", config.profile(), "use one of " + LoadBalancerProfile.ids());
            profile = LoadBalancerProfile.NONE;
        }
        Duration idle = config.idleTimeout().map(v -> problems.value(p + ".idle-timeout", Setting.duration(v)))
                .orElse(profile.idleTimeout);
        Duration lifetime = config.maxLifetime().map(v -> problems.value(p + ".max-lifetime", Setting.duration(v)))
                .orElse(profile.maxLifetime);
        if (profile.longestLifetime != null && lifetime != null && lifetime.compareTo(profile.longestLifetime) > 0) {
            problems.refuse(p + ".max-lifetime", Setting.human(lifetime), "Cloud Run's request timeout is at most "
                    + profile.longestLifetime.toSeconds() + "s");
        }
        boolean renamed = config.profile().trim().equalsIgnoreCase(LoadBalancerProfile.OLD_GCP_ID);
        return new Balancer(profile, idle, lifetime, renamed);
    }

    public static Balancer none() {
        return new Balancer(LoadBalancerProfile.NONE, null, null, false);
    }

    /** The tightest of idle timeout and lifetime cap; null when there is none. */
    public Duration limit() {
        if (idleTimeout == null) {
            return maxLifetime;
        }
        return maxLifetime == null || idleTimeout.compareTo(maxLifetime) <= 0 ? idleTimeout : maxLifetime;
    }

    /** Largest safe interval for a heartbeat whose pong may take {@code pongTimeout}; null: unlimited. */
    public Duration largestSafeInterval(Duration pongTimeout) {
        Duration limit = limit();
        return limit == null ? null : limit.dividedBy(2).minus(pongTimeout);
    }

    /**
     * Largest safe interval for pings that only an idle timeout needs: the edge's pings to clients, whose lifetime
     * cap is met by rotation, not pings. Null: no idle timeout.
     */
    public Duration largestSafeIdleInterval(Duration pongTimeout) {
        return idleTimeout == null ? null : idleTimeout.dividedBy(2).minus(pongTimeout);
    }

    /** "unsafe behind load-balancer profile nginx, whose limit is 60s (idle timeout: ...)" */
    public String unsafe() {
        Duration limit = limit();
        boolean lifetime = limit != null && limit.equals(maxLifetime);
        return unsafe(limit, lifetime ? "lifetime cap" : "idle timeout");
    }

    /** The same wording about the idle timeout alone. */
    public String unsafeIdle() {
        return unsafe(idleTimeout, "idle timeout");
    }

    private String unsafe(Duration limit, String what) {
        return "unsafe behind load-balancer profile " + profile.id + ", whose limit is " + Setting.human(limit) + " ("
                + what + ": " + profile.source + ")";
    }

    /**
     * The wording for a backend's heartbeat that does not fit, declared or observed; null when it fits (or when
     * there is no limit).
     */
    public String unsafeBackendHeartbeat(Duration interval) {
        Duration safe = largestSafeInterval(Duration.ZERO);
        if (safe == null || interval.compareTo(safe) <= 0) {
            return null;
        }
        return unsafe() + "; the backend's heartbeat must be at most half of it; the largest safe value is "
                + Setting.human(safe);
    }

    /** Said in the log and the JSON when the balancer caps lifetimes; null otherwise. */
    public String lifetimeNote() {
        if (maxLifetime == null) {
            return null;
        }
        String note = profile.id + " closes every WebSocket after " + Setting.human(maxLifetime)
                + ", idle or not: pings cannot keep a connection past that; clients must reconnect";
        return maxLifetime.compareTo(Duration.ofMinutes(2)) < 0
                ? note + ". The cap is short (under 2 minutes): raise it where the platform allows" : note;
    }

    /** For the health JSON's {@code guardian} entry. */
    public Map<String, Object> facts() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lb_profile", profile.id);
        if (idleTimeout != null) {
            data.put("lb_idle_timeout_ms", idleTimeout.toMillis());
        }
        if (maxLifetime != null) {
            data.put("lb_max_lifetime_ms", maxLifetime.toMillis());
        }
        if (lifetimeNote() != null) {
            data.put("lb_lifetime_note", lifetimeNote());
        }
        return data;
    }
}
