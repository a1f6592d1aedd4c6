package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.EchoBackend;
import io.vertx.core.buffer.Buffer;

/**
 * A peer that does not keep up pauses the other leg at its socket instead of filling the edge's memory, in either
 * direction, and all connections together hold no more than max-buffered plus one read each. What the edge holds is
 * read from its own count (health buffered_bytes: bytes written towards a peer that its kernel has not taken yet).
 */
class EdgeBackpressureIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The write queue's mark per connection, and the largest read (EdgeLimits). */
    private static final long QUEUE = 64 * 1024;
    private static final long READ = 16 * 1024;
    /** What one stalled receiver may cost: its queue's mark, the frame that crossed it, and one read more. */
    private static final long ONE_STALLED = QUEUE + 2 * READ;

    private static SettingsBuilder quietPings(int backendPort) {
        // Pings far apart: these tests are about backpressure, not a stalled client's pong timeout.
        return new SettingsBuilder(backendPort).ping(Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Test
    void aClientThatStopsReadingPausesTheBackendLeg() {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(quietPings(backend.port()))) {
            int before = backend.connections().size();
            VertxClient slow = VertxClient.connect(edge.ws("/ws/flood")).countOnly();
            slow.ws.pause();
            EchoBackend.Conn flood = backend.newest(before);

            await("the backend's write queue full").atMost(WAIT).until(() -> flood.queueFull.get() >= 1);
            Steady.await("the backend's bytes sent", flood.bytesSent::get, Duration.ofSeconds(1));
            long held = buffered(edge);
            System.out.printf("a stalled client: the edge holds %d bytes%n", held);
            assertTrue(held <= ONE_STALLED, "the edge holds " + held + " bytes for one stalled client");
            assertTrue(held > 0, "the edge holds what the client has not taken");

            // The client reads again: the edge resumes the backend leg and the flood goes on.
            long plateau = flood.bytesSent.get();
            long taken = slow.dataBytes.get();
            long resumed = System.nanoTime();
            slow.ws.resume();
            await("the flood resumes").atMost(WAIT).until(() -> flood.bytesSent.get() > plateau + 4L * 1024 * 1024
                    && slow.dataBytes.get() > taken + 4L * 1024 * 1024);
            System.out.printf("4 MiB more flooded through %d ms after the client resumed%n",
                    (System.nanoTime() - resumed) / 1_000_000);
            slow.close();
        }
    }

    @Test
    void aBackendThatStopsReadingPausesTheClientLeg() {
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(quietPings(backend.port()))) {
            int before = backend.connections().size();
            VertxClient client = VertxClient.connect(edge.ws("/ws/stalled"));
            EchoBackend.Conn stalled = backend.newest(before);
            AtomicLong sent = new AtomicLong();
            AtomicInteger full = new AtomicInteger();
            flood(client, sent, full);

            await("the client's write queue full").atMost(WAIT).until(() -> full.get() >= 1);
            Steady.await("the client's bytes sent", sent::get, Duration.ofSeconds(1));
            long held = buffered(edge);
            System.out.printf("a stalled backend: the edge holds %d bytes%n", held);
            assertTrue(held <= ONE_STALLED, "the edge holds " + held + " bytes for one stalled backend");
            assertTrue(held > 0, "the edge holds what the backend has not taken");
            assertEquals(0, stalled.bytesReceived.get());

            stalled.resumeReading();
            long plateau = sent.get();
            await("the client's flood resumes").atMost(WAIT).until(() -> sent.get() > plateau + 4L * 1024 * 1024
                    && stalled.bytesReceived.get() > 4L * 1024 * 1024);
            client.close();
        }
    }

    /**
     * Twenty clients stop reading while the backend floods each: past max-buffered (256 KiB here) every connection
     * that holds bytes is paused, and the others may forward one read before they wait, so the edge holds at most
     * max-buffered plus one read per connection, not twenty full queues. A client that keeps up still chats.
     */
    @Test
    void allConnectionsTogetherHoldNoMoreThanMaxBufferedAndOneReadEach() {
        int stalled = 20;
        int maxBuffered = 256 * 1024;
        try (EchoBackend backend = new EchoBackend();
                RunningEdge edge = RunningEdge.open(quietPings(backend.port()).maxBuffered(maxBuffered))) {
            List<VertxClient> clients = new ArrayList<>();
            List<EchoBackend.Conn> floods = new ArrayList<>();
            for (int i = 0; i < stalled; i++) {
                int before = backend.connections().size();
                VertxClient slow = VertxClient.connect(edge.ws("/ws/flood")).countOnly();
                slow.ws.pause();
                clients.add(slow);
                floods.add(backend.newest(before));
            }
            await("every flood's write queue full").atMost(WAIT)
                    .until(() -> floods.stream().allMatch(f -> f.queueFull.get() >= 1));
            Steady.await("the bytes the backend sent", () -> floods.stream().mapToLong(f -> f.bytesSent.get()).sum(),
                    Duration.ofSeconds(1));
            long held = buffered(edge);
            System.out.printf("%d stalled clients, max-buffered %d: the edge holds %d bytes (%d without the limit "
                    + "at most)%n", stalled, maxBuffered, held, stalled * ONE_STALLED);
            assertTrue(held <= maxBuffered + stalled * 2 * READ, "the edge holds " + held + " bytes");
            assertEquals((long) maxBuffered, edge.health().get("max_buffered_bytes"));
            assertEquals((double) held, edge.metric("guardian_edge_buffered_bytes"), READ,
                    "the metric says what the health entry says");

            try (VertxClient chat = VertxClient.connect(edge.ws("/echo"))) {
                for (int i = 0; i < 20; i++) {
                    chat.text("still here " + i);
                    assertEquals("text:true:still here " + i, chat.next());
                }
            }
            clients.forEach(VertxClient::close);
            await("nothing held once they are gone").atMost(WAIT).until(() -> buffered(edge) == 0);
        }
    }

    private static long buffered(RunningEdge edge) {
        return (Long) edge.health().get("buffered_bytes");
    }

    /** The client writes 16 KiB binary frames while its write queue accepts them, and again once it drains. */
    private static void flood(VertxClient client, AtomicLong sent, AtomicInteger full) {
        Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (!client.ws.isClosed() && !client.ws.writeQueueFull()) {
                client.ws.writeBinaryMessage(chunk);
                sent.addAndGet(chunk.length());
            }
            if (!client.ws.isClosed()) {
                full.incrementAndGet();
                client.ws.drainHandler(v -> pump[0].run());
            }
        };
        VertxClient.run(pump[0]);
    }
}
