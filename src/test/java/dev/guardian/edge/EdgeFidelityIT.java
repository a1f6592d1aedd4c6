package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.EchoBackend;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.json.JsonObject;

/**
 * Frames, close codes, subprotocols, refusals and headers through the edge, between Vert.x's WebSocket client and two
 * real backends (the echo backend and the harness' chat backend).
 */
class EdgeFidelityIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    static final EchoWorld world = EchoWorld.withEdge();

    @Test
    void textBinaryAndFragmentedMessagesPassUnchangedBothWays() {
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"))) {
            c.text("hello, edge");
            assertEquals("text:true:hello, edge", c.next());
            c.send(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[] { 0, 1, 2, (byte) 0xff }), true));
            assertEquals("binary:true:000102ff", c.next());
            // A message the client fragments reaches the backend as the same three frames, and comes back so.
            c.send(WebSocketFrame.textFrame("a|", false));
            c.send(WebSocketFrame.continuationFrame(Buffer.buffer("b|"), false));
            c.send(WebSocketFrame.continuationFrame(Buffer.buffer("c"), true));
            assertEquals(List.of("text:false:a|", "text:false:b|", "text:true:c"), List.of(c.next(), c.next(),
                    c.next()));
            EchoBackend.Conn seen = world.backend().last();
            assertEquals(List.of("text:true:hello, edge", "binary:true:000102ff", "text:false:a|", "text:false:b|",
                    "text:true:c"), seen.frames);
            // Messages the backend fragments reach the client as the backend sent them.
            c.text("cmd:frag");
            assertEquals(List.of("text:false:frag-one|", "text:false:frag-two|", "text:true:frag-three"),
                    List.of(c.next(), c.next(), c.next()));
            c.text("cmd:binfrag");
            assertEquals(List.of("binary:false:0102", "binary:false:03", "binary:true:0405"),
                    List.of(c.next(), c.next(), c.next()));
        }
        RunningEdge edge = world.edge();
        await().atMost(WAIT).until(() -> edge.metric("guardian_edge_messages_total", "direction", "to_backend") >= 5
                && edge.metric("guardian_edge_messages_total", "direction", "to_client") >= 5);
        assertTrue(edge.metric("guardian_edge_bytes_total", "direction", "to_backend") >= 20, edge.scrape());
    }

    @Test
    void closeCodesAndReasonsPassBothWays() {
        VertxClient c = VertxClient.connect(world.edge().ws("/echo"));
        c.text("one");
        c.next();
        EchoBackend.Conn seen = world.backend().last();
        c.ws.close((short) 4001, "client says bye");
        EchoBackend.await(seen.closed, WAIT.toMillis());
        assertEquals((short) 4001, seen.closeCode);
        assertEquals("client says bye", seen.closeReason);
        assertTrue(seen.closeFrameReceived.get(), "the backend got a close frame, not a lost connection");
        c.awaitClosed(WAIT);

        VertxClient d = VertxClient.connect(world.edge().ws("/echo"));
        d.text("cmd:close:4002:backend says bye");
        d.awaitClosed(WAIT);
        assertEquals((short) 4002, d.closeCode);
        assertEquals("backend says bye", d.closeReason);

        VertxClient e = VertxClient.connect(world.edge().ws("/echo"));
        e.ws.close((short) 3003, "a registered library's code");
        e.awaitClosed(WAIT);

        // Codes an application chooses are counted by range: a peer cannot give the label thousands of values.
        RunningEdge edge = world.edge();
        await().atMost(WAIT).until(() -> edge.metric("guardian_edge_closes_total", "by", "client", "code", "4xxx") == 1
                && edge.metric("guardian_edge_closes_total", "by", "backend", "code", "4xxx") == 1
                && edge.metric("guardian_edge_closes_total", "by", "client", "code", "3xxx") == 1);
        for (String code : new String[] { "4001", "4002", "3003" }) {
            assertFalse(edge.scrape().contains("code=\"" + code + "\""), code + " has no series of its own");
        }
        assertTrue(edge.metric("guardian_edge_connection_duration_seconds_count") >= 3, edge.scrape());
    }

    @Test
    void aLegLostWithoutACloseFrameIsReportedOnTheOtherLegWithASendableCode() {
        // The backend drops its TCP connection: 1006 may not be sent, the client gets 1011 and the reason.
        VertxClient c = VertxClient.connect(world.edge().ws("/echo"));
        c.text("cmd:drop");
        c.awaitClosed(WAIT);
        assertEquals((short) 1011, c.closeCode);
        assertEquals("backend connection lost", c.closeReason);

        // The client's TCP connection ends: the backend learns its client is gone with 1001.
        VertxClient d = VertxClient.connect(world.edge().ws("/echo"));
        d.text("x");
        d.next();
        EchoBackend.Conn seen = world.backend().last();
        ((WebSocketInternal) d.ws).channelHandlerContext().close();
        EchoBackend.await(seen.closed, WAIT.toMillis());
        assertEquals((short) 1001, seen.closeCode);
        assertEquals("client connection lost", seen.closeReason);

        // A close frame without a status (1005 when received) is passed on as an orderly close.
        VertxClient e = VertxClient.connect(world.edge().ws("/echo"));
        e.text("cmd:empty-close");
        e.awaitClosed(WAIT);
        assertEquals((short) 1000, e.closeCode);
        RunningEdge edge = world.edge();
        await().atMost(WAIT).until(() -> edge.metric("guardian_edge_closes_total", "by", "backend", "code", "1006") >= 1
                && edge.metric("guardian_edge_closes_total", "by", "client", "code", "1006") >= 1
                && edge.metric("guardian_edge_closes_total", "by", "backend", "code", "1005") >= 1);
    }

    @Test
    void theBackendsSubprotocolChoiceReachesTheClient() {
        // The backend supports chat.v2 and superchat: of the offered chat.v1, chat.v2 it picks chat.v2, the client's
        // second choice. The edge's own handshake would have taken the first offered; the client gets the backend's.
        int before = world.backend().connections().size();
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"), List.of("chat.v1", "chat.v2"), null)) {
            assertEquals("chat.v2", c.ws.subProtocol());
            EchoBackend.Conn seen = world.backend().newest(before);
            assertEquals("chat.v2", seen.subprotocol);
            assertEquals("chat.v1,chat.v2", seen.headers.get("Sec-WebSocket-Protocol"));
        }
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"), List.of("superchat", "chat.v2"), null)) {
            assertEquals("superchat", c.ws.subProtocol());
        }
        // No subprotocol offered: none chosen, none returned.
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"))) {
            assertTrue(c.ws.subProtocol() == null || c.ws.subProtocol().isEmpty(), c.ws.subProtocol());
            assertFalse(c.upgradeHeaders.contains("Sec-WebSocket-Protocol"), c.upgradeHeaders.toString());
        }
    }

    @Test
    void permessageDeflateIsNegotiatedOnNeitherLeg() throws Exception {
        int before = world.backend().connections().size();
        String head;
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), world.edge().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            head = dev.guardian.testing.RawHttp.head(s.getInputStream());
        }
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertFalse(head.toLowerCase().contains("sec-websocket-extensions"), "no extension accepted: " + head);
        EchoBackend.Conn seen = world.backend().newest(before);
        assertNull(seen.headers.get("Sec-WebSocket-Extensions"), "none offered to the backend");
    }

    @Test
    void anUpgradeTheBackendRefusesReachesTheClientWithTheBackendsStatus() {
        UpgradeRejectedException r = VertxClient.refused(world.edge().ws("/ws/refuse/403"));
        assertEquals(403, r.getStatus());
        assertEquals("backend", r.getHeaders().get("X-Refused-By"));
        assertEquals("refused by backend", r.getBody().toString());
        assertEquals(429, VertxClient.refused(world.edge().ws("/ws/refuse/429")).getStatus());

        try (ChatBackend chat = new ChatBackend();
                RunningEdge chatEdge = RunningEdge.open(new SettingsBuilder(chat.port()))) {
            chat.mode(ChatBackend.Mode.ERROR_500_BEFORE_ACCEPT);
            UpgradeRejectedException e = VertxClient.refused(chatEdge.ws("/ws"));
            assertEquals(500, e.getStatus());
            assertTrue(e.getBody().toString().contains("Need to call \"accept\" first"), e.getBody().toString());
            assertEquals(1, chatEdge.metric("guardian_edge_upgrades_refused_total", "reason", "backend_refused"));
        }
        assertTrue(world.edge().metric("guardian_edge_upgrades_refused_total", "reason", "backend_refused") >= 2);
    }

    @Test
    void anUnreachableBackendGives502() {
        int closedPort = dev.guardian.testing.Ports.free();
        try (RunningEdge nowhere = RunningEdge.open(new SettingsBuilder(closedPort))) {
            UpgradeRejectedException r = VertxClient.refused(nowhere.ws("/ws"));
            assertEquals(502, r.getStatus());
            assertEquals("backend unreachable\n", r.getBody().toString());
            assertEquals(1, nowhere.metric("guardian_edge_upgrades_refused_total", "reason", "backend_unreachable"));
            await("the slot given back").atMost(WAIT).until(() -> nowhere.health().get("in_use").equals(0L));
        }
    }

    @Test
    void requestHeadersReachTheBackendWithForwardedHeadersAndWithoutHopByHopOnes() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer s3cret-token")
                .add("Cookie", "session=abc; theme=dark").add("X-Custom", "custom value")
                .add("X-Forwarded-For", "203.0.113.7").add("Proxy-Authorization", "Basic cHJveHk6cHc=")
                .add("Keep-Alive", "timeout=5");
        int before = world.backend().connections().size();
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo?room=42"), List.of(), headers)) {
            EchoBackend.Conn seen = world.backend().newest(before);
            assertEquals("/echo", seen.path);
            assertEquals("Bearer s3cret-token", seen.headers.get("Authorization"));
            assertEquals("session=abc; theme=dark", seen.headers.get("Cookie"));
            assertEquals("custom value", seen.headers.get("X-Custom"));
            assertEquals("203.0.113.7, 127.0.0.1", seen.headers.get("X-Forwarded-For"));
            assertEquals("http", seen.headers.get("X-Forwarded-Proto"));
            assertEquals("127.0.0.1:" + world.edge().port(), seen.headers.get("X-Forwarded-Host"));
            assertEquals("127.0.0.1:" + world.edge().port(), seen.headers.get("Host"),
                    "Host is kept as the client sent it");
            assertNull(seen.headers.get("Proxy-Authorization"), "hop-by-hop");
            assertNull(seen.headers.get("Keep-Alive"), "hop-by-hop");
            assertNull(seen.headers.get("Origin"), "no Origin is invented for a client that sent none");
            // The backend's 101 headers (Set-Cookie) reach the client.
            assertEquals("edge-test=1; Path=/", c.upgradeHeaders.get("Set-Cookie"));
        }
        // What a client claims is replaced by what the edge saw: it could reach the edge directly.
        MultiMap claimed = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Host", "chat.example.com");
        int before2 = world.backend().connections().size();
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"), List.of(), claimed)) {
            EchoBackend.Conn seen = world.backend().newest(before2);
            assertEquals(List.of("http"), seen.headers.getAll("X-Forwarded-Proto"));
            assertEquals(List.of("127.0.0.1:" + world.edge().port()), seen.headers.getAll("X-Forwarded-Host"));
        }
        // Trusting the proxy in front (Cloud Run's front end says https): the scheme it set is kept; the host is
        // always the Host the edge received, which such a proxy passes on.
        try (RunningEdge trusting = RunningEdge.open(new SettingsBuilder(world.backend().port()).trustForwarded())) {
            int before3 = world.backend().connections().size();
            try (VertxClient c = VertxClient.connect(trusting.ws("/echo"), List.of(), claimed)) {
                EchoBackend.Conn seen = world.backend().newest(before3);
                assertEquals(List.of("https"), seen.headers.getAll("X-Forwarded-Proto"));
                assertEquals(List.of("127.0.0.1:" + trusting.port()), seen.headers.getAll("X-Forwarded-Host"));
                assertEquals("127.0.0.1", seen.headers.get("X-Forwarded-For"), "the address the edge saw, always");
            }
        }
    }

    @Test
    void theChatBackendWorksThroughTheEdgeAndItsFailuresReachTheClient() {
        try (ChatBackend chat = new ChatBackend();
                RunningEdge chatEdge = RunningEdge.open(new SettingsBuilder(chat.port()))) {
            try (VertxClient c = VertxClient.connect(chatEdge.ws("/ws"), List.of("chat.v1"), null)) {
                assertEquals("chat.v1", c.ws.subProtocol());
                c.text(new JsonObject().put("type", "chat").put("session", "s-1").encode());
                for (String event : ChatBackend.AGENT_EVENTS) {
                    JsonObject got = new JsonObject(c.next().substring("text:true:".length()));
                    assertEquals(event, got.getString("type"));
                    assertEquals("s-1", got.getString("session"));
                }
            }
            // Accepts, then closes at once with 1011: the close reaches the client after its 101.
            chat.mode(ChatBackend.Mode.CLOSE_1011);
            VertxClient c = VertxClient.connect(chatEdge.ws("/ws"), List.of("chat.v1"), null).awaitClosed(WAIT);
            assertEquals((short) 1011, c.closeCode);
            assertEquals("handler could not be built", c.closeReason);
        }
    }

    @Test
    void theBackendsPingsOnTheUpstreamLegAreAnswered() {
        int before = world.backend().connections().size();
        try (VertxClient c = VertxClient.connect(world.edge().ws("/echo"))) {
            c.text("cmd:ping");
            EchoBackend.Conn seen = world.backend().newest(before);
            await().atMost(WAIT).until(() -> seen.pongs.get() >= 1);
            assertEquals(0, c.pings.get(), "the backend's pings are per hop, not passed to the client");
        }
    }

    @Test
    void messagesAndFramesOverTheLimitsCloseTheConnection() {
        try (RunningEdge small = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .sizes(100 * 1024, 64 * 1024))) {
            // Four fragments of 30 KiB: 120 KiB in one message, over 100 KiB.
            VertxClient c = VertxClient.connect(small.ws("/echo"));
            Buffer part = Buffer.buffer(new byte[30 * 1024]);
            c.send(WebSocketFrame.binaryFrame(part, false));
            c.send(WebSocketFrame.continuationFrame(part, false));
            c.send(WebSocketFrame.continuationFrame(part, false));
            c.send(WebSocketFrame.continuationFrame(part, true));
            c.awaitClosed(WAIT);
            assertEquals((short) 1009, c.closeCode);
            assertEquals("message over 102400 bytes", c.closeReason);
            EchoBackend.Conn seen = world.backend().last();
            EchoBackend.await(seen.closed, WAIT.toMillis());
            assertEquals((short) 1001, seen.closeCode);

            // One frame of 100 KiB, over the 64 KiB frame limit: Vert.x fails the client's connection at once.
            VertxClient d = VertxClient.connect(small.ws("/echo"));
            d.text("before");
            d.next();
            EchoBackend.Conn seen2 = world.backend().last();
            d.send(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[100 * 1024]), true));
            d.awaitClosed(WAIT);
            EchoBackend.await(seen2.closed, WAIT.toMillis());
            assertEquals((short) 1001, seen2.closeCode);
            assertTrue(seen2.closeReason.startsWith("client connection failed: Max frame length of 65536"),
                    seen2.closeReason);
            await().atMost(WAIT).until(() -> small.metric("guardian_edge_closes_total", "by", "limit", "code", "1009")
                    == 2);
        }
    }
}
