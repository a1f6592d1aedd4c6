package dev.guardian.adapters;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.guardian.config.Settings;

/**
 * The load-balancer envelope, computed once at startup: the balancer's limits, the largest safe heartbeat interval
 * and, where the balancer caps lifetimes, the plain statement that pings cannot help. Shown in the health JSON.
 */
record Envelope(Map<String, Object> data, String lifetimeNote) {
    static final Envelope NONE = new Envelope(Map.of(), null);
    private static final Logger LOG = Logger.getLogger("dev.guardian.load-balancer");

    static Envelope of(Settings settings) {
        Settings.LoadBalancer lb = settings.loadBalancer();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lb_profile", lb.profile().id);
        if (lb.idleTimeout() != null) {
            data.put("lb_idle_timeout_ms", lb.idleTimeout().toMillis());
        }
        if (lb.maxLifetime() != null) {
            data.put("lb_max_lifetime_ms", lb.maxLifetime().toMillis());
        }
        settings.heartbeat().ifPresent(h -> {
            data.put("heartbeat_interval_ms", h.interval().toMillis());
            if (lb.largestSafeInterval(h.pongTimeout()) != null) {
                data.put("largest_safe_heartbeat_interval_ms", lb.largestSafeInterval(h.pongTimeout()).toMillis());
            }
        });
        String note = lb.lifetimeNote();
        if (note != null) {
            data.put("lb_lifetime_note", note);
        }
        return new Envelope(Map.copyOf(data), note);
    }

    void log() {
        if (lifetimeNote != null) {
            LOG.warn(lifetimeNote);
        }
    }
}
