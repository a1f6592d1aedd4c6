package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.ChatBackend;
import dev.guardian.testing.ChatBackend.Mode;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.ProbeWindow;
import dev.guardian.testing.ProcStats;
import dev.guardian.testing.UnsolicitedPongServer;

/**
 * What a backend sends can cost Guardian only bounded memory and bounded CPU, never its probes; what it must send
 * is judged exactly: a pong answers a ping only if it echoes it, a misrouted frame is named on every attempt, and a
 * message up to the documented 1 MiB passes whatever its framing.
 */
class BackendBoundsIT {
    static final String REGEX_SCRIPT = "[{\"send\":{\"type\":\"chat\",\"session\":\"${session}\"}},"
            + "{\"expectRegex\":\".*x.*y.*z\"}]";

    private static GuardianProcess guardian(String url, String... extra) {
        return GuardianProcess.with("GUARDIAN_BACKEND_URL", url, "GUARDIAN_STARTUP_BUDGET", "120s").env(extra);
    }

    @Test
    void framesThatNoStepAwaitsAreBoundedInPingMode() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.STREAM_FRAMES);
            try (GuardianProcess g = guardian(backend.url("/ws")).jvm("-Xmx48m").start().awaitListening()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> backend.upgrades() >= 1);
                long[] mostRssKb = { 0 };
                ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(20), Duration.ofSeconds(1),
                        Duration.ofMillis(200), answer -> mostRssKb[0] = Math.max(mostRssKb[0], rssKb(g)),
                        "/q/health/live");
                System.out.printf("streamed frames: %d upgrades, VmRSS up to %d MB; %s%n", backend.upgrades(),
                        mostRssKb[0] / 1024, probes);

                assertTrue(probes.clean(), probes + "; output:\n" + tail(g.output()));
                // Sanity bound: a 48 MB heap plus the JVM's own; a queue without bound ends in OOM instead.
                assertTrue(mostRssKb[0] < 250 * 1024, "VmRSS reached " + mostRssKb[0] / 1024 + " MB");
                String error = g.health().data("websocket").path("last_error").asText();
                assertTrue(error.startsWith("flooded: more than 1000 frames that no step expected"), error);
            }
        }
    }

    /**
     * With a script, frames wait for the step that reads them; the bound on what waits is the check's, not each
     * session's, so 12 sessions of a flooding backend cost what one does and fit the image's 48 MB heap (a bound per
     * session let them queue 12 × 4 Mi characters) and the 48 MB of direct memory it implies.
     */
    @Test
    void framesWaitingForAStepAreBoundedPerCheckWhateverTheSessions() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.STREAM_FRAMES);
            try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT",
                    WebSocketGateIT.PING_SCRIPT, "GUARDIAN_BACKEND_SESSIONS", "12",
                    "GUARDIAN_HEARTBEAT_ENABLED", "false").maxHeap("48m").start().awaitListening()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> backend.upgrades() >= 12);
                long[] mostRssKb = { 0 };
                long[] mostDirect = { 0 };
                Set<String> reasons = new LinkedHashSet<>();
                ProbeWindow.Result probes = ProbeWindow.run(g, Duration.ofSeconds(20), Duration.ofSeconds(1),
                        Duration.ofMillis(200), answer -> {
                            mostRssKb[0] = Math.max(mostRssKb[0], rssKb(g));
                            String error;
                            try {
                                error = g.health().data("websocket").path("last_error").asText();
                            } catch (RuntimeException e) {
                                throw new AssertionError("health JSON: " + e + "; output:\n" + tail(g.output()), e);
                            }
                            reasons.add(error.substring(0, Math.min(error.length(), 80)));
                            mostDirect[0] = Math.max(mostDirect[0], directBytes(g));
                        }, "/q/health/live");
                System.out.printf("streamed frames to 12 scripted sessions: %d upgrades, VmRSS up to %d MB, direct "
                        + "memory up to %d KB, reasons seen: %s; %s%n", backend.upgrades(), mostRssKb[0] / 1024,
                        mostDirect[0] / 1024, reasons, probes);

                assertTrue(probes.clean(), probes + "; output:\n" + tail(g.output()));
                assertTrue(g.process().isAlive(), tail(g.output()));
                assertFalse(g.output().contains("OutOfMemoryError"), tail(g.output()));
                // -Xmx48m caps direct memory at 48 MB too: a part-way frame kept in a growing direct read buffer per
                // session took all of it (49 MB seen), and the health JSON then lost its body to a failed allocation.
                assertTrue(mostDirect[0] < 16L << 20, "direct memory in use reached " + mostDirect[0] + " bytes");
                assertTrue(GuardianProcess.nativeBinary() || mostDirect[0] > 0,
                        "no jvm_buffer_memory_used_bytes{id=\"direct\"} in the metrics: nothing was measured");
                assertTrue(reasons.stream().anyMatch(r -> r.startsWith("flooded: more than 4194304 characters of "
                        + "frames waiting for a step")), "reasons seen: " + reasons);
            }
        }
    }

    @Test
    void matchingAHugeFrameNeverStallsTheProbes() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.HUGE_REGEX_BAIT);
            try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT", REGEX_SCRIPT,
                    "GUARDIAN_BACKEND_STEP_TIMEOUT", "1s", "GUARDIAN_BACKEND_TIMEOUT", "5s").start()
                    .awaitListening()) {
                await("the bait sent").atMost(Duration.ofSeconds(30)).until(() -> backend.textMessages() >= 1);
                // 24 probes spread over about 2.4 s while attempts match (or give up on) the bait.
                List<String> missed = new ArrayList<>();
                String[] paths = { "/q/health/started", "/q/health/ready", "/q/health/live" };
                int[] probes = { 0 };
                await("24 probes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    String path = paths[probes[0] % paths.length];
                    try {
                        g.get(path, Duration.ofSeconds(1));
                    } catch (UncheckedIOException e) {
                        missed.add(path + ": " + e.getCause());
                    }
                    return ++probes[0] == 24;
                });
                System.out.printf("regex bait: %d messages answered with the bait; %d of 24 probes missed%n",
                        backend.textMessages(), missed.size());

                assertTrue(missed.isEmpty(), missed.size() + " of 24 fresh-connection probes were not answered "
                        + "within 1 s: " + missed);
                assertFalse(g.output().contains("has been blocked for"), tail(g.output()));
                String error = g.health().data("websocket").path("last_error").asText();
                assertTrue(error.contains("matching gave up on a 300000-character frame"), error);
            }
        }
    }

    @Test
    void aMessageOfAMillionBytesInOneFramePasses() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.BIG_PONG);
            try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT",
                    WebSocketGateIT.PING_SCRIPT).start().awaitListening()) {
                g.awaitState("READY", Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void anUnsolicitedPongDoesNotAnswerThePing() {
        try (UnsolicitedPongServer server = new UnsolicitedPongServer();
                GuardianProcess g = guardian(server.url("/ws"), "GUARDIAN_BACKEND_PING_TIMEOUT", "500ms",
                        // The gate alone decides: the heartbeat would fail on its own unanswered pings.
                        "GUARDIAN_HEARTBEAT_ENABLED", "false").start().awaitListening()) {
            await("five attempts, none of them READY").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(25)).until(() -> {
                        Health h = g.health();
                        if ("READY".equals(h.state())) {
                            fail("READY on a server that never answers a ping (" + server.upgrades()
                                    + " upgrades, each followed by an unsolicited pong): " + h.body());
                        }
                        return h.data("websocket").path("attempts").asLong() >= 5;
                    });
            Health h = g.health();
            assertEquals("ping not answered within 500 ms", h.data("websocket").path("last_error").asText(),
                    h.body());
            assertEquals(503, g.get("/q/health/started").code());
        }
    }

    @Test
    void aCrossSessionLeakIsNamedOnEveryAttempt() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.CROSS_SESSION);
            // One probe session and the heartbeat's connection: the misrouted reply reaches the heartbeat's.
            try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT",
                    WebSocketGateIT.PING_SCRIPT, "GUARDIAN_BACKEND_SESSIONS", "1",
                    "GUARDIAN_BACKEND_STEP_TIMEOUT", "500ms").start().awaitListening()) {
                await("the heartbeat connected").atMost(Duration.ofSeconds(20))
                        .until(() -> g.health().data("heartbeat").path("connected").asBoolean());
                // The attempt in flight may have started before: judge those that start afterwards.
                long from = g.health().data("websocket").path("attempts").asLong() + 1;
                List<String> seen = new ArrayList<>();
                long[] last = { from };
                await("five attempts after the heartbeat connected").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(25)).until(() -> {
                            Health h = g.health();
                            long attempts = h.data("websocket").path("attempts").asLong();
                            if (attempts > last[0]) {
                                last[0] = attempts;
                                String outcome = h.data("websocket").path("last_attempt").asText();
                                String error = h.data("websocket").path("last_error").asText();
                                seen.add(attempts + ": " + outcome + " " + error);
                                if (!outcome.equals("failure") || !error.startsWith("cross-session leak: ")) {
                                    fail("attempt " + attempts + " did not name the leak (" + outcome + "): " + error
                                            + "; attempts seen: " + seen);
                                }
                            }
                            return last[0] >= from + 5;
                        });
                System.out.println("cross-session leak named on attempts " + seen);
            }
        }
    }

    /**
     * Several sessions, no heartbeat: the backend answers one session's ping, then sends another session's reply to
     * that same connection, after the session there has passed. The session still waiting names the leak, on every
     * attempt: the last attempts in the status data all do.
     */
    @Test
    void aLeakReachingASessionThatAlreadyPassedIsNamedOnEveryAttempt() {
        try (ChatBackend backend = new ChatBackend()) {
            backend.mode(Mode.LEAK_TO_ANSWERED);
            try (GuardianProcess g = guardian(backend.url("/ws"), "GUARDIAN_BACKEND_SCRIPT",
                    WebSocketGateIT.PING_SCRIPT, "GUARDIAN_BACKEND_SESSIONS", "4",
                    "GUARDIAN_BACKEND_STEP_TIMEOUT", "500ms", "GUARDIAN_HEARTBEAT_ENABLED", "false").start()
                    .awaitListening()) {
                JsonNode[] recent = { null };
                await("eight websocket attempts").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            for (JsonNode check : g.management("/q/status/data").json().path("checks")) {
                                if (check.path("name").asText().equals("websocket")) {
                                    recent[0] = check.path("recent");
                                }
                            }
                            return recent[0] != null && recent[0].size() >= 8;
                        });
                List<String> seen = new ArrayList<>();
                recent[0].forEach(a -> seen.add(a.path("outcome").asText() + ": " + a.path("reason").asText()));
                System.out.println("leak to a session that passed, newest first: " + seen.size() + " attempts, "
                        + seen.stream().filter(r -> r.startsWith("failure: cross-session leak: ")).count()
                        + " naming the leak; newest: " + seen.get(0));
                for (String attempt : seen) {
                    assertTrue(attempt.startsWith("failure: cross-session leak: "), "an attempt did not name the "
                            + "leak: " + attempt + "; all, newest first: " + seen);
                }
            }
        }
    }

    /** The JVM's direct buffers in use (Netty's read buffers among them); 0 where no such metric is exposed. */
    private static long directBytes(GuardianProcess g) {
        for (String line : g.metrics().split("\n")) {
            if (line.startsWith("jvm_buffer_memory_used_bytes{id=\"direct\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static long rssKb(GuardianProcess g) {
        try {
            return ProcStats.of(g.pid()).rssKb();
        } catch (RuntimeException exited) {
            return 0;
        }
    }

    private static String tail(String output) {
        return output.length() <= 4_000 ? output : "…" + output.substring(output.length() - 4_000);
    }
}
