package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Nginx;
import dev.guardian.testing.Ports;
import io.vertx.core.json.JsonObject;

/**
 * The real-timeout proof, in a real Guardian process: Debian's chromium (headless) on the chat test page, behind
 * Debian's nginx with its default {@code proxy_read_timeout 60s}. Through Guardian's edge (load-balancer profile
 * {@code nginx}, so the edge pings after its default 20 s of quiet) a page that sends nothing for 75 s stays on its one
 * connection and still chats afterwards; beside it, at the same time, the same page through the same nginx straight to
 * the backend is cut at about 60 s (1006, no close handshake). A short second test rotates the page in the real
 * process (a Cloud Run lifetime cap of 8 s) and sees it reconnect through nginx.
 */
class EdgeBrowserProcessIT {
    private static final Duration NGINX_READ_TIMEOUT = Duration.ofSeconds(60);
    private static final long SILENCE_MILLIS = 75_000;
    /** Pings after 20, 40 and 60 s of quiet fit in 75 s of silence. */
    private static final long PINGS_IN_SILENCE = 3;
    private static final long NO_RECONNECT = 600_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    static EchoBackend backend;

    @BeforeAll
    static void peers() {
        backend = new EchoBackend();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Guardian in edge mode on {@code edgePort}, its gate check going to the backend directly, READY. */
    private static GuardianProcess edgeMode(int edgePort, String... extra) {
        List<String> env = new ArrayList<>(List.of("GUARDIAN_EDGE_ENABLED", "true",
                "GUARDIAN_EDGE_PORT", Integer.toString(edgePort),
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backend.port(),
                "GUARDIAN_BACKEND_URL", backend.ws("/gate"), "GUARDIAN_HEARTBEAT_ENABLED", "false"));
        env.addAll(List.of(extra));
        GuardianProcess g = GuardianProcess.with(env.toArray(String[]::new)).start();
        try {
            g.awaitListening();
            g.awaitOutput("edge mode: listening on 0.0.0.0:" + edgePort);
            g.awaitState("READY", WAIT);
            return g;
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
    }

    private static JsonNode edgeEntry(GuardianProcess g) {
        return g.health().data("edge");
    }

    /** A page event by kind and, for messages, by text; fails with the whole run when it is missing. */
    private static JsonObject event(List<JsonObject> run, String kind, String data) {
        return BrowserRun.pageEvents(run, kind).stream().filter(e -> data == null || data.equals(e.getString("data")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + data + " in " + run));
    }

    private static EchoBackend.Conn backendLeg(String path) {
        return backend.connections().stream().filter(c -> c.path.equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no connection to " + path + " reached the backend"));
    }

    @Test
    void aSilentBrowserStaysConnectedThroughTheEdgesPingsWhileNginxCutsItWithoutTheEdgeAt60s() throws Exception {
        int edgePort = Ports.free();
        long started = System.nanoTime();
        Path edgeShot = Files.createTempFile("edge-browser-edge-", ".png");
        Path plainShot = Files.createTempFile("edge-browser-plain-", ".png");
        ExecutorService browsers = Executors.newFixedThreadPool(2);
        try (GuardianProcess g = edgeMode(edgePort, "GUARDIAN_LOAD_BALANCER_PROFILE", "nginx");
                Nginx viaEdge = Nginx.proxy(edgePort, NGINX_READ_TIMEOUT);
                Nginx plain = Nginx.proxy(backend.port(), NGINX_READ_TIMEOUT)) {
            assertEquals(20_000, edgeEntry(g).path("client_ping_interval_ms").asLong(),
                    "the nginx profile's envelope: half of 60 s minus the 10 s pong timeout");

            // Both pages at once: (a) through the edge, (b) straight to the backend; the same nginx settings.
            Future<List<JsonObject>> edgeRun = browsers.submit(() -> BrowserRun.run(
                    BrowserRun.page(viaEdge.ws("/chat/edge"), NO_RECONNECT), edgeShot, 30_000, "open:1",
                    "send:hello", "message:hello", "stay-open:" + SILENCE_MILLIS, "send:still here",
                    "message:still here"));
            Future<List<JsonObject>> plainRun = browsers.submit(() -> BrowserRun.run(
                    BrowserRun.page(plain.ws("/chat/plain"), NO_RECONNECT), plainShot, 90_000, "open:1",
                    "send:hello", "message:hello", "close:1006"));

            // What an SRE would watch meanwhile: the edge entry's counters, read every second until both runs end.
            List<Long> pingsSeen = new ArrayList<>();
            await("both browser runs").atMost(Duration.ofMillis(SILENCE_MILLIS + 45_000))
                    .pollInterval(Duration.ofSeconds(1)).ignoreException(UncheckedIOException.class).until(() -> {
                        if (!edgeRun.isDone()) {
                            JsonNode entry = edgeEntry(g);
                            long pings = entry.path("pings_total").asLong();
                            if (pingsSeen.isEmpty() || pingsSeen.get(pingsSeen.size() - 1) != pings) {
                                pingsSeen.add(pings);
                            }
                        }
                        return edgeRun.isDone() && plainRun.isDone();
                    });
            List<JsonObject> a = edgeRun.get();
            List<JsonObject> b = plainRun.get();

            // (a) Through the edge: one connection, never closed, still chatting after 75 s of silence.
            assertTrue(BrowserRun.done(a), "the page behind the edge: " + a);
            assertEquals(1, BrowserRun.pageEvents(a, "open").size(), "never reconnected: " + a);
            assertTrue(BrowserRun.pageEvents(a, "close").isEmpty(), "never closed: " + a);
            long silentMillis = event(a, "sent", "still here").getLong("t") - event(a, "message", "hello").getLong("t");
            assertTrue(silentMillis >= SILENCE_MILLIS, "silent for " + silentMillis + " ms");
            JsonNode entry = edgeEntry(g);
            assertTrue(pingsSeen.get(pingsSeen.size() - 1) >= PINGS_IN_SILENCE && pingsSeen.size() >= 3,
                    "pings_total grew while the page was silent: " + pingsSeen);
            assertEquals(0, entry.path("missed_pongs_total").asLong(), "chromium answered every ping: " + entry);
            assertEquals(1, entry.path("upgrades_total").asLong(), "one upgrade through the edge: " + entry);
            assertEquals("READY", g.health().state());

            // (b) Without the edge: nginx cut the silent page at its read timeout, no close handshake.
            assertTrue(BrowserRun.done(b), "the page without the edge: " + b);
            JsonObject close = event(b, "close", null);
            assertEquals(1006, close.getInteger("code"), b.toString());
            assertEquals(false, close.getBoolean("clean"), "a cut, not a close handshake: " + b);
            long cutAfter = close.getLong("t") - event(b, "message", "hello").getLong("t");
            assertTrue(cutAfter >= 55_000 && cutAfter <= 70_000, "nginx cut after " + cutAfter + " ms of silence");
            EchoBackend.Conn cut = backendLeg("/chat/plain");
            await("the backend sees the cut").atMost(WAIT).until(cut::isClosed);
            assertFalse(cut.closeFrameReceived.get(), "nginx ends the TCP connection without a close frame");

            System.out.printf("EdgeBrowserProcessIT: nginx cut the plain page after %d ms of silence; the edge's "
                    + "pings_total went %s with %d missed pongs; the edge page stayed %d ms silent; %d s in all%n",
                    cutAfter, pingsSeen, entry.path("missed_pongs_total").asLong(), silentMillis,
                    (System.nanoTime() - started) / 1_000_000_000L);
        } finally {
            browsers.shutdownNow();
            Files.deleteIfExists(edgeShot);
            Files.deleteIfExists(plainShot);
        }
    }

    @Test
    void afterARotationInTheRealProcessThePageBehindNginxReconnects() throws Exception {
        int edgePort = Ports.free();
        Path shot = Files.createTempFile("edge-browser-rotation-", ".png");
        // An 8 s cap: the window is a quarter of it (2 s) ending a tenth of it (0.8 s) before the cap.
        try (GuardianProcess g = edgeMode(edgePort, "GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run",
                "GUARDIAN_LOAD_BALANCER_MAX_LIFETIME", "8s");
                Nginx nginx = Nginx.proxy(edgePort, NGINX_READ_TIMEOUT)) {
            List<JsonObject> run = BrowserRun.run(BrowserRun.page(nginx.ws("/chat/rotation"), 300), shot, 30_000,
                    "open:1", "close:1012", "open:2", "send:after rotation", "message:after rotation");
            assertTrue(BrowserRun.done(run), run.toString());
            JsonObject open = BrowserRun.pageEvents(run, "open").get(0);
            JsonObject close = event(run, "close", null);
            assertEquals(1012, close.getInteger("code"), run.toString());
            assertEquals("connection lifetime limit reached, reconnect", close.getString("reason"));
            assertEquals(true, close.getBoolean("clean"), "a close handshake through nginx, not a cut: " + run);
            long lived = close.getLong("t") - open.getLong("t");
            assertTrue(lived >= 5_200 - 500 && lived <= 7_200 + 500, "rotated after " + lived + " ms");
            await("the rotation counted").atMost(WAIT)
                    .until(() -> edgeEntry(g).path("rotations_total").asLong() >= 1);
            EchoBackend.Conn first = backendLeg("/chat/rotation");
            await("the backend leg closed").atMost(WAIT).until(first::isClosed);
            assertEquals((short) 1001, first.closeCode, "the backend leg of a rotation gets 1001");
            System.out.printf("EdgeBrowserProcessIT: the page was rotated after %d ms and reconnected %d ms later%n",
                    lived, BrowserRun.pageEvents(run, "open").get(1).getLong("t") - close.getLong("t"));
        } finally {
            Files.deleteIfExists(shot);
        }
    }
}
