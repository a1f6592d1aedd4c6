package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.EchoBackend;

/**
 * A slow client (it stops reading) must pause the backend leg instead of filling the edge's memory: the backend's
 * own write queue fills and the bytes it manages to send stop growing. The edge's memory per connection is measured
 * by the benchmark; here the pause itself is proved.
 */
class EdgeBackpressureIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aClientThatStopsReadingPausesTheBackendLeg() {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(new SettingsBuilder(backend.port())
                        // Pings far apart: this test is about backpressure, not a stalled client's pong timeout.
                        .ping(Duration.ofSeconds(60), Duration.ofSeconds(60)))) {
            int before = backend.connections().size();
            VertxClient slow = VertxClient.connect(edge.ws("/ws/flood"));
            slow.ws.pause();
            EchoBackend.Conn flood = backend.newest(before);

            await("the backend's write queue full").atMost(WAIT).until(() -> flood.queueFull.get() >= 1);
            long[] last = { -1 };
            await("the backend's bytes sent stop growing").atMost(WAIT).during(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        long now = flood.bytesSent.get();
                        boolean still = now == last[0];
                        last[0] = now;
                        return still;
                    });
            long plateau = flood.bytesSent.get();
            // What is in flight: the kernel's socket buffers on both loopback connections, 64 KiB of write queue
            // and 16 frames of 16 KiB at the edge. A generous sanity bound; the benchmark measures memory.
            assertTrue(plateau < 48L * 1024 * 1024, "the backend got " + plateau + " bytes out to a stalled client");

            // The client reads again: the edge resumes the backend leg and the flood goes on.
            slow.ws.resume();
            await("the flood resumes").atMost(WAIT).until(() -> flood.bytesSent.get() > plateau + 4L * 1024 * 1024);
            slow.close();
        }
    }
}
