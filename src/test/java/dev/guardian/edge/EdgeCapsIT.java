package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The edge's caps hold under clients that misbehave: slots of clients that leave mid-request come back, and TCP
 * connections are counted from the moment they are accepted.
 */
class EdgeCapsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @RegisterExtension
    static final EchoWorld world = EchoWorld.backendOnly();

    /**
     * The backend's connection pool (256 per event loop) is taken by requests whose clients wait; more clients send a
     * request and leave at once, while theirs wait for a pooled connection. Once the backend answers, every slot
     * comes back (the cap would otherwise fill into a permanent 503), the clients that left are counted as gone, and
     * a drain has no request in flight to wait for.
     */
    @Test
    void requestsWhoseClientLeftWhileWaitingForTheBackendGiveTheirSlotBack() throws Exception {
        int pooled = 2 * 256; // two event loops here
        int leaving = 100;
        List<Socket> waiting = new ArrayList<>();
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .drainWindow(Duration.ofSeconds(10)))) {
            int before = world.backend().httpHeaders().size();
            for (int i = 0; i < pooled; i++) {
                waiting.add(send(edge, "/http/slow?ms=4000"));
            }
            await("every pooled backend connection busy").atMost(WAIT)
                    .until(() -> world.backend().httpHeaders().size() - before >= pooled);
            for (int i = 0; i < leaving; i++) {
                Socket s = send(edge, "/http/slow?ms=1");
                if (i % 2 == 1) {
                    s.setSoLinger(true, 0); // every other one leaves with a reset rather than a FIN
                }
                s.close();
            }
            await("every waiting client answered").atMost(WAIT).until(() -> edge.metric(
                    "guardian_edge_http_requests_total", "outcome", "ok") >= pooled);
            await("every slot given back").atMost(WAIT).untilAsserted(() -> assertEquals(0L,
                    edge.health().get("in_use"), "slots in use after every request ended"));
            assertEquals(leaving, edge.metric("guardian_edge_http_requests_total", "outcome", "client_gone"),
                    edge.scrape());
            assertEquals(pooled + leaving, edge.metric("guardian_edge_http_requests_total"),
                    "each request counted once: " + edge.scrape());

            HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(edge.http("/http/slow?ms=1")))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), after.body());

            // Nothing in flight: the drain ends at once rather than after its 10 s window and the grace.
            long started = System.nanoTime();
            edge.proxy.drain().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis < 3_000, "the drain waited " + tookMillis + " ms for requests long gone");
        } finally {
            for (Socket s : waiting) {
                s.close();
            }
        }
    }

    /**
     * Sockets that connect and never send a byte take TCP connections, not request slots: they are counted from
     * their accept, and one over the cap (twice max-connections) is closed at once. A real client gets through once
     * one of them has gone.
     */
    @Test
    void tcpConnectionsAreCappedAtAccept() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port()).maxConnections(5))) {
            int cap = 10;
            assertEquals((long) cap, edge.health().get("max_tcp_connections"));
            for (int i = 0; i < cap; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), edge.port()));
            }
            await("every silent connection counted").atMost(WAIT).until(() -> edge.health().get("tcp_connections")
                    .equals((long) cap));
            assertEquals(0L, edge.health().get("in_use"), "no request, no slot");

            try (Socket over = new Socket(InetAddress.getLoopbackAddress(), edge.port())) {
                over.setSoTimeout((int) WAIT.toMillis());
                assertTrue(closedByPeer(over), "the connection over the cap is closed by the edge");
            }
            assertEquals(1, edge.metric("guardian_edge_tcp_connections_refused_total"));
            assertEquals((long) cap, edge.health().get("tcp_connections"));
            assertEquals(cap, edge.metric("guardian_edge_tcp_connections"));
            for (Socket s : silent) {
                assertTrue(!s.isClosed() && s.getInputStream().available() == 0, "the silent ones stay");
            }

            silent.remove(0).close();
            await("the closed one uncounted").atMost(WAIT).until(() -> edge.health().get("tcp_connections")
                    .equals((long) cap - 1));
            HttpResponse<String> through = HTTP.send(HttpRequest.newBuilder(URI.create(edge.http("/http/slow?ms=1")))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, through.statusCode(), through.body());
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    /** Whether the peer ended the connection (end of stream or a reset) before the socket's read timeout. */
    private static boolean closedByPeer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException reset) {
            return true;
        }
    }

    /** A raw client that has sent one GET and holds its connection. */
    private static Socket send(RunningEdge edge, String path) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), edge.port());
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: chat.example.com\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }
}
