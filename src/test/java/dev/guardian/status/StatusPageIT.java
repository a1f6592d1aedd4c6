package dev.guardian.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.guardian.testing.Browser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The status page ({@code guardian/status.html}) in a real headless chromium, served with its data by a real HTTP
 * server that the test switches as Guardian's state would change. Screenshots go to {@code target/status-page/}.
 */
class StatusPageIT {
    private static final Path SHOTS = Path.of("target", "status-page");
    private static final String FROZEN_REDIS = "redis (127.0.0.1:6379): no answer within 2000 ms (attempt timeout)"
            + " (2 consecutive failures)";
    private static final String MARKUP = "<script>window.__injected=1</script><img src=x"
            + " onerror=\"window.__injected=2\">";

    private StatusServer server;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(SHOTS);
        server = new StatusServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void showsStartingThenReadyThenTheFrozenDependencyAndItsReasonWithinTwoSeconds() {
        server.data(Documents.starting());
        try (Browser page = Browser.open(server.url("/q/status"), SHOTS.resolve("final-transitions.png"))) {
            page.expectState("STARTING");
            page.expectText("budget", "of 20 s budget");
            page.expectText("redis", "connection refused");
            shot(page, "starting.png");

            server.data(Documents.ready());
            page.expectState("READY");
            page.expectText("reason", "all checks passing: postgres, redis, websocket, heartbeat");
            page.expectText("heartbeat", "412 µs");
            page.expectText("facts", "nginx");
            page.expectText("transitions", "STARTING → READY");
            page.expectFresh();
            shot(page, "ready.png");

            server.data(Documents.notReady(FROZEN_REDIS));
            long switched = System.currentTimeMillis();
            // The steps may take their time on a loaded machine; the claim is the page's own time, asserted below.
            page.within(Duration.ofSeconds(5));
            Browser.Event state = page.expectState("NOT_READY");
            page.expectText("reason", FROZEN_REDIS);
            Browser.Event check = page.expectText("redis", "no answer within 1000 ms (attempt timeout)");
            page.expectText("transitions", "READY → NOT_READY");
            long shownAfter = page.shownAt("NOT_READY", state) - switched;
            System.out.println("NOT_READY and its reason shown " + shownAfter + " ms after the switch");
            assertTrue(shownAfter <= 2_000, "shown " + shownAfter + " ms after the switch");
            assertTrue(check.value().contains("DOWN"), check.value());
            shot(page, "not-ready.png");
            // Served under a strict Content-Security-Policy (no external resource could load): nothing was refused.
            assertEquals(List.of(), page.consoleErrors());
        }
    }

    @Test
    void showsTheStaleBannerWhenGuardianStopsAnsweringAndKeepsTheLastData() {
        server.data(Documents.ready());
        // Behind a path prefix: the page must fetch its data relative to where it was served.
        try (Browser page = Browser.open(server.url("/edge/guardian/q/status"), SHOTS.resolve("final-stale.png"))) {
            page.expectState("READY");
            page.expectFresh();

            server.hang(true);
            long stopped = System.currentTimeMillis();
            page.within(Duration.ofSeconds(6));
            Browser.Event stale = page.expectStale();
            System.out.println("stale banner shown " + (stale.at() - stopped) + " ms after Guardian stopped answering");
            assertTrue(stale.value().contains("Guardian not answering"), stale.value());
            // The last data stays on screen.
            page.expectState("READY");
            page.expectText("reason", "all checks passing");
            page.expectText("postgres", "127.0.0.1:5432/chat");
            shot(page, "stale.png");

            server.hang(false);
            page.expectFresh();
        }
        assertTrue(server.paths().contains("/edge/guardian/q/status/data"), server.paths().toString());
        assertFalse(server.paths().contains("/q/status/data"), server.paths().toString());
    }

    @Test
    void showsAReasonContainingMarkupAsText() {
        server.data(Documents.notReady(FROZEN_REDIS + " " + MARKUP));
        try (Browser page = Browser.open(server.url("/q/status"), SHOTS.resolve("final-markup.png"))) {
            page.expectState("NOT_READY");
            Browser.Event reason = page.expectText("reason", MARKUP);
            assertTrue(reason.value().endsWith(MARKUP), reason.value());
            page.expectText("redis", MARKUP);
            page.expectText("transitions", MARKUP);
            page.expectNoElement("#content script, #content img, #content [onerror]");
            page.expectUnset("__injected");
            shot(page, "markup.png");
        }
    }

    private static void shot(Browser page, String name) {
        System.out.println("screenshot: " + page.screenshot(SHOTS.resolve(name)));
    }

    /** Guardian's status documents in the shape of the status page's data contract. */
    static final class Documents {
        /** Guardian started five minutes ago. */
        static final Instant START = Instant.now().minusSeconds(300);

        static JsonObject starting() {
            return base("STARTING", Instant.now().minusMillis(4_200), "waiting for redis: connection refused")
                    .put("elapsed_ms", 4_200).put("startup_budget_ms", 20_000)
                    .put("checks", new JsonArray()
                            .add(check("postgres", "postgres", "127.0.0.1:5432/chat", true, null))
                            .add(check("redis", "redis", "127.0.0.1:6379", false, "connection refused")))
                    .put("transitions", new JsonArray());
        }

