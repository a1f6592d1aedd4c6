package dev.guardian.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * Guardian's whole configuration, exactly as written (environment variables or properties).
 * Values stay strings here so that {@link SettingsParser} can report every bad value in Guardian's own words,
 * naming the property and its environment variable, instead of failing on the first conversion error.
 */
@ConfigMapping(prefix = "guardian")
public interface GuardianConfig {

    Startup startup();

    Dependency postgres();

    Dependency redis();

    Dependency auth();

    Backend backend();

    Heartbeat heartbeat();

    LoadBalancer loadBalancer();

    /** The keeper's own persistent loopback connection to the backend, pinged on its own timer. */
    interface Heartbeat {
        /** On by default whenever guardian.backend.url is set. */
        @WithDefault("true")
        String enabled();

        @WithDefault("10s")
        String interval();

        @WithDefault("5s")
        String pongTimeout();

        /** Consecutive missed pongs that make the heartbeat check fail (its failure threshold). */
        @WithDefault("2")
        String missedPongs();

        /** Optional text frame sent with each ping, for balancers that do not count control frames as traffic. */
        Optional<String> keepaliveMessage();
    }

    /** The balancer in front of the backend, whose timeouts every heartbeat interval must respect. */
    interface LoadBalancer {
        /** none, gcp-https-lb, cloud-run, aws-alb, nginx or cloudflare. */
        @WithDefault("none")
        String profile();

        /** Overrides the profile's idle timeout. */
        Optional<String> idleTimeout();

        /** Overrides the profile's connection lifetime cap. */
        Optional<String> maxLifetime();
    }

    /** Random spread applied to every delay, as a fraction (0.2 = ±20 %), so replicas do not probe in lockstep. */
    @WithDefault("0.2")
    String jitter();

    interface Startup {
        /** Total time from process start for every check to pass. */
        @WithDefault("20s")
        String budget();

        /** Exit non-zero when the budget runs out, so that the platform restarts the instance. */
        @WithDefault("false")
        String exitOnFailure();
    }

    interface Dependency {
        /** Where the dependency is; no URL, no check. */
        Optional<String> url();

        @WithParentName
        Timing timing();
    }

    /** Envoy's vocabulary: timeout, interval, healthy/unhealthy thresholds, plus the retry backoff while failing. */
    interface Timing {
        /** Deadline of one attempt; default 2s for dependencies, 10s for the WebSocket exchange. */
        Optional<String> timeout();

        @WithDefault("5s")
        String interval();

        @WithDefault("50ms")
        String retryInterval();

        @WithDefault("200ms")
        String retryMaxInterval();

        @WithDefault("3")
        String failureThreshold();

        @WithDefault("2")
        String successThreshold();
    }

    /** The backend's WebSocket path, proven over loopback: upgrade, then a scripted exchange or a ping. */
    interface Backend {
        /** ws:// or wss:// URL of the backend's WebSocket endpoint; no URL, no check. */
        Optional<String> url();

        /** Extra upgrade headers: {@code Name: value} pairs separated by {@code ;}. */
        Optional<String> headers();

        /** Subprotocols to offer, comma separated. */
        Optional<String> subprotocols();

        /** The exchange after the upgrade, as a JSON array of steps. */
        Optional<String> script();

        /** The same, read from a file. */
        Optional<String> scriptFile();

        /** The backend's own WebSocket heartbeat interval, when declared, checked against the balancer. */
        Optional<String> heartbeatInterval();

        /** Concurrent connections, each with its own ${session} token. */
        @WithDefault("1")
        String sessions();

        @WithDefault("2s")
        String connectTimeout();

        @WithDefault("3s")
        String upgradeTimeout();

        /** Default deadline of each expect step. */
        @WithDefault("2s")
        String stepTimeout();

        /** Without a script: how long a ping may wait for its pong. */
        @WithDefault("2s")
        String pingTimeout();

        @WithParentName
        Timing timing();

        BackendAuth auth();
    }

    /** How the upgrade authenticates. */
    interface BackendAuth {
        /** none, bearer, jwt or client-credentials. */
        @WithDefault("none")
        String mode();

        /** Send the token as this query parameter instead of an Authorization: Bearer header. */
        Optional<String> queryParam();

        /** bearer: name of the environment variable holding the token. */
        Optional<String> tokenEnv();

        /** bearer: file holding the token (read at every attempt, so rotation is followed). */
        Optional<String> tokenFile();

        /** jwt: HS256 shared secret. */
        Optional<String> jwtSecret();

        /** jwt: RS256 private key file (PEM, PKCS#8). */
        Optional<String> jwtKeyFile();

        Optional<String> jwtIssuer();

        Optional<String> jwtAudience();

        @WithDefault("guardian")
        String jwtSubject();

        /** jwt: extra claims, {@code name=value} pairs separated by commas. */
        Optional<String> jwtClaims();

        @WithDefault("2m")
        String jwtLifetime();

        /** client-credentials: the OIDC discovery document (…/.well-known/openid-configuration). */
        Optional<String> discoveryUrl();

        Optional<String> clientId();

        Optional<String> clientSecret();

        Optional<String> scope();
    }
}
