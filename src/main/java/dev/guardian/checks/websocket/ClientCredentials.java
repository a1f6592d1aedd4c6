package dev.guardian.checks.websocket;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.config.Secrets;
import dev.guardian.config.Settings;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * An access token from the identity provider by the OAuth2 client-credentials grant, the token endpoint taken from
 * its OIDC discovery document. Renewed before it expires. Obtaining it also proves that the provider can really
 * issue tokens: a failure here fails the WebSocket check with the provider's answer as the reason.
 */
final class ClientCredentials implements TokenSource {
    /** A token endpoint's answer is small; a larger body is hostile or a misconfiguration. */
    private static final int MAX_BODY = 64 * 1024;

    private final Settings.BackendAuth auth;
    private final Secrets secrets;
    private final HttpClient http;
    private URI tokenEndpoint;
    private String token;
    private Instant renewAt = Instant.MIN;

    ClientCredentials(Vertx vertx, Settings.BackendAuth auth, Secrets secrets) {
        this.auth = auth;
        this.secrets = secrets;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(5_000));
    }

    @Override
    public Uni<String> token() {
        synchronized (this) {
            if (token != null && Instant.now().isBefore(renewAt)) {
                return Uni.createFrom().item(token);
            }
        }
        return endpoint().chain(this::request);
    }

    private Uni<URI> endpoint() {
        synchronized (this) {
            if (tokenEndpoint != null) {
                return Uni.createFrom().item(tokenEndpoint);
            }
        }
        return call(auth.discoveryUrl(), HttpMethod.GET, null, "discovery document").map(json -> {
            String endpoint = json.path("token_endpoint").asText("");
            if (endpoint.isEmpty()) {
                throw new CheckFailure("the discovery document " + auth.discoveryUrl() + " names no token_endpoint");
            }
            URI uri = URI.create(endpoint);
            synchronized (this) {
                tokenEndpoint = uri;
            }
            return uri;
        });
    }

    private Uni<String> request(URI endpoint) {
        String form = "grant_type=client_credentials" + (auth.scope() == null ? ""
                : "&scope=" + URLEncoder.encode(auth.scope(), StandardCharsets.UTF_8));
        return call(endpoint, HttpMethod.POST, form, "token endpoint").map(json -> {
            String access = json.path("access_token").asText("");
            if (access.isEmpty()) {
                throw new CheckFailure("the token endpoint " + endpoint + " answered without an access_token");
            }
            long expiresIn = json.path("expires_in").asLong(60);
            Duration lifetime = Duration.ofSeconds(Math.max(1, expiresIn));
            synchronized (this) {
                secrets.rotate(token, access);
                token = access;
                renewAt = Instant.now().plus(lifetime).minus(TokenSources.renewalMargin(lifetime));
            }
            return access;
        });
    }

    private Uni<JsonNode> call(URI uri, HttpMethod method, String form, String what) {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        RequestOptions options = new RequestOptions().setMethod(method).setHost(uri.getHost())
                .setPort(uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort()).setSsl(tls)
                .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .setTimeout(5_000).putHeader(HttpHeaders.ACCEPT, "application/json");
        if (form != null) {
            String basic = URLEncoder.encode(auth.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(auth.clientSecret(), StandardCharsets.UTF_8);
            options.putHeader(HttpHeaders.AUTHORIZATION,
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        return UniHelper.toUni(http.request(options))
                .chain(req -> UniHelper.toUni(form == null ? req.send() : req.send(Buffer.buffer(form))))
                .chain(resp -> {
                    if (resp.getHeader(HttpHeaders.CONTENT_LENGTH) != null
                            && Long.parseLong(resp.getHeader(HttpHeaders.CONTENT_LENGTH)) > MAX_BODY) {
                        resp.request().connection().close();
                        throw new CheckFailure(what + " " + uri + " sent more than " + MAX_BODY + " bytes");
                    }
                    return UniHelper.toUni(resp.body()).map(body -> {
                        if (resp.statusCode() != 200) {
                            throw new CheckFailure("could not obtain a token: " + what + " " + uri + " answered HTTP "
                                    + resp.statusCode() + " " + Frames.shorten(body.toString()));
                        }
                        try {
                            return Script.JSON.readTree(body.getBytes());
                        } catch (Exception e) {
                            throw new CheckFailure(what + " " + uri + " did not answer JSON");
                        }
                    });
                })
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> new CheckFailure(
                        "could not obtain a token: " + what + " " + uri + ": " + Failures.describe(f)));
    }
}
