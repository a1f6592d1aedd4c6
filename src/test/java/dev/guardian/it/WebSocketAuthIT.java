package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.OidcStub;

/** How the upgrade authenticates: a token file, a JWT Guardian mints, a client-credentials token. */
class WebSocketAuthIT extends WithChatBackend {
    static final String HS256_SECRET = "Jwt-Hs256-Secret-For-Tests-0123456789abcdef";

    private static GuardianProcess guardian(String... env) {
        GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.PING_SCRIPT, "GUARDIAN_BACKEND_INTERVAL", "200ms",
                "GUARDIAN_STARTUP_BUDGET", "60s");
        return g.env(env).start().awaitListening();
    }

    private static String everything(GuardianProcess g) {
        return g.health().body() + g.metrics() + g.output();
    }

    @Test
    void tokenFileIsReadAtEveryAttemptAndSubprotocolsAreOffered() throws Exception {
        Path file = Files.createTempFile("guardian-token", ".txt");
        Files.writeString(file, "File-Token-One-77aa\n");
        backend.requireAuthorization("Bearer File-Token-One-77aa");
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_AUTH_MODE", "bearer",
                "GUARDIAN_BACKEND_AUTH_TOKEN_FILE", file.toString(), "GUARDIAN_BACKEND_SUBPROTOCOLS", "chat.v2,chat.v1")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            assertTrue(backend.lastSubprotocol().contains("chat.v1") && backend.lastSubprotocol().contains("chat.v2"),
                    backend.lastSubprotocol());

            Files.writeString(file, "File-Token-Two-88bb\n"); // rotated secret
            backend.requireAuthorization("Bearer File-Token-Two-88bb");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> "Bearer File-Token-Two-88bb".equals(backend.lastAuthorization()));
            assertEquals("READY", g.health().state());
            assertFalse(everything(g).contains("File-Token-"), everything(g));
        } finally {
            backend.requireAuthorization((String) null);
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSubprotocolTheBackendDoesNotSpeakIsNamed() {
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_SUBPROTOCOLS", "chat.v9")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> g.health().data("websocket").path("last_error")
                    .asText().startsWith("the upgrade answered with none of the offered subprotocols"));
        }
    }

    @Test
    void mintedJwtIsSignedWithTheSecretAndCarriesTheClaims() throws Exception {
        backend.requireAuthorization(header -> header != null && header.startsWith("Bearer ")
                && validHs256(header.substring(7)));
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_AUTH_MODE", "jwt",
                "GUARDIAN_BACKEND_AUTH_JWT_SECRET", HS256_SECRET, "GUARDIAN_BACKEND_AUTH_JWT_ISSUER", "guardian-tests",
                "GUARDIAN_BACKEND_AUTH_JWT_AUDIENCE", "chat-backend", "GUARDIAN_BACKEND_AUTH_JWT_SUBJECT", "probe",
                "GUARDIAN_BACKEND_AUTH_JWT_CLAIMS", "role=readiness-probe", "GUARDIAN_BACKEND_AUTH_JWT_LIFETIME", "1m")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            String jwt = backend.lastAuthorization().substring(7);
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
            assertEquals("guardian-tests", claims.path("iss").asText());
            assertEquals("probe", claims.path("sub").asText());
            assertTrue(claims.path("aud").toString().contains("chat-backend"), claims.toString());
            assertEquals("readiness-probe", claims.path("role").asText());
            assertTrue(claims.path("exp").asLong() - claims.path("iat").asLong() <= 60, claims.toString());
            String all = everything(g);
            assertFalse(all.contains(jwt) || all.contains(HS256_SECRET), all);
        } finally {
            backend.requireAuthorization((String) null);
        }
    }

    @Test
    void rs256JwtIsSignedWithThePrivateKey() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair keys = generator.generateKeyPair();
        Path pem = Files.createTempFile("guardian-rs256", ".pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        backend.requireAuthorization(header -> header != null && header.startsWith("Bearer ")
                && validRs256(header.substring(7), keys.getPublic()));
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_AUTH_MODE", "jwt",
                "GUARDIAN_BACKEND_AUTH_JWT_KEY_FILE", pem.toString(), "GUARDIAN_BACKEND_AUTH_JWT_ISSUER", "guardian")) {
            g.awaitState("READY", Duration.ofSeconds(20));
            String header = new String(Base64.getUrlDecoder().decode(backend.lastAuthorization().substring(7)
                    .split("\\.")[0]), StandardCharsets.UTF_8);
            assertTrue(header.contains("RS256"), header);
        } finally {
            backend.requireAuthorization((String) null);
            Files.deleteIfExists(pem);
        }
    }

    private static boolean validRs256(String jwt, java.security.PublicKey key) {
        try {
            String[] parts = jwt.split("\\.");
            java.security.Signature verifier = java.security.Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void wrongJwtSecretIsRefusedByTheBackend() {
        backend.requireAuthorization(header -> header != null && validHs256(header.substring(7)));
        try (GuardianProcess g = guardian("GUARDIAN_BACKEND_AUTH_MODE", "jwt",
                "GUARDIAN_BACKEND_AUTH_JWT_SECRET", "Another-Secret-That-Is-Long-Enough-000000")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> g.health().data("websocket").path("last_error")
                    .asText().equals("upgrade rejected with HTTP 401"));
            assertEquals("STARTING", g.health().state());
        } finally {
            backend.requireAuthorization((String) null);
        }
    }

    @Test
    void clientCredentialsTokenIsObtainedRenewedAndItsFailureNamed() {
        try (OidcStub idp = new OidcStub("guardian-probe", "Client-Secret-5e6f", 2)) {
            backend.requireAuthorization(header -> header != null && header.startsWith("Bearer cc-token-"));
            try (GuardianProcess g = guardian("GUARDIAN_BACKEND_AUTH_MODE", "client-credentials",
                    "GUARDIAN_BACKEND_AUTH_DISCOVERY_URL", idp.discoveryUrl(),
                    "GUARDIAN_BACKEND_AUTH_CLIENT_ID", "guardian-probe",
                    "GUARDIAN_BACKEND_AUTH_CLIENT_SECRET", "Client-Secret-5e6f")) {
                g.awaitState("READY", Duration.ofSeconds(20));
                // A 2 s token is renewed before it expires, while the check keeps passing.
                await().atMost(Duration.ofSeconds(15)).until(() -> idp.issued() >= 3);
                assertEquals("READY", g.health().state());

                idp.refuse();
                Health h = g.awaitState("NOT_READY", Duration.ofSeconds(20));
                String error = h.data("websocket").path("last_error").asText();
                assertTrue(error.startsWith("could not obtain a token: token endpoint http://127.0.0.1:")
                        && error.contains("answered HTTP 401 {\"error\":\"invalid_client\"}"), error);
                String all = everything(g);
                assertFalse(all.contains("Client-Secret-5e6f") || all.contains("cc-token-"), all);
            } finally {
                backend.requireAuthorization((String) null);
            }
        }
    }

    private static boolean validHs256(String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HS256_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(expected).equals(parts[2]);
        } catch (Exception e) {
            return false;
        }
    }
}
