package dev.guardian.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.guardian.testing.EchoBackend;
import dev.guardian.testing.Exec;
import io.vertx.core.json.JsonObject;

/** Pings for every client connection that goes quiet, and what happens to a client that does not answer them. */
class EdgeKeepaliveIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String KEEPALIVE = "{\"type\":\"keepalive\"}";
    @RegisterExtension
    static final EchoWorld world = EchoWorld.backendOnly();

    @Test
    void aQuietClientGetsPingsAndTheKeepaliveMessageAndABusyOneGetsNone() throws Exception {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .ping(Duration.ofMillis(300), Duration.ofSeconds(2)).keepalive(KEEPALIVE))) {
            int before = world.backend().connections().size();
            try (VertxClient quiet = VertxClient.connect(edge.ws("/echo"))) {
                EchoBackend.Conn seen = world.backend().newest(before);
                await().atMost(WAIT).until(() -> quiet.pings.get() >= 3);
                assertEquals("text:true:" + KEEPALIVE, quiet.next(), "the keepalive text frame comes with a ping");
                assertTrue(seen.frames.isEmpty(), "pings and keepalives are the edge's own, the backend saw nothing");
                assertTrue(!quiet.isClosed());
            }
            assertTrue(edge.metric("guardian_edge_pings_total") >= 3);
            assertEquals(0, edge.metric("guardian_edge_missed_pongs_total"));
        }
        // Pings after 1 s of quiet, and a client busy for 4 s: pings on a timer would have come about four times.
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .ping(Duration.ofSeconds(1), Duration.ofSeconds(2)).keepalive(KEEPALIVE));
                VertxClient busy = VertxClient.connect(edge.ws("/echo"))) {
            // A message each way every 100 ms (paced, not synchronised): never quiet for 1 s, so no ping is due.
            long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            for (int i = 0; System.nanoTime() < end; i++) {
                busy.text("m" + i);
                assertEquals("text:true:m" + i, busy.next());
                Thread.sleep(100);
            }
            assertEquals(0, busy.pings.get(), "pings only after a quiet interval");
            assertEquals(0, edge.metric("guardian_edge_pings_total"));
        }
    }

    @Test
    void aClientThatStopsAnsweringPingsIsClosedOnBothLegs() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .ping(Duration.ofMillis(300), Duration.ofMillis(700)))) {
            int before = world.backend().connections().size();
            // Node's ws with its automatic pong turned off: the pings arrive, no pong goes back.
            try (ScriptedClient mute = ScriptedClient.node(edge.ws("/echo"), new JsonObject().put("autoPong", false))) {
                mute.await("open", WAIT);
                EchoBackend.Conn seen = world.backend().newest(before);
                mute.await("ping", WAIT);
                JsonObject closed = mute.await("close", WAIT);
                assertEquals(1011, closed.getInteger("code"));
                assertEquals("keepalive ping timeout", closed.getString("reason"));
                // Bound implied by the settings: a ping after 300 ms of quiet, 700 ms for the pong, a sweep.
                assertTrue(closed.getLong("t") < 3_000, closed.encode());
                EchoBackend.await(seen.closed, WAIT.toMillis());
                assertEquals((short) 1001, seen.closeCode);
                assertEquals("client did not answer a keepalive ping", seen.closeReason);
            }
            await().atMost(WAIT).until(() -> edge.metric("guardian_edge_closes_total", "by", "pong_timeout", "code",
                    "1011") == 1 && edge.metric("guardian_edge_missed_pongs_total") == 1);
        }
    }

    @Test
    void aFrozenClientIsDetectedAndBothLegsAreReleased() {
        try (RunningEdge edge = RunningEdge.open(new SettingsBuilder(world.backend().port())
                .ping(Duration.ofMillis(300), Duration.ofMillis(700)))) {
            int before = world.backend().connections().size();
            try (ScriptedClient python = ScriptedClient.python(edge.ws("/echo"), new JsonObject())) {
                python.await("open", WAIT);
                EchoBackend.Conn seen = world.backend().newest(before);
                python.text("alive");
                assertEquals("alive", python.nextMessage());
                long frozenAt = System.nanoTime();
                Exec.run("kill", "-STOP", Long.toString(python.pid()));
                try {
                    EchoBackend.await(seen.closed, WAIT.toMillis());
                    long millis = (System.nanoTime() - frozenAt) / 1_000_000;
                    assertEquals((short) 1001, seen.closeCode);
                    assertEquals("client did not answer a keepalive ping", seen.closeReason);
                    assertTrue(millis < 3_000, "backend leg closed " + millis + " ms after the freeze");
                    // The frozen client never answers the close: its TCP connection is cut, nothing is held.
                    await().atMost(WAIT).until(() -> edge.health().get("connections").equals(0L)
                            && edge.health().get("in_use").equals(0L));
                } finally {
                    Exec.run("kill", "-CONT", Long.toString(python.pid()));
                }
                JsonObject closed = python.await("close", WAIT);
                assertTrue(List.of(1011, 1006).contains(closed.getInteger("code")), closed.encode());
            }
        }
    }
}
