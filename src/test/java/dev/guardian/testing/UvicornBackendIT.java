package dev.guardian.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * The uvicorn chat backend is a real peer for Guardian's tests: it speaks the chat protocol of {@link ChatBackend},
 * and its server PINGs arrive at the cadence it was started with, as seen by a Vert.x WebSocket client.
 */
class UvicornBackendIT {
    private static final long TOLERANCE_MILLIS = 500;

    private Vertx vertx;
    private WebSocketClient client;

    @BeforeEach
    void client() {
        vertx = Vertx.vertx();
        client = vertx.createWebSocketClient();
    }

    @AfterEach
    void closeClient() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void speaksTheChatProtocol() throws Exception {
        try (UvicornBackend backend = UvicornBackend.pinging(Duration.ofSeconds(20), Duration.ofSeconds(20))) {
            Connection c = connect(backend);
            assertEquals("chat.v1", c.ws.subProtocol());

            c.ws.writeTextMessage(new JsonObject().put("type", "ping").put("session", "s-17").encode());
            assertEquals(new JsonObject().put("type", "pong").put("session", "s-17"), c.next());

            c.ws.writeTextMessage(new JsonObject().put("type", "chat").put("session", "s-17").put("text", "hi").encode());
            for (String event : ChatBackend.AGENT_EVENTS) {
                assertEquals(new JsonObject().put("type", event).put("session", "s-17"), c.next());
            }

            c.ws.writeTextMessage(new JsonObject().put("type", "keepalive").encode());
            c.ws.writeTextMessage("not json");
            assertEquals("error", c.next().getString("type"), "a keepalive gets no answer; the next reply is the error");
            c.ws.writeTextMessage(new JsonObject().put("type", "weather").encode());
            assertEquals(new JsonObject().put("type", "unknown"), c.next());
        }
    }

    @ParameterizedTest(name = "--ws-ping-interval {0}")
    @ValueSource(ints = { 2, 5 })
    void pingsAtTheConfiguredCadence(int intervalSeconds) {
        try (UvicornBackend backend = UvicornBackend.pinging(Duration.ofSeconds(intervalSeconds),
                Duration.ofSeconds(20))) {
            Connection c = connect(backend);
            await("three PINGs").atMost(Duration.ofSeconds(intervalSeconds * 3L + 5)).until(() -> c.pings().size() >= 3);

            List<Long> marks = new ArrayList<>(List.of(c.openedAt));
            marks.addAll(c.pings().subList(0, 3));
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < marks.size(); i++) {
                gaps.add(TimeUnit.NANOSECONDS.toMillis(marks.get(i) - marks.get(i - 1)));
            }
            System.out.println("--ws-ping-interval " + intervalSeconds + ": open→PING and PING→PING gaps (ms) " + gaps);
            for (long gap : gaps) {
                assertTrue(Math.abs(gap - intervalSeconds * 1000L) <= TOLERANCE_MILLIS,
                        "gaps " + gaps + " ms, expected " + intervalSeconds * 1000 + " ± " + TOLERANCE_MILLIS);
            }
            // The client answered every PING with a PONG, so uvicorn kept the connection.
            assertFalse(c.ws.isClosed(), "closed with " + c.ws.closeStatusCode() + " " + c.ws.closeReason());
        }
    }

    @Test
    void aFrozenBackendStopsPingingAndPingsAgainWhenResumed() {
        try (UvicornBackend backend = UvicornBackend.pinging(Duration.ofSeconds(1), Duration.ofSeconds(20))) {
            Connection c = connect(backend);
            await("a first PING").atMost(Duration.ofSeconds(5)).until(() -> c.pings().size() >= 1);
            backend.freeze();
            int before = c.pings().size();
            await("silence while frozen").during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(4))
                    .until(() -> c.pings().size() <= before + 1); // one may have been on its way
            int frozen = c.pings().size();
            backend.resume();
            await("PINGs again").atMost(Duration.ofSeconds(5)).until(() -> c.pings().size() > frozen);
        }
    }

    @Test
    void aBackendThatNeverPingsByDesignSendsNoPings() throws Exception {
        try (UvicornBackend backend = UvicornBackend.neverPinging()) {
            Connection c = connect(backend);
            c.ws.writeTextMessage(new JsonObject().put("type", "ping").put("session", "s-1").encode());
            assertEquals(new JsonObject().put("type", "pong").put("session", "s-1"), c.next());
            // uvicorn's default interval is 20 s; wsproto would not ping even at 1 s, but a few seconds show the point.
            await("no PING").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .until(() -> c.pings().isEmpty());
        }
    }

    /** A client connection that records when each server PING arrived (System.nanoTime) and queues text messages. */
    private static final class Connection {
        final WebSocket ws;
        final long openedAt;
        final List<Long> pings = new ArrayList<>();
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();

        Connection(WebSocket ws) {
            this.openedAt = System.nanoTime();
            this.ws = ws;
            ws.frameHandler(frame -> {
                if (frame.isPing()) {
                    synchronized (pings) {
                        pings.add(System.nanoTime());
                    }
                }
            });
            ws.textMessageHandler(texts::add);
        }

        List<Long> pings() {
            synchronized (pings) {
                return List.copyOf(pings);
            }
        }

        JsonObject next() throws InterruptedException {
            String text = texts.poll(5, TimeUnit.SECONDS);
            assertNotNull(text, "no message within 5 s");
            return new JsonObject(text);
        }
    }

    private Connection connect(UvicornBackend backend) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(backend.port())
                .setURI("/ws").addSubProtocol("chat.v1");
        WebSocket ws = client.connect(options).toCompletionStage().toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS).join();
        return new Connection(ws);
    }
}
