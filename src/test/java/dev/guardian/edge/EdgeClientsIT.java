package dev.guardian.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.guardian.testing.EchoBackend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The edge between real clients in other languages (Node's ws, Python's websockets) and the echo backend: the gate,
 * the backend's subprotocol choice, messages of every kind both ways, and close codes both ways.
 */
class EdgeClientsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    @RegisterExtension
    static final EchoWorld world = EchoWorld.withEdge();

    private static ScriptedClient client(String kind, String url, List<String> protocols) {
        JsonObject options = new JsonObject().put("protocols", new JsonArray(List.copyOf(protocols)))
                .put("headers", new JsonObject().put("Authorization", "Bearer from-" + kind));
        return kind.equals("node") ? ScriptedClient.node(url, options) : ScriptedClient.python(url, options);
    }

    @ParameterizedTest
    @ValueSource(strings = { "node", "python" })
    void refusedWhileTheGateRefusesThenMessagesAndCloseCodesPassBothWays(String kind) {
        world.edge().refusal.set("starting");
        try (ScriptedClient refused = client(kind, world.edge().ws("/echo"), List.of())) {
            JsonObject r = refused.await("unexpected-response", WAIT);
            assertEquals(503, r.getInteger("status"), r.encode());
            assertEquals("3", r.getString("retryAfter"), r.encode());
        } finally {
            world.edge().refusal.set(null);
        }

        int before = world.backend().connections().size();
        try (ScriptedClient c = client(kind, world.edge().ws("/echo"), List.of("chat.v1", "chat.v2"))) {
            assertEquals("chat.v2", c.await("open", WAIT).getString("protocol"), "the backend's choice");
            EchoBackend.Conn seen = world.backend().newest(before);
            assertEquals("Bearer from-" + kind, seen.headers.get("Authorization"));
            c.text("héllo from " + kind);
            assertEquals("héllo from " + kind, c.nextMessage());
            c.binary("00ff10");
            assertEquals("binary:00ff10", c.nextMessage());
            c.fragments(false, "part-1|", "part-2|", "part-3");
            assertEquals("part-1|part-2|part-3", c.nextMessage());
            c.fragments(true, "0102", "03");
            assertEquals("binary:010203", c.nextMessage());
            // The client's fragments reached the backend frame for frame (websockets ends a fragmented message
            // with an empty final frame; ws sets FIN on the last part).
            assertEquals(kind.equals("python")
                    ? List.of("text:false:part-1|", "text:false:part-2|", "text:false:part-3", "text:true:")
                    : List.of("text:false:part-1|", "text:false:part-2|", "text:true:part-3"),
                    seen.frames.subList(2, kind.equals("python") ? 6 : 5));
            c.text("cmd:frag");
            assertEquals("frag-one|frag-two|frag-three", c.nextMessage());
            c.close(4001, "bye from " + kind);
            JsonObject closed = c.await("close", WAIT);
            assertEquals(4001, closed.getInteger("code"));
            EchoBackend.await(seen.closed, WAIT.toMillis());
            assertEquals((short) 4001, seen.closeCode);
            assertEquals("bye from " + kind, seen.closeReason);
        }

        try (ScriptedClient c = client(kind, world.edge().ws("/echo"), List.of())) {
            c.await("open", WAIT);
            c.text("cmd:close:4002:backend says bye");
            JsonObject closed = c.await("close", WAIT);
            assertEquals(4002, closed.getInteger("code"));
            assertEquals("backend says bye", closed.getString("reason"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "node", "python" })
    void codesThatMayNotBeSentArriveMapped(String kind) {
        // Directly, an empty close frame reads as 1005 (no status); through the edge it arrives as an orderly 1000.
        try (ScriptedClient direct = client(kind, world.backend().ws("/echo"), List.of())) {
            direct.await("open", WAIT);
            direct.text("cmd:empty-close");
            assertEquals(1005, direct.await("close", WAIT).getInteger("code"));
        }
        try (ScriptedClient c = client(kind, world.edge().ws("/echo"), List.of())) {
            c.await("open", WAIT);
            c.text("cmd:empty-close");
            assertEquals(1000, c.await("close", WAIT).getInteger("code"));
        }
        // Directly, a dropped connection reads as 1006; through the edge the client is told 1011 and why.
        try (ScriptedClient c = client(kind, world.edge().ws("/echo"), List.of())) {
            c.await("open", WAIT);
            c.text("cmd:drop");
            JsonObject closed = c.await("close", WAIT);
            assertEquals(1011, closed.getInteger("code"));
            assertEquals("backend connection lost", closed.getString("reason"));
        }
    }
}
