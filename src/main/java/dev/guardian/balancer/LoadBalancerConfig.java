package dev.guardian.balancer;

import java.util.List;
import java.util.Optional;

import dev.guardian.config.PropertyDoc;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The balancer in front of the backend, whose timeouts every heartbeat interval must respect. */
@ConfigMapping(prefix = "guardian.load-balancer")
public interface LoadBalancerConfig {

    /** One of {@link LoadBalancerProfile#ids()}. */
    @WithDefault("none")
    String profile();

    /** Overrides the profile's idle timeout. */
    Optional<String> idleTimeout();

    /** Overrides the profile's connection lifetime cap. */
    Optional<String> maxLifetime();

    List<PropertyDoc> DOCS = List.of(
            PropertyDoc.of("guardian.load-balancer.profile", "`none`, `gcp-backend-service`, `gcp-serverless-neg`, "
                    + "`cloud-run`, `aws-alb`, `nginx` or `cloudflare` (`gcp-https-lb`, its old name, reads as "
                    + "`gcp-backend-service`)"),
            PropertyDoc.optional("guardian.load-balancer.idle-timeout", "(the profile's)",
                    "overrides the profile's idle timeout"),
            PropertyDoc.optional("guardian.load-balancer.max-lifetime", "(the profile's)",
                    "overrides the profile's connection lifetime cap (Cloud Run: the service's request timeout)"));
}
