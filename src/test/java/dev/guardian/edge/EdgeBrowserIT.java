package dev.guardian.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.Nginx;
import io.vertx.core.json.JsonObject;

/**
 * A real browser (Debian's chromium, headless) on the chat test page, at component level: behind nginx with a 3 s
 * read timeout, the edge's pings keep a silent browser connected (browsers answer pings, they cannot send them);
 * rotation closes it with the configured code and the page reconnects. The process-level version, with Guardian's
 * real state and nginx's default 60 s, is {@link EdgeBrowserProcessIT}.
 */
class EdgeBrowserIT {

    @Test
    void aSilentBrowserBehindNginxStaysConnectedThroughTheEdgesPings() throws Exception {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(new SettingsBuilder(backend.port())
                        .ping(Duration.ofSeconds(1), Duration.ofSeconds(2)));
                Nginx nginx = Nginx.proxy(edge.port(), Duration.ofSeconds(3))) {
            Path shot = Files.createTempFile("edge-browser-", ".png");
            List<JsonObject> run = BrowserRun.run(BrowserRun.page(nginx.ws("/echo"), 300), shot, 30_000, "open:1",
                    "send:hello", "message:hello", "stay-open:8000", "send:still here", "message:still here");
            assertTrue(BrowserRun.done(run), run.toString());
            assertEquals(1, BrowserRun.pageEvents(run, "open").size(), "never reconnected: " + run);
            assertTrue(BrowserRun.pageEvents(run, "close").isEmpty(), run.toString());
            assertTrue(edge.metric("guardian_edge_pings_total") >= 6, "the browser was kept alive by pings");
            assertEquals(0, edge.metric("guardian_edge_missed_pongs_total"), "chromium answered every ping");
            assertTrue(Files.size(shot) > 0);
            Files.delete(shot);
        }
    }

    @Test
    void rotationClosesTheBrowserWithTheConfiguredCodeAndThePageReconnects() throws Exception {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(new SettingsBuilder(backend.port()).rotation(Duration.ofSeconds(8),
                        Duration.ofSeconds(2), Duration.ofSeconds(1), 1012, "service restart, reconnect"))) {
            Path shot = Files.createTempFile("edge-browser-", ".png");
            List<JsonObject> run = BrowserRun.run(BrowserRun.page(edge.ws("/echo"), 300), shot, 30_000, "open:1",
                    "close:1012", "open:2", "send:after rotation", "message:after rotation");
            assertTrue(BrowserRun.done(run), run.toString());
            JsonObject open = BrowserRun.pageEvents(run, "open").get(0);
            JsonObject close = BrowserRun.pageEvents(run, "close").get(0);
            assertEquals("service restart, reconnect", close.getString("reason"));
            assertEquals(true, close.getBoolean("clean"), "a close handshake, not a cut");
            long lived = close.getLong("t") - open.getLong("t");
            // Cap 8 s, margin 1 s, window 2 s: 5 to 7 s, give or take the sweep and the page's reports reaching Node
            // on loaded cores; always before the cap.
            assertTrue(lived >= 4_700 && lived < 8_000, "rotated after " + lived + " ms");
            Files.delete(shot);
        }
    }
}