        static JsonObject ready() {
            Instant since = START.plusMillis(812);
            return base("READY", since, "all checks passing: postgres, redis, websocket, heartbeat")
                    .put("elapsed_ms", 12_345).put("startup_budget_ms", 20_000).put("startup_duration_ms", 812)
                    .put("checks", new JsonArray()
                            .add(check("postgres", "postgres", "127.0.0.1:5432/chat", true, null))
                            .add(check("redis", "redis", "127.0.0.1:6379", true, null))
                            .add(check("websocket", "websocket", "ws://127.0.0.1:8080/ws", true, null))
                            .add(heartbeat()))
                    .put("transitions", new JsonArray().add(transition(since, "STARTING", "READY",
                            "all checks passing: postgres, redis, websocket, heartbeat")))
                    .put("facts", new JsonObject().put("lb_profile", "nginx").put("lb_idle_timeout_ms", 60_000));
        }

        static JsonObject notReady(String reason) {
            JsonObject doc = ready();
            Instant since = START.plusSeconds(190);
            doc.put("state", "NOT_READY").put("since", since.toString()).put("reason", reason);
            JsonArray checks = doc.getJsonArray("checks");
            checks.set(1, check("redis", "redis", "127.0.0.1:6379", false, reason.substring(reason.indexOf(": ") + 2)));
            doc.getJsonArray("transitions").add(0, transition(since, "READY", "NOT_READY", reason));
            return doc;
        }

        private static JsonObject base(String state, Instant since, String reason) {
            return new JsonObject().put("state", state).put("since", since.toString())
                    .put("now", Instant.now().toString()).put("reason", reason);
        }

        private static JsonObject check(String name, String kind, String target, boolean up, String error) {
            JsonArray recent = new JsonArray();
            for (int i = 0; i < 8; i++) {
                Instant at = START.plusSeconds(200 - 5L * i);
                recent.add(up || i > 1
                        ? new JsonObject().put("at", at.toString()).put("latency_us", 900 + 37 * i)
                                .put("outcome", "success")
                        : new JsonObject().put("at", at.toString()).put("latency_us", 1_000_000)
                                .put("outcome", "timeout").put("reason", "no answer within 1000 ms (attempt timeout)"));
            }
            JsonObject c = new JsonObject().put("name", name).put("kind", kind).put("role", "required")
                    .put("target", target).put("status", up ? "UP" : "DOWN").put("attempts", 40)
                    .put("consecutive_failures", up ? 0 : 2).put("consecutive_successes", up ? 38 : 0)
                    .put("last_attempt_age_ms", 812).put("details", new JsonObject()).put("recent", recent);
            return error == null ? c : c.put("last_error", error);
        }

        private static JsonObject heartbeat() {
            JsonArray recent = new JsonArray();
            for (int i = 0; i < 20; i++) {
                recent.add(new JsonObject().put("at", START.plusSeconds(200 - 10L * i).toString())
                        .put("latency_us", 300 + (i * 97) % 400).put("outcome", "success"));
            }
            return check("heartbeat", "heartbeat", "ws://127.0.0.1:8080/ws", true, null)
                    .put("details", new JsonObject().put("rtt_last_us", 412).put("rtt_min_us", 280)
                            .put("rtt_max_us", 1_900).put("pings", 20).put("connected", true)
                            .put("pong_timeout_ms", 5_000))
                    .put("recent", recent);
        }

        private static JsonObject transition(Instant at, String from, String to, String reason) {
            return new JsonObject().put("at", at.toString()).put("from", from).put("to", to).put("reason", reason);
        }
    }

    /**
     * A real HTTP server standing in for Guardian's management interface: any path ending in {@code /q/status} is the
     * page, {@code /q/status/data} the current document. {@link #hang} makes data requests go unanswered, as a
     * frozen Guardian would. The page is served with a Content-Security-Policy that allows only its own inline
     * script (by hash), inline styles, data: images and requests to its own origin.
     */
    static final class StatusServer implements AutoCloseable {
        private final Vertx vertx = Vertx.vertx();
        private final AtomicReference<String> data = new AtomicReference<>("{}");
        private final Set<String> paths = ConcurrentHashMap.newKeySet();
        private final byte[] page;
        private final String csp;
        private final HttpServer http;
        private volatile boolean hang;

        StatusServer() {
            try (InputStream in = StatusPageIT.class.getClassLoader().getResourceAsStream("guardian/status.html")) {
                if (in == null) {
                    throw new IllegalStateException("guardian/status.html is not on the class path");
                }
                page = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            csp = "default-src 'none'; script-src '" + scriptHash(new String(page, StandardCharsets.UTF_8))
                    + "'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none';"
                    + " form-action 'none'; frame-ancestors 'none'";
            http = vertx.createHttpServer().requestHandler(req -> {
                String path = req.path();
                paths.add(path);
                if (path.endsWith("/q/status")) {
                    req.response().putHeader("Content-Type", "text/html; charset=utf-8")
                            .putHeader("Content-Security-Policy", csp)
                            .end(io.vertx.core.buffer.Buffer.buffer(page));
                } else if (path.endsWith("/q/status/data")) {
                    if (!hang) {
                        req.response().putHeader("Content-Type", "application/json").end(data.get());
                    }
                } else {
                    req.response().setStatusCode(404).end();
                }
            });
            try {
                http.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** CSP source of the page's one inline script: sha256 of its text, base64. */
        static String scriptHash(String html) {
            int open = html.indexOf("<script>");
            int close = html.indexOf("</script>", open);
            if (open < 0 || close < 0 || html.indexOf("<script", open + 1) >= 0) {
                throw new IllegalStateException("status.html must hold exactly one inline <script>");
            }
            String script = html.substring(open + "<script>".length(), close);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
                return "sha256-" + Base64.getEncoder().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void data(JsonObject doc) {
            data.set(doc.encode());
        }

        void hang(boolean hang) {
            this.hang = hang;
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.actualPort() + path;
        }

        List<String> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void close() {
            vertx.close();
        }
    }
}
