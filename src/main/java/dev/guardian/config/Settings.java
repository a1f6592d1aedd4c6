package dev.guardian.config;

import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.guardian.checks.websocket.Script;

/** Guardian's configuration after validation: every value typed, every URL parsed, every secret registered. */
public record Settings(Duration budget, boolean exitOnFailure, Optional<Postgres> postgres, Optional<Redis> redis,
        Optional<Auth> auth, Optional<Backend> backend, Optional<Heartbeat> heartbeat, LoadBalancer loadBalancer) {

    /** The keeper's persistent connection: a ping every interval, a pong due within pongTimeout. */
    public record Heartbeat(Duration interval, Duration pongTimeout, int missedPongs, String keepaliveMessage,
            CheckTiming timing) {
    }

    /**
     * The balancer's limits (either may be null) and the envelope they imply: an interval plus its pong timeout
     * must fit in half of the tightest limit, so that one lost ping still leaves the connection alive.
     */
    public record LoadBalancer(LoadBalancerProfile profile, Duration idleTimeout, Duration maxLifetime) {

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

        public String describeLimit() {
            Duration limit = limit();
            boolean lifetime = limit != null && limit.equals(maxLifetime);
            return SettingsParser.human(limit) + " (" + (lifetime ? "lifetime cap" : "idle timeout") + ": "
                    + profile.source + ")";
        }

        /** Said in the log and the JSON when the balancer caps lifetimes; null otherwise. */
        public String lifetimeNote() {
            if (maxLifetime == null) {
                return null;
            }
            String note = profile.id + " closes every WebSocket after " + SettingsParser.human(maxLifetime)
                    + ", idle or not: pings cannot keep a connection past that; clients must reconnect";
            return maxLifetime.compareTo(Duration.ofMinutes(2)) < 0
                    ? note + ". The cap is short (under 2 minutes): raise it where the platform allows" : note;
        }
    }

    /** {@code display} is the URL with its password masked, safe to show anywhere. */
    public record Postgres(String host, int port, String database, String user, String password, String display,
            CheckTiming timing) {
    }

    public record Redis(String connectionString, String host, int port, String display, CheckTiming timing) {
    }

    public record Auth(URI uri, String display, CheckTiming timing) {
    }

    /** The backend's WebSocket endpoint; {@code script} is null when a ping proves the path. */
    public record Backend(URI uri, String display, Map<String, String> headers, List<String> subprotocols,
            Script script, int sessions, Duration connectTimeout, Duration upgradeTimeout, Duration stepTimeout,
            Duration pingTimeout, int maxMessageSize, BackendAuth auth, CheckTiming timing) {
    }

    /** How the upgrade authenticates; fields of other modes are null. */
    public record BackendAuth(String mode, String queryParam, String tokenEnv, Path tokenFile, String jwtSecret,
            PrivateKey jwtKey, String jwtIssuer, String jwtAudience, String jwtSubject, Map<String, String> jwtClaims,
            Duration jwtLifetime, URI discoveryUrl, String clientId, String clientSecret, String scope) {

        public static BackendAuth none() {
            return new BackendAuth("none", null, null, null, null, null, null, null, null, Map.of(), null, null, null,
                    null, null);
        }
    }
}
