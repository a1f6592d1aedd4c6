package dev.guardian.checks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import dev.guardian.config.Settings;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * GET on the auth service's health, discovery or JWKS URL: 2xx is ready. The verdict is taken from the status line;
 * the body is never read, so a huge or dripping body cannot hold an attempt. Redirects are not followed: a
 * redirect from a health URL is a misconfiguration to see, not to hide.
 */
public final class AuthCheck implements Check {
    private final Settings.Auth target;
    private final HttpClient client;
    private final RequestOptions request;

    public AuthCheck(Vertx vertx, Settings.Auth target) {
        this.target = target;
        boolean tls = "https".equalsIgnoreCase(target.uri().getScheme());
        // No keep-alive: every attempt opens a fresh connection, proving the service still accepts them.
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setSsl(tls)
                .setVerifyHost(true).setConnectTimeout((int) target.timing().timeout().toMillis()));
        this.request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.uri().getHost())
                .setPort(target.uri().getPort() < 0 ? (tls ? 443 : 80) : target.uri().getPort()).setSsl(tls)
                .setURI(pathAndQuery())
                .setTimeout(target.timing().timeout().toMillis())
                .putHeader(HttpHeaders.USER_AGENT, "guardian-readiness");
        if (target.uri().getRawUserInfo() != null) {
            String basic = Base64.getEncoder()
                    .encodeToString(target.uri().getUserInfo().getBytes(StandardCharsets.UTF_8));
            request.putHeader(HttpHeaders.AUTHORIZATION, "Basic " + basic);
        }
    }

    private String pathAndQuery() {
        String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/"
                : target.uri().getRawPath();
        return target.uri().getRawQuery() == null ? path : path + "?" + target.uri().getRawQuery();
    }

    @Override
    public String name() {
        return "auth";
    }

    @Override
    public String target() {
        return target.display();
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return Resources.using(() -> UniHelper.toUni(client.request(request)),
                req -> UniHelper.toUni(req.send()).map(response -> {
                    int status = response.statusCode();
                    if (status < 200 || status > 299) {
                        throw new CheckFailure("HTTP " + status + (response.statusMessage() == null ? ""
                                : " " + response.statusMessage()) + " from the auth service",
                                Map.of("http_status", (long) status));
                    }
                    return Map.<String, Object>of("http_status", (long) status);
                }),
                // Closing the connection discards the unread body, and aborts a request that timed out.
                req -> req.connection().close())
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> new CheckFailure(Failures.describe(f)));
    }
}
