package dev.guardian.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.guardian.InMemoryGuardian;
import dev.guardian.Plan;
import dev.guardian.adapters.edge.EdgeSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * What {@code guardian.edge.*} turns into, or is refused with, read as the application reads it (in memory). The
 * defaults follow the load-balancer profile: pings inside its envelope, rotation before its lifetime cap.
 */
class EdgeConfigurationTest {
    private static final Vertx VERTX = Vertx.vertx();
    private static final String[] EDGE = { "GUARDIAN_ALLOW_NO_CHECKS", "true", "GUARDIAN_EDGE_ENABLED", "true",
            "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:8081" };

    @AfterAll
    static void close() {
        VERTX.close();
    }

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (String[] pairs : List.of(EDGE, keyValues)) {
            for (int i = 0; i < pairs.length; i += 2) {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return env;
    }

    private static EdgeSettings edge(String... keyValues) {
        return InMemoryGuardian.plan(VERTX, env(keyValues)).edge();
    }

    private static List<String> refused(String... keyValues) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> InMemoryGuardian.plan(VERTX, env(keyValues)));
        return e.getMessage().lines().skip(1).map(String::trim).toList();
    }

    private static void assertRefusedWith(String expected, String... keyValues) {
        List<String> lines = refused(keyValues);
        assertTrue(lines.contains(expected), () -> "expected <" + expected + "> in " + lines);
    }

    @Test
    void offUnlessEnabledAndThenListeningOnCloudRunsPort() {
        Plan sidecar = InMemoryGuardian.plan(VERTX, Map.of("GUARDIAN_ALLOW_NO_CHECKS", "true"));
        assertNull(sidecar.edge());
        assertEquals("sidecar", sidecar.engine().facts().get("mode"));
        EdgeSettings edge = edge("PORT", "8181");
        assertEquals(8181, edge.port());
        assertEquals("0.0.0.0", edge.host());
        assertEquals("127.0.0.1", edge.backendHost());
        assertEquals(8081, edge.backendPort());
        assertEquals(8080, edge("GUARDIAN_EDGE_PORT", "8080").port());
        assertEquals("edge", InMemoryGuardian.plan(VERTX, env()).engine().facts().get("mode"));
    }

    @Test
    void defaultsFollowTheBalancer() {
        EdgeSettings none = edge();
        assertEquals(Duration.ofSeconds(25), none.clientPingInterval());
        assertNull(none.maxLifetime());
        // nginx: 60 s idle, half of it minus the 10 s pong timeout.
        assertEquals(Duration.ofSeconds(20), edge("GUARDIAN_LOAD_BALANCER_PROFILE", "nginx").clientPingInterval());
        EdgeSettings cloudRun = edge("GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run");
        assertEquals(Duration.ofSeconds(25), cloudRun.clientPingInterval());
        assertEquals(Duration.ofSeconds(300), cloudRun.maxLifetime());
        assertEquals(Duration.ofSeconds(30), cloudRun.rotationWindow());
        assertEquals(Duration.ofSeconds(5), cloudRun.rotationMargin());
        assertEquals(1012, cloudRun.rotationCode());
        // A backend service's 30 s timeoutSec: the window and margin shrink to fit it.
        EdgeSettings gke = edge("GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-backend-service");
        assertEquals(Duration.ofMillis(7_500), gke.rotationWindow());
        assertEquals(Duration.ofSeconds(3), gke.rotationMargin());
        // Pings cannot stretch a lifetime cap (rotation meets it): only an idle timeout shortens them.
        assertEquals(Duration.ofSeconds(25), gke.clientPingInterval());
        assertEquals(Duration.ofSeconds(40), edge("GUARDIAN_LOAD_BALANCER_PROFILE", "cloudflare",
                "GUARDIAN_EDGE_PONG_TIMEOUT", "5s", "GUARDIAN_EDGE_CLIENT_PING_INTERVAL", "40s").clientPingInterval());
        EdgeSettings sized = edge("GUARDIAN_EDGE_MAX_FRAME_SIZE", "16KiB", "GUARDIAN_EDGE_MAX_MESSAGE_SIZE", "2MiB");
        assertEquals(16 * 1024, sized.maxFrameSize());
        assertEquals(2 * 1024 * 1024, sized.maxMessageSize());
        assertFalse(none.trustForwarded(), "X-Forwarded-Proto and -Host are this hop's unless told otherwise");
        assertTrue(edge("GUARDIAN_EDGE_TRUST_FORWARDED_HEADERS", "true").trustForwarded());
        assertEquals(16 * 1024 * 1024, none.maxBuffered());
        assertEquals(4 * 1024 * 1024, edge("GUARDIAN_EDGE_MAX_BUFFERED", "4MiB").maxBuffered());
    }

    @Test
    void whatCannotWorkIsRefusedInPropertyNames() {
        assertRefusedWith("guardian.edge.backend-url (GUARDIAN_EDGE_BACKEND_URL): edge mode needs the backend's "
                + "address: set it to where the backend listens, such as http://127.0.0.1:8081",
                "GUARDIAN_EDGE_BACKEND_URL", "");
        assertRefusedWith("guardian.edge.backend-url (GUARDIAN_EDGE_BACKEND_URL) = \"http://127.0.0.1:8081\": takes "
                + "a scheme, host and port only: every request keeps its own path and query; use http://127.0.0.1:8081",
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:8081/chat");
        assertRefusedWith("guardian.edge.backend-url (GUARDIAN_EDGE_BACKEND_URL) = \"http://127.0.0.1:8080\": is the "
                + "edge's own port (GUARDIAN_EDGE_PORT): the backend must listen on another one, such as 8081",
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:8080", "PORT", "8080");
        assertRefusedWith("guardian.backend.url (GUARDIAN_BACKEND_URL) = \"ws://127.0.0.1:8080/...\": goes through "
                + "the edge (GUARDIAN_EDGE_PORT), which lets traffic pass only once every check has passed: point it "
                + "at the backend directly, 127.0.0.1:8081", "GUARDIAN_BACKEND_URL", "ws://127.0.0.1:8080/ws?token=x",
                "PORT", "8080");
        // Any HTTP check would wait the same way: a named one, on the default port of its scheme.
        assertRefusedWith("guardian.http.llm.url (GUARDIAN_HTTP_LLM_URL) = \"http://localhost/...\": goes through "
                + "the edge (GUARDIAN_EDGE_PORT), which lets traffic pass only once every check has passed: point it "
                + "at the backend directly, 127.0.0.1:8081", "GUARDIAN_HTTP_LLM_URL", "http://localhost/health",
                "GUARDIAN_EDGE_PORT", "80");
        assertRefusedWith("guardian.edge.port (GUARDIAN_EDGE_PORT) = \"8090\": is Guardian's probe port "
                + "(GUARDIAN_PORT); the edge needs a port of its own, the one clients connect to ($PORT on Cloud Run)",
                "GUARDIAN_EDGE_PORT", "8090");
        assertRefusedWith("guardian.edge.port (GUARDIAN_EDGE_PORT) = \"80800\": use a port from 1 to 65535",
                "GUARDIAN_EDGE_PORT", "80800");
        assertRefusedWith("guardian.edge.client-ping-interval (GUARDIAN_EDGE_CLIENT_PING_INTERVAL) = \"45s\": unsafe "
                + "behind load-balancer profile nginx, whose limit is 60s (idle timeout: nginx proxy_read_timeout "
                + "(default 60s)); interval + pong-timeout (10s) must be at most half of it; the largest safe value "
                + "is 20s", "GUARDIAN_LOAD_BALANCER_PROFILE", "nginx", "GUARDIAN_EDGE_CLIENT_PING_INTERVAL", "45s");
        assertRefusedWith("guardian.edge.rotation.window (GUARDIAN_EDGE_ROTATION_WINDOW) = \"30s\": window + margin "
                + "(5s) must be shorter than the balancer's lifetime cap, 30s (guardian.load-balancer.max-lifetime)",
                "GUARDIAN_LOAD_BALANCER_PROFILE", "gcp-backend-service", "GUARDIAN_EDGE_ROTATION_WINDOW", "30s",
                "GUARDIAN_EDGE_ROTATION_MARGIN", "5s");
        assertRefusedWith("guardian.edge.rotation.code (GUARDIAN_EDGE_ROTATION_CODE) = \"1006\": cannot be sent in a "
                + "close frame; use 1000-1003, 1007-1014 or 3000-4999 (1012, service restart, tells clients to "
                + "reconnect)", "GUARDIAN_EDGE_ROTATION_CODE", "1006");
        assertRefusedWith("guardian.edge.max-frame-size (GUARDIAN_EDGE_MAX_FRAME_SIZE) = \"64KB\": use a size in bytes "
                + "such as 65536, 64KiB or 1MiB (at most 1GiB)", "GUARDIAN_EDGE_MAX_FRAME_SIZE", "64KB");
        assertRefusedWith("guardian.edge.max-message-size (GUARDIAN_EDGE_MAX_MESSAGE_SIZE) = \"1KiB\": must be at "
                + "least GUARDIAN_EDGE_MAX_FRAME_SIZE (64KiB)", "GUARDIAN_EDGE_MAX_MESSAGE_SIZE", "1KiB");
        assertRefusedWith("guardian.edge.max-buffered (GUARDIAN_EDGE_MAX_BUFFERED) = \"64KiB\": use at least 256KiB",
                "GUARDIAN_EDGE_MAX_BUFFERED", "64KiB");
        assertRefusedWith("guardian.edge.trust-forwarded-headers (GUARDIAN_EDGE_TRUST_FORWARDED_HEADERS) = \"yes\": "
                + "use true or false", "GUARDIAN_EDGE_TRUST_FORWARDED_HEADERS", "yes");
        assertRefusedWith("guardian.edge.drain-window (GUARDIAN_EDGE_DRAIN_WINDOW) = \"8s\": with 2.5s for the last "
                + "close handshakes Guardian would not exit before Cloud Run's SIGKILL 10s after SIGTERM; the longest "
                + "is 6.5s", "GUARDIAN_LOAD_BALANCER_PROFILE", "cloud-run", "GUARDIAN_EDGE_DRAIN_WINDOW", "8s");
        // Kubernetes' termination grace period is the deployer's: a longer drain is theirs to allow.
        assertEquals(Duration.ofSeconds(20), edge("GUARDIAN_EDGE_DRAIN_WINDOW", "20s").drainWindow());
    }

    @Test
    void aMisspelledEdgeSettingIsRefused() {
        assertEquals(List.of("GUARDIAN_EDGE_PONG_TIMOUT: is not a Guardian setting; did you mean "
                + "GUARDIAN_EDGE_PONG_TIMEOUT (guardian.edge.pong-timeout)?"),
                refused("GUARDIAN_EDGE_PONG_TIMOUT", "5s"));
    }
}
