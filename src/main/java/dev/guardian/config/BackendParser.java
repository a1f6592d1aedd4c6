package dev.guardian.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.guardian.checks.websocket.Script;
import io.smallrye.config.Expressions;

/** The {@code guardian.backend.*} part of the configuration: the WebSocket gate and how it authenticates. */
final class BackendParser {
    /** Largest message Guardian accepts from the backend; a bigger one fails the attempt. */
    static final int MAX_MESSAGE_SIZE = 1_048_576;
    private static final Duration LONGEST_JWT = Duration.ofMinutes(5);
    private static final String P = "guardian.backend";

    private final SettingsParser parser;

    BackendParser(SettingsParser parser) {
        this.parser = parser;
    }

    /**
     * Values that carry ${session} and ${token} placeholders are read as written: SmallRye Config would otherwise
     * try to expand them as property expressions and drop the value.
     */
    static Optional<String> verbatim(String property) {
        return Expressions.withoutExpansion(
                () -> ConfigProvider.getConfig().getOptionalValue(property, String.class));
    }

    Optional<Settings.Backend> parse(GuardianConfig.Backend b, double jitter) {
        if (b.url().isEmpty()) {
            return Optional.empty();
        }
        CheckTiming timing = parser.timing(P, b.timing(), jitter, Duration.ofSeconds(10));
        URI uri = parser.uri(P + ".url", b.url().get().trim(), "ws://127.0.0.1:8080/ws", "ws", "wss");
        if (uri != null) {
            parser.userInfo(uri);
        }
        Map<String, String> headers = headers(verbatim(P + ".headers"));
        List<String> subprotocols = b.subprotocols().map(v -> List.of(v.split(","))).orElse(List.of()).stream()
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
        Script script = script(b);
        Integer sessions = parser.parsed(P + ".sessions", b.sessions(), v -> {
            int n = Integer.parseInt(v.trim());
            return n >= 1 && n <= 100 ? n : null;
        }, "use a whole number from 1 to 100");
        Duration connect = parser.duration(P + ".connect-timeout", b.connectTimeout());
        Duration upgrade = parser.duration(P + ".upgrade-timeout", b.upgradeTimeout());
        Duration step = parser.duration(P + ".step-timeout", b.stepTimeout());
        Duration ping = parser.duration(P + ".ping-timeout", b.pingTimeout());
        Settings.BackendAuth auth = auth(b.auth());
        if (timing.timeout() != null && connect != null && upgrade != null
                && timing.timeout().compareTo(connect.plus(upgrade)) < 0) {
            parser.problem(P + ".timeout", SettingsParser.human(timing.timeout()), "must be at least "
                    + P + ".connect-timeout + " + P + ".upgrade-timeout = " + SettingsParser.human(connect.plus(upgrade)));
        }
        if (uri == null || sessions == null || auth == null) {
            return Optional.empty();
        }
        return Optional.of(new Settings.Backend(uri, SettingsParser.display(uri), headers, subprotocols, script,
                sessions, connect, upgrade, step, ping, MAX_MESSAGE_SIZE, auth, timing));
    }

