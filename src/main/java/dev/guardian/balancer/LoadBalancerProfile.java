package dev.guardian.balancer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a balancer does to a long-lived WebSocket. An idle timeout closes a connection that carries no traffic for
 * that long (pings help); a lifetime cap closes every connection after that long, idle or not (pings cannot help:
 * clients must reconnect, which edge mode makes graceful). Numbers are the platforms' documented defaults; the README
 * gives the sources.
 */
public enum LoadBalancerProfile {
    NONE("none", null, null, null, "no balancer limits declared"),
    GCP_BACKEND_SERVICE("gcp-backend-service", null, Duration.ofSeconds(30), null,
            "Google Cloud HTTP(S) load balancer backend service timeout (timeoutSec, default 30s) for a GKE or VM "
                    + "backend, a cap on the whole connection lifetime, idle or not"),
    GCP_SERVERLESS_NEG("gcp-serverless-neg", null, Duration.ofSeconds(300), Duration.ofSeconds(3600),
            "Cloud Run request timeout (default 300s, at most 3600s) behind a Google Cloud HTTP(S) load balancer with "
                    + "a serverless NEG, whose own timeout is fixed at 60 min and cannot be set"),
    CLOUD_RUN("cloud-run", null, Duration.ofSeconds(300), Duration.ofSeconds(3600),
            "Cloud Run request timeout (default 300s, at most 3600s), a cap on the whole connection lifetime"),
    AWS_ALB("aws-alb", Duration.ofSeconds(60), null, null, "AWS Application Load Balancer idle timeout (default 60s)"),
    NGINX("nginx", Duration.ofSeconds(60), null, null, "nginx proxy_read_timeout (default 60s)"),
    CLOUDFLARE("cloudflare", Duration.ofSeconds(100), null, null, "Cloudflare proxy idle timeout (about 100s)");

    /** The profile that gcp-https-lb named before it was split: a backend service's timeoutSec. */
    static final String OLD_GCP_ID = "gcp-https-lb";

    public final String id;
    public final Duration idleTimeout;
    public final Duration maxLifetime;
    /** The largest lifetime cap the platform allows, when it has one (Cloud Run: 3600 s). */
    public final Duration longestLifetime;
    public final String source;

    LoadBalancerProfile(String id, Duration idleTimeout, Duration maxLifetime, Duration longestLifetime,
            String source) {
        this.id = id;
        this.idleTimeout = idleTimeout;
        this.maxLifetime = maxLifetime;
        this.longestLifetime = longestLifetime;
        this.source = source;
    }

    public static Optional<LoadBalancerProfile> byId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals(OLD_GCP_ID)) {
            return Optional.of(GCP_BACKEND_SERVICE);
        }
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(p -> p.id).toList());
    }
}
