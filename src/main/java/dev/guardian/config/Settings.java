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
        Optional<Auth> auth, Optional<Backend> backend) {

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
