package dev.guardian.checks.websocket;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.guardian.config.Secrets;
import dev.guardian.config.Settings;
import dev.guardian.engine.CheckFailure;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;

/** Builds the token source that the configured auth mode asks for. */
public final class TokenSources {
    private TokenSources() {
    }

    public static TokenSource of(Settings.BackendAuth auth, Vertx vertx, Secrets secrets) {
        return switch (auth.mode()) {
            case "bearer" -> auth.tokenEnv() != null ? fromEnvironment(auth.tokenEnv())
                    : fromFile(vertx, auth, secrets);
            case "jwt" -> new MintedJwt(auth, secrets);
            case "client-credentials" -> new ClientCredentials(vertx, auth, secrets);
            default -> TokenSource.NONE;
        };
    }

    private static TokenSource fromEnvironment(String variable) {
        return () -> Uni.createFrom().item(System.getenv(variable)).onItem().ifNull()
                .failWith(() -> new CheckFailure("bearer token variable " + variable + " is unset"))
                .map(String::trim);
    }

    /** Read at every attempt so that a rotated token (a mounted secret) is followed. */
    private static TokenSource fromFile(Vertx vertx, Settings.BackendAuth auth, Secrets secrets) {
        String path = auth.tokenFile().toString();
        return () -> UniHelper.toUni(vertx.fileSystem().readFile(path)).map(buffer -> {
            String token = buffer.toString().trim();
            if (token.isEmpty()) {
                throw new CheckFailure("bearer token file " + path + " is empty");
            }
            secrets.register(token);
            return token;
        }).onFailure(f -> !(f instanceof CheckFailure))
                .transform(f -> new CheckFailure("bearer token file " + path + " cannot be read: " + f.getMessage()));
    }

    /** A short-lived JWT signed with SmallRye JWT, re-minted once half its lifetime has passed. */
    static final class MintedJwt implements TokenSource {
        private final Settings.BackendAuth auth;
        private final Secrets secrets;
        private String token;
        private Instant renewAt = Instant.MIN;

        MintedJwt(Settings.BackendAuth auth, Secrets secrets) {
            this.auth = auth;
            this.secrets = secrets;
        }

        @Override
        public Uni<String> token() {
            return Uni.createFrom().item(this::current);
        }

        private synchronized String current() {
            Instant now = Instant.now();
            if (token == null || now.isAfter(renewAt)) {
                JwtClaimsBuilder claims = Jwt.subject(auth.jwtSubject()).issuedAt(now)
                        .expiresAt(now.plus(auth.jwtLifetime()));
                if (auth.jwtIssuer() != null) {
                    claims.issuer(auth.jwtIssuer());
                }
                if (auth.jwtAudience() != null) {
                    claims.audience(auth.jwtAudience());
                }
                for (Map.Entry<String, String> c : auth.jwtClaims().entrySet()) {
                    claims.claim(c.getKey(), c.getValue());
                }
                String minted = auth.jwtSecret() != null ? claims.signWithSecret(auth.jwtSecret())
                        : claims.sign(auth.jwtKey());
                secrets.rotate(token, minted);
                token = minted;
                renewAt = now.plus(auth.jwtLifetime().dividedBy(2));
            }
            return token;
        }
    }

    /** Expiry margin: renew before the token could expire during an attempt. */
    static Duration renewalMargin(Duration lifetime) {
        Duration fifth = lifetime.dividedBy(5);
        return fifth.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : fifth;
    }
}
