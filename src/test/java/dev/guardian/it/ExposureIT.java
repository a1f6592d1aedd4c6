package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Health;
import dev.guardian.testing.HttpStub;
import dev.guardian.testing.KubeletProbe;

/**
 * What each of Guardian's ports exposes, and that nobody can hold them. The public port (on all interfaces) answers
 * the platform's three probes with status and state only and serves nothing else; the management interface
 * (detailed JSON, metrics, status page) listens on loopback unless GUARDIAN_MANAGEMENT_HOST opens it. Each port
 * takes at most GUARDIAN_MAX_CONNECTIONS connections (silent ones, half-sent requests and kept-alive ones alike),
 * a connection past the cap is closed at once, the count returns to zero when they go, and a flood of one port
 * never starves the other.
 */
class ExposureIT {
    private static final String CHECK = "llmgateway";
    private static final Set<String> PROBES = Set.of("/q/health/started", "/q/health/ready", "/q/health/live");
    private static final List<String> MANAGEMENT_ONLY = List.of("/q/metrics", "/q/health", "/q/health/well",
            "/q/health/group", "/q/status", "/q/status/data", "/");
    private static final int CAP = 8;
    private static final Duration PROBE = Duration.ofSeconds(2);

    @Test
    void thePublicPortAnswersStatusAndStateOnlyAndNothingElse() {
        try (HttpStub llm = new HttpStub(); GuardianProcess g = GuardianProcess.with("GUARDIAN_STARTUP_BUDGET", "60s",
                "GUARDIAN_SHUTDOWN_DRAIN", "0s", "GUARDIAN_HTTP_LLMGATEWAY_URL", llm.url("/health"),
                "GUARDIAN_HTTP_LLMGATEWAY_INTERVAL", "200ms", "GUARDIAN_HTTP_LLMGATEWAY_FAILURE_THRESHOLD", "1")
                .start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(30));
            for (String path : PROBES) {
                assertMinimal(g.get(path), 200, "UP", "READY", llm);
            }
            llm.answer(503);
            Health detailed = g.awaitState("NOT_READY", Duration.ofSeconds(15));
            // The detailed JSON on the management interface names the check, its target and the server's answer...
            assertTrue(detailed.reason().contains(CHECK + " (" + llm.url("/health") + "): HTTP 503"),
                    detailed.body());
            // ...the public port says nothing but DOWN and the state.
            assertMinimal(g.get("/q/health/ready"), 503, "DOWN", "NOT_READY", llm);
            assertMinimal(g.get("/q/health/started"), 200, "UP", "NOT_READY", llm);
            assertMinimal(g.get("/q/health/live"), 200, "UP", "NOT_READY", llm);

            for (String path : MANAGEMENT_ONLY) {
                Health publicAnswer = g.get(path);
                assertEquals(404, publicAnswer.code(),
                        "public port, " + path + ": " + publicAnswer.body());
                assertFalse(publicAnswer.body().contains(CHECK) || publicAnswer.body().contains("guardian_"),
                        "public port, " + path + ": " + publicAnswer.body());
            }
            assertTrue(g.metrics().contains("guardian_check_up{check=\"" + CHECK + "\""), "metrics on management");
            assertEquals(200, g.management("/q/status").code());
            assertTrue(g.management("/q/status/data").body().contains(CHECK));
            assertTrue(g.management("/q/health/well").code() == 200);
        }
    }

    /** Exactly {"status","state"}: no check name, target, address or server text. */
    private static void assertMinimal(Health h, int code, String status, String state, HttpStub llm) {
        assertEquals(code, h.code(), h.body());
        JsonNode json = h.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("status", "state"), fields, h.body());
        assertEquals(status, json.path("status").asText(), h.body());
        assertEquals(state, json.path("state").asText(), h.body());
        for (String internal : List.of(CHECK, Integer.toString(llm.port()), "127.0.0.1", "503 Service")) {
            assertFalse(h.body().contains(internal), "<" + internal + "> in " + h.body());
        }
    }

    @Test
    void theManagementInterfaceListensOnLoopbackUnlessOpened() {
        Optional<InetAddress> outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside.isPresent(), "this machine has no non-loopback IPv4 address up");
        String address = outside.get().getHostAddress();
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true").start().awaitListening()) {
            assertEquals(200, KubeletProbe.get(address, port(g.base()), "/q/health/live", PROBE).code(),
                    "the public port listens on all interfaces");
            Health closed = KubeletProbe.get(address, port(g.managementBase()), "/q/metrics", PROBE);
            assertEquals(-1, closed.code(), "management on " + address + ": " + closed.body());
            assertTrue(closed.body().contains("Connection refused"), closed.body());
            assertEquals(200, g.management("/q/metrics").code(), "management on loopback");
        }
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                "GUARDIAN_MANAGEMENT_HOST", "0.0.0.0").start().awaitListening()) {
            Health open = KubeletProbe.get(address, port(g.managementBase()), "/q/metrics", PROBE);
            assertEquals(200, open.code(), "management on " + address + ":" + port(g.managementBase()) + ": "
                    + open.body() + "; Guardian's output:\n" + g.output());
            assertTrue(open.body().contains("guardian_state"), open.body());
        }
    }

    @Test
    void eachPortTakesAtMostItsCapAndGivesItBackWhenConnectionsGo() {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                "GUARDIAN_MAX_CONNECTIONS", Integer.toString(CAP)).start().awaitListening()) {
            String live = g.base() + "/q/health/live";
            String metrics = g.managementBase() + "/q/metrics";
            List<String> figures = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                figures.add("public round " + round + ": " + holdTheCap(g.base(), live, metrics));
                figures.add("management round " + round + ": " + holdTheCap(g.managementBase(), metrics, live));
            }
            // No leak: after the rounds (and every refused connection in them), one short of the cap admits a probe.
            try (Held held = Held.open(g.base(), CAP - 1); Held managementHeld = Held.open(g.managementBase(), CAP - 1)) {
                assertEquals(200, GuardianProcess.status(live, PROBE), "one below the cap: the probe gets in");
                assertEquals(200, GuardianProcess.status(metrics, PROBE), "one below the cap on management");
            }
            System.out.println("connection cap " + CAP + ": " + figures);
        }
    }

    /**
     * Holds {@link #CAP} connections (silent, half a request, kept alive after an answer) on one port: the next one
     * is closed unanswered while the other port answers; once they close, a fresh connection is answered again.
     *
     * @return how long after closing them the first probe was answered
     */
    private static String holdTheCap(String base, String here, String otherPort) {
        long closedAt;
        try (Held held = Held.open(base, CAP)) {
            await("a connection past the cap of " + CAP + " on " + base + " closed unanswered").atMost(PROBE)
                    .pollInterval(Duration.ofMillis(20)).until(() -> GuardianProcess.status(here, PROBE) == -1);
            assertEquals(200, GuardianProcess.status(otherPort, PROBE), "the other port, while " + base + " is full");
            assertEquals(-1, GuardianProcess.status(here, PROBE), "still full");
            closedAt = System.nanoTime();
        }
        await("a probe answered again on " + base).atMost(PROBE).pollInterval(Duration.ofMillis(5))
                .until(() -> GuardianProcess.status(here, PROBE) == 200);
        return (System.nanoTime() - closedAt) / 1_000_000 + " ms to answer again";
    }

    @Test
    void idleConnectionsAreDroppedSoTheCapFreesItself() throws IOException {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true",
                "GUARDIAN_MAX_CONNECTIONS", Integer.toString(CAP), "QUARKUS_HTTP_IDLE_TIMEOUT", "1s",
                "QUARKUS_MANAGEMENT_IDLE_TIMEOUT", "1s").start().awaitListening()) {
            for (String base : List.of(g.base(), g.managementBase())) {
                String path = base + "/q/health/live";
                try (Held held = Held.open(base, CAP)) {
                    await("full").atMost(PROBE).pollInterval(Duration.ofMillis(20))
                            .until(() -> GuardianProcess.status(path, PROBE) == -1);
                    long full = System.nanoTime();
                    // Nothing is closed on our side: Guardian drops the idle connections itself.
                    await("idle connections dropped on " + base).atMost(Duration.ofSeconds(5))
                            .pollInterval(Duration.ofMillis(50)).until(() -> GuardianProcess.status(path, PROBE) == 200);
                    System.out.println(base + ": answered again " + (System.nanoTime() - full) / 1_000_000
                            + " ms after the cap was reached, with every idle connection still open on our side");
                    assertTrue(held.allClosedByPeer(), "Guardian closed the idle connections");
                }
            }
        }
    }

    private static int port(String base) {
        return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    }

    /**
     * The IPv4 address of the interface that holds the default route (the machine's own address, as a pod's is):
     * never a veth pair that another test JVM has set up for a while (the container-contract suite's come and go).
     */
    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            String device = null;
            for (String row : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] f = row.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000")) {
                    device = f[0];
                    break;
                }
            }
            NetworkInterface nic = device == null ? null : NetworkInterface.getByName(device);
            if (nic == null || !nic.isUp()) {
                return Optional.empty();
            }
            return Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address
                    && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connections held open: a third silent, a third with half a request line, the rest kept alive after a probe. */
    private static final class Held implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();

        static Held open(String base, int count) {
            Held held = new Held();
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port(base));
            try {
                for (int i = 0; i < count; i++) {
                    Socket s = new Socket();
                    held.sockets.add(s);
                    s.connect(to, 2_000);
                    OutputStream out = s.getOutputStream();
                    switch (i % 3) {
                        case 0 -> {
                            // silent: connected, nothing sent
                        }
                        case 1 -> out.write("GET /q/hea".getBytes(StandardCharsets.US_ASCII));
                        default -> {
                            out.write(("GET /q/health/live HTTP/1.1\r\nHost: guardian\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            s.setSoTimeout(2_000);
                            byte[] head = new byte[12];
                            int n = s.getInputStream().readNBytes(head, 0, head.length);
                            assertEquals("HTTP/1.1 200", new String(head, 0, n, StandardCharsets.US_ASCII),
                                    "the kept-alive connection's first answer");
                        }
                    }
                    out.flush();
                }
            } catch (IOException e) {
                held.close();
                throw new UncheckedIOException(e);
            }
            return held;
        }

        /** Whether the server closed every one of them: a read reaches the end of the stream (or a reset) at once. */
        boolean allClosedByPeer() throws IOException {
            for (Socket s : sockets) {
                s.setSoTimeout(2_000);
                try {
                    s.getInputStream().readAllBytes(); // what is left of an answer, then the end of the stream
                } catch (java.net.SocketTimeoutException stillOpen) {
                    return false;
                } catch (SocketException reset) {
                    // closed with a reset: closed all the same
                }
            }
            return true;
        }

        @Override
        public void close() {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
