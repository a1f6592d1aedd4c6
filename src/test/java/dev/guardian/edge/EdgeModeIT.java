package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.FreshHttp;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.Ports;
import dev.guardian.testing.RedisServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;

/**
 * Edge mode in a real Guardian process: the gate follows the engine's state (a frozen Redis at start and while
 * READY), chat traffic passes once READY, rotation comes from the balancer's lifetime cap, SIGTERM drains every
 * client with 1001 over the drain window and Guardian exits 0 well before Cloud Run's SIGKILL.
 */
class EdgeModeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static RedisServer redis;
    static ChatBackend backend;

    @BeforeAll
    static void peers() {
        redis = RedisServer.started();
        backend = new ChatBackend();
    }

    @AfterAll
    static void stop() {
        backend.close();
        redis.close();
    }

    private record Edge(GuardianProcess guardian, int port) implements AutoCloseable {
        String ws() {
            return "ws://127.0.0.1:" + port + "/ws";
        }

        Health get(String path) throws IOException {
            return FreshHttp.get("http://127.0.0.1:" + port + path, Duration.ofSeconds(5));
        }

        JsonNode entry() {
            return guardian.health().data("edge");
        }

        @Override
        public void close() {
            guardian.close();
        }
    }

    private static Edge edge(String... extra) {
        int port = Ports.free();
        List<String> env = new ArrayList<>(List.of("GUARDIAN_EDGE_ENABLED", "true",
                "GUARDIAN_EDGE_PORT", Integer.toString(port),
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backend.port(),
                "GUARDIAN_REDIS_URL", redis.url(), "GUARDIAN_REDIS_TIMEOUT", "1s", "GUARDIAN_REDIS_INTERVAL", "300ms",
                "GUARDIAN_REDIS_FAILURE_THRESHOLD", "2",
                "GUARDIAN_BACKEND_URL", backend.url("/ws"), "GUARDIAN_HEARTBEAT_ENABLED", "false"));
        env.addAll(List.of(extra));
        GuardianProcess g = GuardianProcess.with(env.toArray(String[]::new)).start().awaitListening();
        g.awaitOutput("edge mode: listening on 0.0.0.0:" + port);
        return new Edge(g, port);
    }

    private static void chatRoundTrip(VertxClient c, String session) {
        c.text(new JsonObject().put("type", "chat").put("session", session).encode());
        for (String event : ChatBackend.AGENT_EVENTS) {
            JsonObject got = new JsonObject(c.next().substring("text:true:".length()));
            assertEquals(event, got.getString("type"));
            assertEquals(session, got.getString("session"));
        }
    }

    private static void assertRefused(Edge e, String reason) throws IOException {
        UpgradeRejectedException r = VertxClient.refused(e.ws());
        assertEquals(503, r.getStatus());
        assertEquals("2", r.getHeaders().get("Retry-After"));
        assertEquals(reason, r.getBody().toString().trim());
        Health plain = e.get("/");
        assertEquals(503, plain.code());
        assertEquals(reason, plain.body().trim(), "a short reason, never the health JSON");
    }

    @Test
    void theGateFollowsGuardiansStateAndOpenChatsSurviveANotReadyBlip() throws Exception {
        redis.freeze();
        Edge e;
        try {
            e = edge();
            assertRefused(e, "starting");
        } finally {
            redis.resume();
        }
        try (e) {
            e.guardian().awaitState("READY", WAIT);
            try (VertxClient chat = VertxClient.connect(e.ws(), List.of("chat.v1"), null)) {
                chatRoundTrip(chat, "before");
                assertNotEquals(503, e.get("/").code(), "plain requests pass once READY");

                redis.freeze();
                try {
                    e.guardian().awaitState("NOT_READY", WAIT);
                    assertRefused(e, "not ready");
                    // Open connections survive a blip unless close-on-not-ready is set.
                    chatRoundTrip(chat, "during");
                } finally {
                    redis.resume();
                }
                e.guardian().awaitState("READY", WAIT);
                try (VertxClient again = VertxClient.connect(e.ws(), List.of("chat.v1"), null)) {
                    chatRoundTrip(again, "after");
                }
                // The closed one leaves; the one that lived through NOT_READY stays.
                await().atMost(WAIT).until(() -> e.entry().path("connections").asLong() == 1);
                JsonNode entry = e.entry();
                assertEquals("127.0.0.1:" + backend.port(), entry.path("backend").asText());
                assertTrue(entry.path("upgrades_refused_total").asLong() >= 2, entry.toString());
                assertEquals("edge", e.guardian().health().data("guardian").path("mode").asText());
                String metrics = e.guardian().metrics();
                assertTrue(metrics.contains("guardian_edge_upgrades_refused_total{reason=\"not_ready\"}"), metrics);
                assertTrue(metrics.contains("guardian_edge_connections "), metrics);
            }
        }
    }

    @Test
    void withCloseOnNotReadyOpenChatsCloseWith1013() {
        try (Edge e = edge("GUARDIAN_EDGE_CLOSE_ON_NOT_READY", "true")) {
            e.guardian().awaitState("READY", WAIT);
            VertxClient chat = VertxClient.connect(e.ws(), List.of("chat.v1"), null);
            redis.freeze();
            try {
                e.guardian().awaitState("NOT_READY", WAIT);
                chat.awaitClosed(Duration.ofSeconds(5));
                assertEquals((short) 1013, chat.closeCode);
            } finally {
                redis.resume();
            }
        }
    }

    @Test
    void connectionsRotateBeforeTheBalancersLifetimeCapWithTheConfiguredCode() {
        // A 6 s cap: the window is a quarter of it (1.5 s) ending a tenth of it (0.6 s) before the cap.
        try (Edge e = edge("GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run", "GUARDIAN_LOAD_BALANCER_MAX_LIFETIME", "6s",
                "GUARDIAN_EDGE_ROTATION_CODE", "4000", "GUARDIAN_EDGE_ROTATION_REASON", "rotating, reconnect")) {
            e.guardian().awaitState("READY", WAIT);
            VertxClient chat = VertxClient.connect(e.ws(), List.of("chat.v1"), null);
            chat.awaitClosed(Duration.ofSeconds(10));
            assertEquals((short) 4000, chat.closeCode);
            assertEquals("rotating, reconnect", chat.closeReason);
            long lived = chat.lifetimeMillis();
            // The window, give or take the sweep and scheduling on loaded cores; always before the 6 s cap.
            assertTrue(lived >= 3_900 - 300 && lived < 6_000, "rotated after " + lived + " ms");
            await().atMost(WAIT).until(() -> e.entry().path("rotations_total").asLong() == 1);
        }
    }

    @Test
    void sigtermClosesEveryChatWith1001OverTheDrainWindowAndExitsZero() {
        Edge e = edge("GUARDIAN_EDGE_DRAIN_WINDOW", "3s", "GUARDIAN_SHUTDOWN_DRAIN", "1s");
        try (e) {
            e.guardian().awaitState("READY", WAIT);
            List<VertxClient> chats = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                chats.add(VertxClient.connect(e.ws(), List.of("chat.v1"), null));
            }
            long goingAwayBefore = backend.closes(1001);
            long sent = System.nanoTime();
            e.guardian().sigterm();
            for (VertxClient c : chats) {
                c.awaitClosed(Duration.ofSeconds(8));
                assertEquals((short) 1001, c.closeCode);
            }
            long first = chats.stream().mapToLong(c -> c.closedNanos).min().orElseThrow();
            long last = chats.stream().mapToLong(c -> c.closedNanos).max().orElseThrow();
            assertTrue(last - first > 500_000_000L, "closes spread over the window, not at once: "
                    + (last - first) / 1_000_000 + " ms");
            // The window, plus the sweep and the signal's handling on loaded cores; before the 1 s shutdown drain
            // that follows it would end.
            assertTrue((last - sent) / 1_000_000 < 3_000 + 900, "every chat closed inside the 3 s window");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.closes(1001) >= goingAwayBefore + 20);
            assertEquals(0, e.guardian().awaitExit(Duration.ofSeconds(15)), e.guardian().output());
            long tookMillis = (System.nanoTime() - sent) / 1_000_000;
            assertTrue(tookMillis < 8_000, "exit took " + tookMillis + " ms after SIGTERM");
            assertTrue(e.guardian().output().contains("edge draining: 20 connection(s)"), e.guardian().output());
        }
    }
}
