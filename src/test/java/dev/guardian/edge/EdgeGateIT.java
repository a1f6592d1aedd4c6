package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.EchoBackend;
import io.vertx.core.http.UpgradeRejectedException;

/** The gate, the cap and not-ready behaviour, and what the edge's health entry says. */
class EdgeGateIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @RegisterExtension
    static final EchoWorld world = EchoWorld.backendOnly();

    static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void upgradesAndRequestsGet503WithRetryAfterWhileTheGateRefusesAndPassAfter() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port()))) {
            edge.refusal.set("starting");
            int upgradesBefore = world.backend().connections().size();
            int requestsBefore = world.backend().httpHeaders().size();

            UpgradeRejectedException r = VertxClient.refused(edge.ws("/echo"));
            assertEquals(503, r.getStatus());
            assertEquals("3", r.getHeaders().get("Retry-After"));
            assertEquals("starting\n", r.getBody().toString(), "one line of plain text, not the health JSON");
            assertEquals("text/plain; charset=utf-8", r.getHeaders().get("Content-Type"));
            HttpResponse<String> plain = get(edge.http("/http/headers"));
            assertEquals(503, plain.statusCode());
            assertEquals("3", plain.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("starting\n", plain.body());
            assertEquals(upgradesBefore, world.backend().connections().size(), "nothing reached the backend");
            assertEquals(requestsBefore, world.backend().httpHeaders().size(), "nothing reached the backend");

            edge.refusal.set(null);
            try (VertxClient c = VertxClient.connect(edge.ws("/echo"))) {
                c.text("through");
                assertEquals("text:true:through", c.next());
            }
            assertEquals(200, get(edge.http("/http/headers")).statusCode());
            assertEquals(1, edge.metric("guardian_edge_upgrades_refused_total", "reason", "not_ready"));
            assertEquals(1, edge.metric("guardian_edge_http_requests_total", "outcome", "not_ready"));
            await().atMost(WAIT).until(() -> edge.metric("guardian_edge_http_requests_total", "outcome", "ok") == 1);
            assertEquals(1, edge.metric("guardian_edge_upgrades_total"));
        }
    }

    @Test
    void openConnectionsSurviveNotReadyByDefault() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port()));
                VertxClient c = VertxClient.connect(edge.ws("/echo"))) {
            edge.refusal.set("not ready");
            edge.proxy.notReady();
            c.text("still here");
            assertEquals("text:true:still here", c.next());
            UpgradeRejectedException r = VertxClient.refused(edge.ws("/echo"));
            assertEquals(503, r.getStatus());
            assertEquals("not ready\n", r.getBody().toString());
            assertTrue(!c.isClosed());
        }
    }

    @Test
    void withCloseOnNotReadyOpenConnectionsCloseWith1013AndTheBackendHears1001() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port()).closeOnNotReady())) {
            VertxClient c = VertxClient.connect(edge.ws("/echo"));
            c.text("x");
            c.next();
            EchoBackend.Conn seen = world.backend().last();
            edge.refusal.set("not ready");
            edge.proxy.notReady();
            c.awaitClosed(WAIT);
            assertEquals((short) 1013, c.closeCode);
            assertEquals("not ready, reconnect later", c.closeReason);
            EchoBackend.await(seen.closed, WAIT.toMillis());
            assertEquals((short) 1001, seen.closeCode);
            assertEquals("edge not ready", seen.closeReason);
            await().atMost(WAIT).until(() -> edge.metric("guardian_edge_closes_total", "by", "not_ready", "code",
                    "1013") == 1);
        }
    }

    @Test
    void beyondTheCapNewUpgradesAndRequestsGet503() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port()).maxConnections(2))) {
            VertxClient a = VertxClient.connect(edge.ws("/echo"));
            VertxClient b = VertxClient.connect(edge.ws("/echo"));
            UpgradeRejectedException r = VertxClient.refused(edge.ws("/echo"));
            assertEquals(503, r.getStatus());
            assertEquals("at capacity (2 connections)\n", r.getBody().toString());
            assertEquals(503, get(edge.http("/http/headers")).statusCode());
            assertEquals(2L, edge.health().get("connections"));
            a.close();
            a.awaitClosed(WAIT);
            await("the slot given back").atMost(WAIT).until(() -> edge.health().get("in_use").equals(1L));
            try (VertxClient c = VertxClient.connect(edge.ws("/echo"))) {
                assertTrue(!c.isClosed());
            }
            b.close();
            assertEquals(1, edge.metric("guardian_edge_upgrades_refused_total", "reason", "capacity"));
            assertEquals(1, edge.metric("guardian_edge_http_requests_total", "outcome", "capacity"));
        }
    }

    @Test
    void theHealthEntrySaysWhatIsOpenAndWhatIsConfigured() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .ping(Duration.ofSeconds(20), Duration.ofSeconds(5))
                .rotation(Duration.ofMinutes(60), Duration.ofSeconds(60), Duration.ofSeconds(10), 1012,
                        "reconnect please"))) {
            List<VertxClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(VertxClient.connect(edge.ws("/echo")));
            }
            // A client has its 101 a moment before the edge's own handshake callback counts the connection.
            await().atMost(WAIT).until(() -> edge.health().get("connections").equals(3L));
            Map<String, Object> h = edge.health();
            assertEquals(3L, h.get("upgrades_total"), h.toString());
            assertEquals(1000L, h.get("max_connections"));
            assertEquals(20_000L, h.get("client_ping_interval_ms"));
            assertEquals(5_000L, h.get("pong_timeout_ms"));
            assertEquals(true, h.get("rotation"));
            assertEquals(3_600_000L, h.get("max_lifetime_ms"));
            assertEquals(60_000L, h.get("rotation_window_ms"));
            assertEquals(false, h.get("draining"));
            assertEquals("127.0.0.1:" + world.backend().port(), h.get("backend"));
            for (Object v : h.values()) {
                assertTrue(v instanceof String || v instanceof Long || v instanceof Boolean, "flat: " + v);
            }
            assertEquals(3, edge.metric("guardian_edge_connections"));
            clients.forEach(VertxClient::close);
            await().atMost(WAIT).until(() -> edge.health().get("connections").equals(0L));
            assertEquals(3L, edge.health().get("closes_total"));
        }
    }
}
