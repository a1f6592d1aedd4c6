package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.EchoBackend;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;

/** Rotation before the lifetime cap, and drain on shutdown. */
class EdgeRotationDrainIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @RegisterExtension
    static final EchoWorld world = EchoWorld.backendOnly();

    @Test
    void eachConnectionRotatesWithTheConfiguredCodeAtARandomMomentInsideItsWindow() {
        // Cap 8 s, margin 1 s, window 2 s: every connection closes between 5 s and 7 s after it opened.
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .rotation(Duration.ofSeconds(8), Duration.ofSeconds(2), Duration.ofSeconds(1), 4000,
                        "rotating before the cap, reconnect"))) {
            int before = world.backend().connections().size();
            List<VertxClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(VertxClient.connect(edge.ws("/echo")));
            }
            await().atMost(WAIT).until(() -> world.backend().connections().size() == before + 10);
            List<EchoBackend.Conn> legs = world.backend().connections().subList(before, before + 10);
            long first = Long.MAX_VALUE;
            long last = 0;
            for (VertxClient c : clients) {
                c.awaitClosed(WAIT);
                assertEquals((short) 4000, c.closeCode);
                assertEquals("rotating before the cap, reconnect", c.closeReason);
                long lived = c.lifetimeMillis();
                // The window, give or take the sweep's period (250 ms) and scheduling on loaded cores (the client
                // counts from its own open, after the edge's); always before the cap.
                assertTrue(lived >= 4_750 && lived < 8_000, "closed after " + lived + " ms");
                first = Math.min(first, lived);
                last = Math.max(last, lived);
            }
            assertTrue(last - first >= 200, "spread over the window, not all at once: " + first + " to " + last);
            for (EchoBackend.Conn leg : legs) {
                EchoBackend.await(leg.closed, WAIT.toMillis());
                assertEquals((short) 1001, leg.closeCode);
                assertTrue(leg.closeFrameReceived.get());
            }
            // 4000 is an application's code: counted as 4xxx.
            await().atMost(WAIT).until(() -> edge.metric("guardian_edge_closes_total", "by", "rotation", "code",
                    "4xxx") == 10);
            assertEquals(10L, edge.health().get("rotations_total"));
        }
    }

    @Test
    void drainRefusesNewTrafficClosesEveryWebSocketWith1001OverTheWindowAndLetsRequestsFinish() throws Exception {
        RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .drainWindow(Duration.ofSeconds(2)));
        try {
            int before = world.backend().connections().size();
            List<VertxClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(VertxClient.connect(edge.ws("/echo")));
            }
            await().atMost(WAIT).until(() -> world.backend().connections().size() == before + 20);
            List<EchoBackend.Conn> legs = world.backend().connections().subList(before, before + 20);
            CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(
                    edge.http("/http/slow?ms=1500"))).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(WAIT).until(() -> edge.health().get("in_use").equals(21L));

            long drainStart = System.nanoTime();
            Future<Void> drained = edge.proxy.drain();
            UpgradeRejectedException refused = VertxClient.refused(edge.ws("/echo"));
            assertEquals(503, refused.getStatus());
            assertEquals("draining\n", refused.getBody().toString());
            assertEquals("close", refused.getHeaders().get("Connection"));
            HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(URI.create(edge.http("/http/headers")))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, plain.statusCode());
            assertEquals("draining\n", plain.body());

            long first = Long.MAX_VALUE;
            long last = 0;
            for (VertxClient c : clients) {
                c.awaitClosed(WAIT);
                assertEquals((short) 1001, c.closeCode);
                long at = (c.closedNanos - drainStart) / 1_000_000;
                first = Math.min(first, at);
                last = Math.max(last, at);
            }
            // The 2 s window, a sweep (250 ms) and the closes reaching clients on loaded cores.
            assertTrue(last <= 3_000, "every client closed within the 2 s window: last at " + last);
            assertTrue(first < 1_000 && last > 1_000, "spread over the window: " + first + " to " + last + " ms");
            for (EchoBackend.Conn leg : legs) {
                EchoBackend.await(leg.closed, WAIT.toMillis());
                assertEquals((short) 1001, leg.closeCode);
                assertEquals("edge draining", leg.closeReason);
            }
            HttpResponse<String> finished = slow.get();
            assertEquals(200, finished.statusCode(), "the request in flight finished");
            assertEquals("slow done", finished.body());

            RunningEdge.await(drained);
            long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
            assertTrue(drainMillis < 5_000, "drain completed after " + drainMillis + " ms");
            assertEquals(20, edge.metric("guardian_edge_closes_total", "by", "drain", "code", "1001"));
            assertEquals(true, edge.health().get("draining"));
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), edge.port())
                    .close(), "the listener is closed once drained");
        } finally {
            edge.close();
        }
    }

    @Test
    void drainCutsWhatDoesNotCloseByTheEndOfTheWindowAndGrace() throws Exception {
        RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .drainWindow(Duration.ofMillis(500)));
        try {
            // A request the backend holds far longer than the drain may take.
            CompletableFuture<HttpResponse<String>> held = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(
                    edge.http("/http/slow?ms=30000"))).timeout(Duration.ofSeconds(40)).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(WAIT).until(() -> edge.health().get("in_use").equals(1L));
            long drainStart = System.nanoTime();
            RunningEdge.await(edge.proxy.drain());
            long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
            // Window 0.5 s + grace 2.5 s + a sweep.
            assertTrue(drainMillis >= 2_900 && drainMillis < 4_500, "drain completed after " + drainMillis + " ms");
            assertTrue(held.handle((r, e) -> e != null).get(), "the held request was cut");
        } finally {
            edge.close();
        }
    }
}
