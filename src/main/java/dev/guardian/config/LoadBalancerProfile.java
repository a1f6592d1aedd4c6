package dev.guardian.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a balancer does to a long-lived WebSocket. An idle timeout closes a connection that carries no traffic for
 * that long (pings help); a lifetime cap closes every connection after that long, idle or not (pings cannot help:
 * clients must reconnect). Numbers are the platforms' documented defaults; see the README for sources.
 */
public enum LoadBalancerProfile {
    NONE("none", null, null, "no balancer limits declared"),
    GCP_HTTPS_LB("gcp-https-lb", null, Duration.ofSeconds(30),
            "Google Cloud HTTP(S) load balancer backend service timeout (default 30s), a cap on the whole "
                    + "connection lifetime, idle or not"),
    CLOUD_RUN("cloud-run", null, Duration.ofSeconds(300),
            "Cloud Run request timeout (default 300s, at most 3600s), a cap on the whole connection lifetime"),
    AWS_ALB("aws-alb", Duration.ofSeconds(60), null, "AWS Application Load Balancer idle timeout (default 60s)"),
    NGINX("nginx", Duration.ofSeconds(60), null, "nginx proxy_read_timeout (default 60s)"),
    CLOUDFLARE("cloudflare", Duration.ofSeconds(100), null, "Cloudflare proxy idle timeout (about 100s)");

    public final String id;
    public final Duration idleTimeout;
    public final Duration maxLifetime;
    public final String source;

    LoadBalancerProfile(String id, Duration idleTimeout, Duration maxLifetime, String source) {
        this.id = id;
        this.idleTimeout = idleTimeout;
        this.maxLifetime = maxLifetime;
        this.source = source;
    }

    public static Optional<LoadBalancerProfile> byId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(p -> p.id).toList());
    }
}