    private Map<String, String> headers(Optional<String> raw) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return headers;
        }
        for (String entry : raw.get().split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                // Without a colon the entry may be a credential ("Authorization Bearer ..."): never echo it.
                parser.problem(P + ".headers", null, (colon < 0 ? "an entry has no ':'"
                        : "entry \"" + name + "\" is not a header name") + "; write Name: value pairs separated by ;");
                continue;
            }
            String value = entry.substring(colon + 1).trim();
            parser.secrets().register(value); // header values are often credentials
            headers.put(name, value);
        }
        return headers;
    }

    private Script script(GuardianConfig.Backend b) {
        Optional<String> inline = verbatim(P + ".script");
        if (inline.isPresent() && b.scriptFile().isPresent()) {
            parser.problem(P + ".script", null, "set either " + P + ".script or " + P + ".script-file, not both");
            return null;
        }
        String property = inline.isPresent() ? P + ".script" : P + ".script-file";
        String json;
        if (inline.isPresent()) {
            json = inline.get();
        } else if (b.scriptFile().isPresent()) {
            try {
                json = Files.readString(Path.of(b.scriptFile().get().trim()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                parser.problem(property, b.scriptFile().get(), "cannot be read (" + e.getMessage() + ")");
                return null;
            }
        } else {
            return null;
        }
        try {
            return Script.parse(json, v -> {
                try {
                    return SettingsParser.parseDuration(v);
                } catch (RuntimeException e) {
                    return null;
                }
            });
        } catch (IllegalArgumentException e) {
            parser.problem(property, null, e.getMessage());
            return null;
        }
    }

    private Settings.BackendAuth auth(GuardianConfig.BackendAuth a) {
        String mode = a.mode().trim().toLowerCase(Locale.ROOT);
        String queryParam = a.queryParam().map(String::trim).orElse(null);
        if (queryParam != null && !queryParam.matches("[A-Za-z0-9_.-]+")) {
            parser.problem(P + ".auth.query-param", queryParam, "use a plain parameter name such as access_token");
        }
        switch (mode) {
            case "none":
                return Settings.BackendAuth.none();
            case "bearer":
                return bearer(a, queryParam);
            case "jwt":
                return jwt(a, queryParam);
            case "client-credentials":
                return clientCredentials(a, queryParam);
            default:
                parser.problem(P + ".auth.mode", a.mode(), "use none, bearer, jwt or client-credentials");
                return null;
        }
    }

    private Settings.BackendAuth bearer(GuardianConfig.BackendAuth a, String queryParam) {
        if (a.tokenEnv().isPresent() == a.tokenFile().isPresent()) {
            parser.problem(P + ".auth.token-env", null, "with auth mode bearer set exactly one of "
                    + P + ".auth.token-env (" + SettingsParser.envName(P + ".auth.token-env") + ") or "
                    + P + ".auth.token-file (" + SettingsParser.envName(P + ".auth.token-file") + ")");
            return null;
        }
        if (a.tokenEnv().isPresent()) {
            String name = a.tokenEnv().get().trim();
            String value = System.getenv(name);
            if (value == null || value.isBlank()) {
                parser.problem(P + ".auth.token-env", name, "names an environment variable that is unset or empty");
                return null;
            }
            parser.secrets().register(value.trim());
            return new Settings.BackendAuth("bearer", queryParam, name, null, null, null, null, null, null, Map.of(),
                    null, null, null, null, null);
        }
        Path file = Path.of(a.tokenFile().get().trim());
        if (!Files.isReadable(file)) {
            parser.problem(P + ".auth.token-file", file.toString(), "is not a readable file");
            return null;
        }
        return new Settings.BackendAuth("bearer", queryParam, null, file, null, null, null, null, null, Map.of(), null,
                null, null, null, null);
    }

    private Settings.BackendAuth jwt(GuardianConfig.BackendAuth a, String queryParam) {
        if (a.jwtSecret().isPresent() == a.jwtKeyFile().isPresent()) {
            parser.problem(P + ".auth.jwt-secret", null, "with auth mode jwt set exactly one of " + P
                    + ".auth.jwt-secret (HS256) or " + P + ".auth.jwt-key-file (RS256, PEM PKCS#8)");
            return null;
        }
        String secret = a.jwtSecret().orElse(null);
        PrivateKey key = null;
        if (secret != null) {
            parser.secrets().register(secret);
            if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                parser.problem(P + ".auth.jwt-secret", null, "is shorter than 32 bytes; HS256 needs a 256-bit secret");
            }
        } else {
            key = privateKey(a.jwtKeyFile().get().trim());
        }
        Duration lifetime = parser.duration(P + ".auth.jwt-lifetime", a.jwtLifetime());
        if (lifetime != null && lifetime.compareTo(LONGEST_JWT) > 0) {
            parser.problem(P + ".auth.jwt-lifetime", a.jwtLifetime(), "must be at most 5m: a probe token should be "
                    + "short-lived");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        for (String pair : a.jwtClaims().map(v -> v.split(",")).orElse(new String[0])) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                parser.problem(P + ".auth.jwt-claims", null, "entry \"" + pair.trim() + "\" is not name=value");
            } else {
                claims.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new Settings.BackendAuth("jwt", queryParam, null, null, secret, key, a.jwtIssuer().orElse(null),
                a.jwtAudience().orElse(null), a.jwtSubject(), claims, lifetime, null, null, null, null);
    }

    private PrivateKey privateKey(String file) {
        try {
            String pem = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(base64)));
        } catch (IOException e) {
            parser.problem(P + ".auth.jwt-key-file", file, "cannot be read (" + e.getMessage() + ")");
        } catch (Exception e) {
            parser.problem(P + ".auth.jwt-key-file", file, "is not an RSA private key in PEM PKCS#8 form "
                    + "(-----BEGIN PRIVATE KEY-----)");
        }
        return null;
    }

    private Settings.BackendAuth clientCredentials(GuardianConfig.BackendAuth a, String queryParam) {
        List<String> missing = new ArrayList<>();
        if (a.discoveryUrl().isEmpty()) {
            missing.add(P + ".auth.discovery-url");
        }
        if (a.clientId().isEmpty()) {
            missing.add(P + ".auth.client-id");
        }
        if (a.clientSecret().isEmpty()) {
            missing.add(P + ".auth.client-secret");
        }
        for (String property : missing) {
            parser.problem(property, null, "is required with auth mode client-credentials");
        }
        a.clientSecret().ifPresent(parser.secrets()::register);
        if (!missing.isEmpty()) {
            return null;
        }
        URI discovery = parser.uri(P + ".auth.discovery-url", a.discoveryUrl().get().trim(),
                "https://idp.example.com/realms/chat/.well-known/openid-configuration", "http", "https");
        if (discovery == null) {
            return null;
        }
        return new Settings.BackendAuth("client-credentials", queryParam, null, null, null, null, null, null, null,
                Map.of(), null, discovery, a.clientId().get(), a.clientSecret().get(), a.scope().orElse(null));
    }
}
