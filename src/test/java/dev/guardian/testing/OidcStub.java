package dev.guardian.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * A real HTTP server on loopback speaking the two OAuth2/OIDC calls Guardian makes: the discovery document and
 * the client-credentials grant at its token endpoint. Tokens are numbered so tests can see renewals.
 */
public final class OidcStub implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String clientId;
    private final String clientSecret;
    private final long expiresIn;
    private final AtomicInteger issued = new AtomicInteger();
    private volatile boolean refusing;

    public OidcStub(String clientId, String clientSecret, long expiresInSeconds) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.expiresIn = expiresInSeconds;
        server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().endsWith("/.well-known/openid-configuration")) {
                req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("issuer", base()).put("token_endpoint", base() + "/token").encode());
                return;
            }
            req.body().onSuccess(body -> {
                String expected = "Basic " + Base64.getEncoder().encodeToString(
                        (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
                if (refusing || !expected.equals(req.getHeader("Authorization"))
                        || !body.toString().contains("grant_type=client_credentials")) {
                    req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"invalid_client\"}");
                    return;
                }
                req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("access_token", "cc-token-" + issued.incrementAndGet()).put("token_type", "Bearer")
                        .put("expires_in", expiresIn).encode());
            });
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    private String base() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    public String discoveryUrl() {
        return base() + "/realms/chat/.well-known/openid-configuration";
    }

    public int issued() {
        return issued.get();
    }

    public void refuse() {
        refusing = true;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
