package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.UvicornBackend;
import io.vertx.core.json.JsonObject;

/**
 * The harness' real Python backend (chat_backend.py under uvicorn) behind the edge: the chat works through it, and
 * uvicorn's own pings on the upstream leg are answered by the edge. uvicorn closes a connection whose ping goes
 * unanswered for --ws-ping-timeout (1011); UvicornBackendIT shows it pings at its interval.
 */
class EdgeUvicornIT {
    private static final Duration PING_INTERVAL = Duration.ofSeconds(1);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aChatThroughTheEdgeStaysOpenPastManyOfUvicornsPings() {
        try (UvicornBackend backend = UvicornBackend.pinging(PING_INTERVAL, PING_TIMEOUT);
                RunningEdge edge = RunningEdge.open(new SettingsBuilder(backend.port()));
                VertxClient c = VertxClient.connect(edge.ws("/ws"), List.of("chat.v1"), null)) {
            assertEquals("chat.v1", c.ws.subProtocol(), "uvicorn's subprotocol choice reaches the client");
            chat(c, "s-1");

            // Six ping intervals of quiet from the client: each of uvicorn's pings must be answered within a second.
            Duration quiet = PING_INTERVAL.multipliedBy(6);
            await("the chat stays open").atMost(quiet.plusSeconds(5)).during(quiet)
                    .untilAsserted(() -> assertFalse(c.isClosed(), "closed with " + c.closeCode + " "
                            + c.closeReason));
            chat(c, "s-2");
            assertFalse(c.isClosed(), "closed with " + c.closeCode + " " + c.closeReason + "; uvicorn said: "
                    + backend.log());
            assertEquals(1.0, edge.metric("guardian_edge_connections"));
        }
    }

    /** One chat message and uvicorn's five agent events, in order, through the edge. */
    private static void chat(VertxClient c, String session) {
        c.text(new JsonObject().put("type", "chat").put("session", session).put("text", "hi").encode());
        for (String event : ChatBackend.AGENT_EVENTS) {
            assertEquals("text:true:" + new JsonObject().put("type", event).put("session", session).encode(),
                    c.next());
        }
    }
}
