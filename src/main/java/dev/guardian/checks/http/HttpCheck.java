package dev.guardian.checks.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import dev.guardian.checks.Connections;
import dev.guardian.checks.Tls;
import dev.guardian.config.Urls;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * GET on a health, discovery or JWKS URL: 2xx is ready. The verdict is taken from the status line; the body is never
 * read, so a huge or dripping body cannot hold an attempt. Redirects are not followed: a redirect from a health URL is
 * a misconfiguration to see, not to hide. A fresh connection per attempt proves the server still accepts them.
 */
final class HttpCheck implements Check {
    private final HttpClient client;
    private final RequestOptions request;
    private final String host;
    private final String tlsSetting;
    private final String what;
    private final Connections<HttpClientRequest> connections = new Connections<>(req -> req.connection().close());

    HttpCheck(Vertx vertx, URI uri, PemTrustOptions trust, Duration timeout, String what) {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        this.host = uri.getHost();
        this.what = what;
        this.tlsSetting = tls ? (trust == null ? "https, the JVM's trusted CAs" : "https, ca-file") : null;
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(false).setMaxPoolSize(1).setSsl(tls)
                .setVerifyHost(true).setConnectTimeout((int) timeout.toMillis());
        if (trust != null) {
            options.setPemTrustOptions(trust);
        }
        this.client = vertx.createHttpClient(options);
        this.request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(withoutUserInfo(uri))
                .setFollowRedirects(false).setTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.USER_AGENT, "guardian-readiness");
        if (uri.getRawUserInfo() != null) {
            String basic = Base64.getEncoder().encodeToString(Urls.decode(uri.getRawUserInfo())
                    .getBytes(StandardCharsets.UTF_8));
            request.putHeader(HttpHeaders.AUTHORIZATION, "Basic " + basic);
        }
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        // Closing the connection discards the unread body, and aborts a request that timed out.
        return connections.using(() -> UniHelper.toUni(client.request(request)),
                req -> UniHelper.toUni(req.send()).map(response -> {
                    int status = response.statusCode();
                    if (status < 200 || status > 299) {
                        throw new CheckFailure("HTTP " + status + (response.statusMessage() == null ? ""
                                : " " + response.statusMessage()) + " from " + what, Map.of("http_status", (long) status));
                    }
                    return Map.<String, Object>of("http_status", (long) status);
                }))
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> {
                    String tls = tlsSetting == null ? null : Tls.describe(f, host, tlsSetting);
                    return new CheckFailure(tls != null ? tls : Failures.describe(f));
                });
    }

    private static String withoutUserInfo(URI uri) {
        String authority = uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        return uri.getScheme() + "://" + (at < 0 ? authority : authority.substring(at + 1))
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
}
