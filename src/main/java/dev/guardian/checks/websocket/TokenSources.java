package dev.guardian.checks.websocket;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.guardian.checks.CheckContext;
import dev.guardian.config.Problems;
import dev.guardian.config.Urls;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Secrets;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;

/** Reads {@code guardian.backend.auth.*} and builds the token source that its mode asks for. */
final class TokenSources {
    private static final String P = BackendSettings.P + ".auth";
    private static final Duration LONGEST_JWT = Duration.ofMinutes(5);

    /** The source, and the query parameter that carries the token instead of an Authorization header (or null). */
    record Auth(TokenSource tokens, String queryParam) {
    }

    private TokenSources() {
    }

    /**
     * @param requestDeadline of each request to an identity provider; null when the timeouts it comes from were refused
     * @return the auth, or null after refusing
     */
    static Auth parse(Problems problems, BackendConfig.Auth a, CheckContext context, Duration requestDeadline) {
        String queryParam = a.queryParam().map(String::trim).orElse(null);
        if (queryParam != null && !queryParam.matches("[A-Za-z0-9_.-]+")) {
            problems.refuse(P + ".query-param", queryParam, "use a plain parameter name such as access_token");
            return null;
        }
        TokenSource tokens = switch (a.mode().trim().toLowerCase(Locale.ROOT)) {
            case "none" -> TokenSource.NONE;
            case "bearer" -> bearer(problems, a, context);
            case "jwt" -> jwt(problems, a, context.secrets());
            case "client-credentials" -> clientCredentials(problems, a, context, requestDeadline);
            default -> {
                problems.refuse(P + ".mode", a.mode(), "use none, bearer, jwt or client-credentials");
                yield null;
            }
        };
        return tokens == null ? null : new Auth(tokens, queryParam);
    }

    private static TokenSource bearer(Problems problems, BackendConfig.Auth a, CheckContext context) {
        if (a.tokenEnv().isPresent() == a.tokenFile().isPresent()) {
            problems.refuse(P + ".token-env", null, "with auth mode bearer set exactly one of " + P + ".token-env ("
                    + Problems.envName(P + ".token-env") + ") or " + P + ".token-file ("
                    + Problems.envName(P + ".token-file") + ")");
            return null;
        }
        if (a.tokenEnv().isPresent()) {
            String name = a.tokenEnv().get().trim();
            String value = System.getenv(name);
            if (value == null || value.isBlank()) {
                problems.refuse(P + ".token-env", name, "names an environment variable that is unset or empty");
                return null;
            }
            context.secrets().register(value.trim());
            return () -> Uni.createFrom().item(value.trim());
        }
        Path file = Path.of(a.tokenFile().get().trim());
        if (!Files.isReadable(file)) {
            problems.refuse(P + ".token-file", file.toString(), "is not a readable file");
            return null;
        }
        return fromFile(file.toString(), context);
    }

    /** Read at every attempt so that a rotated token (a mounted secret) is followed; the old one leaves the scrubber. */
    private static TokenSource fromFile(String path, CheckContext context) {
        AtomicReference<String> last = new AtomicReference<>();
        return () -> UniHelper.toUni(context.vertx().fileSystem().readFile(path)).map(buffer -> {
            String token = buffer.toString(StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new CheckFailure("bearer token file " + path + " is empty");
            }
            String previous = last.getAndSet(token);
            if (!token.equals(previous)) {
                context.secrets().rotate(previous, token);
            }
            return token;
        }).onFailure(f -> !(f instanceof CheckFailure))
                .transform(f -> new CheckFailure("bearer token file " + path + " cannot be read: " + f.getMessage()));
    }

    /** A short-lived JWT signed with SmallRye JWT, minted again before it expires. */
    private static TokenSource jwt(Problems problems, BackendConfig.Auth a, Secrets secrets) {
        if (a.jwtSecret().isPresent() == a.jwtKeyFile().isPresent()) {
            problems.refuse(P + ".jwt-secret", null, "with auth mode jwt set exactly one of " + P
                    + ".jwt-secret (HS256) or " + P + ".jwt-key-file (RS256, PEM PKCS#8)");
            return null;
        }
        String secret = a.jwtSecret().orElse(null);
        PrivateKey key = null;
        if (secret != null) {
            secrets.register(secret);
            if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                problems.refuse(P + ".jwt-secret", null, "is shorter than 32 bytes; HS256 needs a 256-bit secret");
            }
        } else {
            key = privateKey(problems, a.jwtKeyFile().get().trim());
        }
        Duration lifetime = problems.value(P + ".jwt-lifetime", a.jwtLifetime());
        if (lifetime != null && lifetime.compareTo(LONGEST_JWT) > 0) {
            problems.refuse(P + ".jwt-lifetime", a.jwtLifetime().raw(), "must be at most 5m: a probe token should be "
                    + "short-lived");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        for (String pair : a.jwtClaims().map(v -> v.split(",")).orElse(new String[0])) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                problems.refuse(P + ".jwt-claims", null, "entry \"" + pair.trim() + "\" is not name=value");
            } else {
                claims.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        if ((secret == null && key == null) || lifetime == null) {
            return null;
        }
        PrivateKey signingKey = key;
        return new RenewedToken(() -> Uni.createFrom().item(() -> {
            Instant now = Instant.now();
            JwtClaimsBuilder jwt = Jwt.subject(a.jwtSubject()).issuedAt(now).expiresAt(now.plus(lifetime));
            a.jwtIssuer().ifPresent(jwt::issuer);
            a.jwtAudience().ifPresent(jwt::audience);
            claims.forEach(jwt::claim);
            String minted = secret != null ? jwt.signWithSecret(secret) : jwt.sign(signingKey);
            return new RenewedToken.Issued(minted, lifetime);
        }), secrets);
    }

    private static PrivateKey privateKey(Problems problems, String file) {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            problems.refuse(P + ".jwt-key-file", file, "cannot be read (" + e.getMessage() + ")");
        } catch (GeneralSecurityException | RuntimeException e) {
            problems.refuse(P + ".jwt-key-file", file, "is not an RSA private key in PEM PKCS#8 form "
                    + "(-----BEGIN PRIVATE KEY-----)");
        }
        return null;
    }

    private static TokenSource clientCredentials(Problems problems, BackendConfig.Auth a, CheckContext context,
            Duration requestDeadline) {
        boolean missing = false;
        for (var required : java.util.List.of(Map.entry(P + ".discovery-url", a.discoveryUrl()),
                Map.entry(P + ".client-id", a.clientId()), Map.entry(P + ".client-secret", a.clientSecret()))) {
            if (required.getValue().isEmpty()) {
                problems.refuse(required.getKey(), null, "is required with auth mode client-credentials");
                missing = true;
            }
        }
        a.clientSecret().ifPresent(context.secrets()::register);
        if (missing || requestDeadline == null) {
            return null;
        }
        URI discovery = Urls.parse(problems, P + ".discovery-url", a.discoveryUrl().get(),
                "https://idp.example.com/realms/chat/.well-known/openid-configuration", "http", "https");
        if (discovery == null) {
            return null;
        }
        Urls.userInfo(discovery, context.secrets());
        Urls.registerQuery(discovery, context.secrets());
        ClientCredentials grant = new ClientCredentials(context.vertx(), discovery, a.clientId().get(),
                a.clientSecret().get(), a.scope().orElse(null), requestDeadline);
        return new RenewedToken(grant::obtain, context.secrets());
    }
}
