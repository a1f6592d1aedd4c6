package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.Nginx;

/**
 * The real proxy behaviour the later browser test relies on: nginx closes a WebSocket that has been silent for its
 * proxy_read_timeout, and the edge's pings, placed behind nginx, keep it open.
 */
class NginxIT {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void nginxCutsASilentWebSocketAfterItsReadTimeout() {
        try (EchoBackend backend = new EchoBackend(); Nginx nginx = Nginx.proxy(backend.port(), READ_TIMEOUT)) {
            VertxClient c = VertxClient.connect(nginx.ws("/echo"));
            // Counted from before the message: nginx's timer starts later, when the echo passes it, so however late
            // this thread sees the echo the figure is short of the timeout only by nginx's own laxity (it leaves a
            // timer as it is when the new expiry is within 300 ms of it, NGX_TIMER_LAZY_DELAY: 2925 ms was seen).
            long silentSince = System.nanoTime();
            c.text("through nginx");
            assertEquals("text:true:through nginx", c.next());
            c.awaitClosed(Duration.ofSeconds(10));
            long silentMillis = (System.nanoTime() - silentSince) / 1_000_000;
            assertTrue(silentMillis >= 2_700 && silentMillis < 5_000, "cut after " + silentMillis + " ms of silence");
            assertNull(c.closeCode, "nginx closes the TCP connection, no close frame (1006)");
        }
    }

    @Test
    void theEdgesPingsBehindNginxKeepASilentClientConnected() {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(new SettingsBuilder(backend.port())
                        .ping(Duration.ofSeconds(1), Duration.ofSeconds(2)));
                Nginx nginx = Nginx.proxy(edge.port(), READ_TIMEOUT)) {
            VertxClient c = VertxClient.connect(nginx.ws("/echo"));
            c.text("hello");
            assertEquals("text:true:hello", c.next());
            // The client sends nothing for over twice nginx's timeout; it stays connected and answers pings.
            await("open for 7 s of client silence").during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8))
                    .until(() -> !c.isClosed());
            assertTrue(c.pings.get() >= 5, "pings: " + c.pings.get());
            c.text("still here");
            assertEquals("text:true:still here", c.next());
            c.close();
        }
    }
}
