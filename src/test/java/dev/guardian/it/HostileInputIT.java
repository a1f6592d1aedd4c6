package dev.guardian.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.guardian.testing.DripServer;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.HttpStub;

/** A hostile auth endpoint and hostile clients at Guardian's own port: clear reasons, probes keep answering. */
class HostileInputIT {

    @Test
    void aGiganticBodyIsNeverRead() {
        try (HttpStub auth = new HttpStub(); GuardianProcess g = GuardianProcess.with("GUARDIAN_AUTH_URL",
                auth.url("/health"), "GUARDIAN_AUTH_INTERVAL", "200ms").start().awaitListening()) {
            auth.gigantic();
            g.awaitState("READY", Duration.ofSeconds(20));
            long attempts = g.health().data("auth").path("attempts").asLong();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> g.health().data("auth").path("attempts").asLong() >= attempts + 10);
            assertEquals("READY", g.health().state(), "a 2xx status line is the verdict; the body is not read");
            assertTrue(g.health().data("auth").path("last_latency_us").asLong() < 2_000_000, g.health().body());
        }
    }

    @Test
    void aRedirectLoopIsNamedNotFollowed() {
        try (HttpStub auth = new HttpStub(); GuardianProcess g = GuardianProcess.with("GUARDIAN_AUTH_URL",
                auth.url("/health")).start().awaitListening()) {
            auth.redirectLoop();
            await().atMost(Duration.ofSeconds(20)).until(() -> g.health().data("auth").path("last_error").asText()
                    .equals("HTTP 302 Found from the auth service"));
        }
    }

    @Test
    void aDrippedAnswerRunsIntoTheDeadline() {
        try (DripServer drip = new DripServer(); GuardianProcess g = GuardianProcess.with("GUARDIAN_AUTH_URL",
                drip.url("/health"), "GUARDIAN_AUTH_TIMEOUT", "1s").start().awaitListening()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> g.health().data("auth").path("last_error").asText()
                    .equals("no answer within 1000 ms (attempt timeout)"));
        }
    }

    @Test
    void idleAndSlowClientsDoNotStarveTheProbes() throws Exception {
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_ALLOW_NO_CHECKS", "true").start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(20));
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 400; i++) {
                    sockets.add(new Socket(InetAddress.getLoopbackAddress(), port(g)));
                }
                List<OutputStream> slow = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port(g));
                    sockets.add(s);
                    slow.add(s.getOutputStream());
                }
                byte[] request = "GET /q/health/ready HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
                long slowest = 0;
                for (int round = 0; round < 50; round++) {
                    for (OutputStream out : slow) {
                        out.write(request[round % request.length]); // slowloris: a byte at a time
                        out.flush();
                    }
                    long start = System.nanoTime();
                    assertEquals(200, g.get("/q/health/ready").code());
                    slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                }
                // Sanity bound only; the benchmark measures probe latency.
                assertTrue(slowest < 1_000, "slowest probe " + slowest + " ms");
            } finally {
                for (Socket s : sockets) {
                    closeQuietly(s);
                }
            }
        }
    }

    private static int port(GuardianProcess g) {
        return Integer.parseInt(g.base().substring(g.base().lastIndexOf(':') + 1));
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
