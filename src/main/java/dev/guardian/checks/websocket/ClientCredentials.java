package dev.guardian.checks.websocket;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.checks.Connections;
import dev.guardian.config.Urls;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * An access token by the OAuth2 client-credentials grant, the token endpoint taken from the provider's OIDC discovery
 * document. Obtaining it also proves that the provider can issue tokens: a failure fails the WebSocket check with the
 * provider's answer as the reason. Every answer is read up to 64 KiB, whatever its headers say; a larger one is cut
 * off and named, so a streaming or hostile provider cannot fill Guardian's memory. Each request, from connect to the
 * body's last byte, has a deadline: when it passes the connection is closed, and the reason names the provider, so
 * one that answers a byte at a time holds neither a connection nor the token's callers.
 */
final class ClientCredentials {
    /** A token endpoint's answer is small; a larger body is hostile or a misconfiguration. */
    static final int MAX_BODY = 64 * 1024;

    private final HttpClient http;
    private final Duration deadline;
    private final Connections<HttpClientRequest> requests = new Connections<>(req -> req.connection().close());
    private final URI discovery;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private URI tokenEndpoint;

    /** @param deadline of each request as a whole: connect, send, and the answer to its last byte */
    ClientCredentials(Vertx vertx, URI discovery, String clientId, String clientSecret, String scope,
            Duration deadline) {
        this.deadline = deadline;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setConnectTimeout((int) deadline.toMillis()));
        this.discovery = discovery;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
    }

    Uni<RenewedToken.Issued> obtain() {
        return endpoint().chain(this::grant);
    }

    private Uni<URI> endpoint() {
        synchronized (this) {
            if (tokenEndpoint != null) {
                return Uni.createFrom().item(tokenEndpoint);
            }
        }
        return call(discovery, null, "discovery document").map(json -> {
            String endpoint = json.path("token_endpoint").asText("");
            if (endpoint.isEmpty()) {
                throw new CheckFailure("could not obtain a token: the discovery document " + Urls.display(discovery)
                        + " names no token_endpoint");
            }
            URI uri = URI.create(endpoint);
            synchronized (this) {
                tokenEndpoint = uri;
            }
            return uri;
        });
    }

    private Uni<RenewedToken.Issued> grant(URI endpoint) {
        String form = "grant_type=client_credentials" + (scope == null ? ""
                : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        return call(endpoint, form, "token endpoint").map(json -> {
            String access = json.path("access_token").asText("");
            if (access.isEmpty()) {
                throw new CheckFailure("could not obtain a token: the token endpoint " + Urls.display(endpoint)
                        + " answered without an access_token");
            }
            return new RenewedToken.Issued(access, Duration.ofSeconds(Math.max(1, json.path("expires_in").asLong(60))));
        });
    }

    /**
     * GET (form null) or POST the form with the client's credentials; the JSON answer of a 200. The deadline ends the
     * request whatever stage it is at (Vert.x's own request timeout is an idle timeout, which a drip never trips);
     * ending it closes its connection, or closes the connection on arrival when it was still connecting.
     */
    private Uni<JsonNode> call(URI uri, String form, String what) {
        String shown = what + " " + Urls.display(uri);
        RequestOptions options = new RequestOptions().setMethod(form == null ? HttpMethod.GET : HttpMethod.POST)
                .setAbsoluteURI(uri.toString()).putHeader(HttpHeaders.ACCEPT, "application/json");
        if (form != null) {
            String basic = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
            options.putHeader(HttpHeaders.AUTHORIZATION, "Basic " + Base64.getEncoder()
                    .encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        return requests.using(() -> UniHelper.toUni(http.request(options)), req -> UniHelper.toUni(form == null
                ? req.send() : req.send(Buffer.buffer(form)))
                .chain(resp -> UniHelper.toUni(bounded(resp, shown)).map(body -> {
                    if (resp.statusCode() != 200) {
                        throw new CheckFailure("could not obtain a token: " + shown + " answered HTTP "
                                + resp.statusCode() + " " + Frames.shorten(body.toString(StandardCharsets.UTF_8)));
                    }
                    try {
                        return Script.JSON.readTree(body.getBytes());
                    } catch (Exception e) {
                        throw new CheckFailure("could not obtain a token: " + shown + " did not answer JSON");
                    }
                })))
                .ifNoItem().after(deadline).failWith(() -> new CheckFailure("could not obtain a token: " + shown
                        + " did not answer within " + deadline.toMillis() + " ms"))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> new CheckFailure(
                        "could not obtain a token: " + shown + ": " + Failures.describe(f)));
    }

    /** The body, read as it streams in and cut off past {@link #MAX_BODY} bytes, Content-Length or not. */
    private static io.vertx.core.Future<Buffer> bounded(HttpClientResponse resp, String shown) {
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        resp.handler(chunk -> {
            if (collected.length() + chunk.length() > MAX_BODY) {
                resp.handler(null);
                resp.request().connection().close();
                body.tryFail(new CheckFailure("could not obtain a token: " + shown + " sent more than " + MAX_BODY
                        + " bytes"));
            } else {
                collected.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(body::tryFail);
        resp.endHandler(v -> body.tryComplete(collected));
        return body.future();
    }
}
