package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.Browser;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.RedisServer;
import dev.guardian.testing.UvicornBackend;

/**
 * The status page served by a real Guardian ({@code /q/status} on the management interface) in a real headless
 * chromium, with a real Redis and the uvicorn chat backend behind it: READY with every check, the heartbeat's round
 * trip and the backend's own pings (every 2 s, too slow for the 3 s idle timeout declared here, so the page shows the
 * warning), then Redis frozen (SIGSTOP) and the page showing NOT_READY and Redis' reason within a couple of seconds
 * of the transition Guardian reports. Screenshots go to {@code target/status-page/}.
 */
class StatusPageGuardianIT {
    private static final Path SHOTS = Path.of("target", "status-page");
    /** Sanity bound between Guardian's transition and the page showing it (the page refreshes every second). */
    private static final long SHOWN_WITHIN_MILLIS = 3_000;

    /** As the page writes times: "2026-11-25 03:48:40.860". */
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    static RedisServer redis;
    static UvicornBackend backend;

    @BeforeAll
    static void dependencies() throws IOException {
        Files.createDirectories(SHOTS);
        redis = RedisServer.started();
        backend = UvicornBackend.pinging(Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        backend.close();
        redis.close();
    }

    @Test
    void showsReadyThenTheFrozenRedisAndItsReasonWithinSecondsOfTheTransition() {
        try (GuardianProcess g = GuardianProcess.with(
                "GUARDIAN_REDIS_URL", redis.url(), "GUARDIAN_REDIS_TIMEOUT", "1s",
                "GUARDIAN_REDIS_INTERVAL", "300ms", "GUARDIAN_REDIS_FAILURE_THRESHOLD", "2",
                "GUARDIAN_BACKEND_URL", backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT", WebSocketGateIT.AGENT_SCRIPT,
                "GUARDIAN_BACKEND_INTERVAL", "1s",
                "GUARDIAN_HEARTBEAT_INTERVAL", "500ms", "GUARDIAN_HEARTBEAT_PONG_TIMEOUT", "1s",
                // A 3 s idle timeout allows a backend heartbeat of 1.5 s: the backend's 2 s pings are flagged.
                "GUARDIAN_LOAD_BALANCER_PROFILE", "nginx", "GUARDIAN_LOAD_BALANCER_IDLE_TIMEOUT", "3s")
                .start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(20));
            try (Browser page = Browser.open(g.managementBase() + "/q/status", SHOTS.resolve("guardian-final.png"))) {
                page.expectState("READY");
                page.expectText("reason", "redis");
                page.expectText("redis", "UP");
                page.expectText("websocket", "UP");
                page.expectText("heartbeat", "UP");
                page.expectText("facts", "nginx");
                page.expectText("transitions", "STARTING → READY");
                // The heartbeat panel (data-testid, checked before the check's own section) shows the real RTTs.
                Browser.Event rtt = page.expectText("heartbeat", "ROUND TRIP");
                assertTrue(rtt.value().matches("HEARTBEAT ROUND TRIP last [0-9.]+ (µs|ms) min [0-9.]+ (µs|ms) max "
                        + "[0-9.]+ (µs|ms)( .*)?"), rtt.value());
                // The backend's own pings and the warning about their cadence, in the startup refusal's words. The
                // count shows from the first ping, the warning from the first gap over 1.5 s: the warning is awaited.
                Browser.Event warning = page.expectText("heartbeat", "s apart: unsafe behind load-balancer profile "
                        + "nginx, whose limit is 3s (idle timeout: nginx proxy_read_timeout (default 60s)); the "
                        + "backend's heartbeat must be at most half of it; the largest safe value is 1.5s");
                assertTrue(warning.value().matches(".* backend pings every [12]\\.[0-9] s · last [0-9.]+ (ms|s) ago · "
                        + "[0-9]+ seen .*"), warning.value());
                page.expectFresh();
                shot(page, "guardian-ready.png");

                redis.freeze();
                try {
                    page.within(Duration.ofSeconds(15));
                    Browser.Event state = page.expectState("NOT_READY");
                    String because = "redis (127.0.0.1:" + redis.port() + "): no answer within 1000 ms (attempt timeout)";
                    page.expectText("reason", because);
                    Browser.Event check = page.expectText("redis", "DOWN");
                    page.expectText("transitions", "READY → NOT_READY");
                    JsonNode data = g.management("/q/status/data").json();
                    assertEquals("NOT_READY", data.path("state").asText(), data.toString());
                    Instant since = Instant.parse(data.path("since").asText());
                    long lag = page.shownAt("NOT_READY", state) - since.toEpochMilli();
                    System.out.println("NOT_READY at " + since + "; the page showed it with its reason " + lag
                            + " ms later");
                    assertTrue(lag <= SHOWN_WITHIN_MILLIS, "shown " + lag + " ms after the transition");
                    assertTrue(check.value().contains("no answer within 1000 ms (attempt timeout)"), check.value());
                    // The page tells Guardian's own transition time, not when the browser noticed.
                    page.expectText("since", "since " + UTC.format(since) + " UTC");
                    shot(page, "guardian-not-ready.png");
                } finally {
                    redis.resume();
                }
                page.within(Duration.ofSeconds(20)).expectState("READY");
                page.expectText("transitions", "NOT_READY → READY");
                // Redis' error is history now, and told as such.
                Browser.Event recovered = page.expectText("redis", "recovered; previous error at ");
                assertTrue(recovered.value().contains("UP") && recovered.value().contains(
                        ": no answer within 1000 ms (attempt timeout)"), recovered.value());
                shot(page, "guardian-recovered.png");
                // Served under Guardian's own Content-Security-Policy: nothing was refused, nothing threw.
                assertEquals(List.of(), page.consoleErrors());
            }
            String csp = contentSecurityPolicy(g.managementBase() + "/q/status");
            assertTrue(csp.startsWith("default-src 'none'; script-src 'sha256-") && csp.contains("connect-src 'self'"),
                    csp);
        }
    }

    private static String contentSecurityPolicy(String url) {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, r.statusCode());
            return r.headers().firstValue("Content-Security-Policy").orElse("(none)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void shot(Browser page, String name) {
        System.out.println("screenshot: " + page.screenshot(SHOTS.resolve(name)));
    }
}
