package dev.guardian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.guardian.testing.FreshHttp;
import dev.guardian.testing.GuardianProcess;
import dev.guardian.testing.Ports;

/**
 * The deploy manifests, dashboard, alert rules and README are checked against the code: every environment
 * variable they name exists in the configuration, probes hit Guardian's real port and paths, and every metric they
 * query is one a running Guardian really exports.
 */
class ManifestsIT extends WithChatBackend {
    private static final Path DEPLOY = Path.of("deploy");
    private static final Set<String> PROBE_PATHS = Set.of("/q/health/started", "/q/health/ready", "/q/health/live");

    /** Every environment variable Guardian reads: every check kind's, its own, and its properties file's aliases. */
    static Set<String> knownVariables() throws IOException {
        return dev.guardian.Settings.variables();
    }

    static List<JsonNode> yamlDocuments() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
                    docs.addAll(it.readAll());
                }
            }
        }
        return docs;
    }

    /** Guardian's container in a manifest, and whether that manifest is Cloud Run's (a Knative Service). */
    record GuardianContainer(JsonNode container, boolean cloudRun) {
    }

    static List<GuardianContainer> guardians() throws IOException {
        List<GuardianContainer> found = new ArrayList<>();
        for (JsonNode doc : yamlDocuments()) {
            boolean cloudRun = doc.path("apiVersion").asText().startsWith("serving.knative.dev/");
            for (JsonNode c : doc.findValues("containers")) {
                c.forEach(container -> {
                    if ("guardian".equals(container.path("name").asText())) {
                        found.add(new GuardianContainer(container, cloudRun));
                    }
                });
            }
        }
        return found;
    }

    static List<JsonNode> guardianContainers() throws IOException {
        return guardians().stream().map(GuardianContainer::container).toList();
    }

    @Test
    void everyVariableInTheManifestsIsOneGuardianReads() throws IOException {
        Set<String> known = knownVariables();
        assertTrue(known.contains("GUARDIAN_POSTGRES_URL") && known.contains("GUARDIAN_HEARTBEAT_INTERVAL")
                && known.contains("GUARDIAN_BACKEND_AUTH_JWT_SECRET") && known.contains("GUARDIAN_PORT"), known.toString());
        List<JsonNode> containers = guardianContainers();
        assertEquals(4, containers.size(), "Guardian in the Cloud Run services and the Kubernetes deployments "
                + "(sidecar and edge mode each)");
        for (JsonNode container : containers) {
            for (JsonNode env : container.path("env")) {
                String name = env.path("name").asText();
                assertTrue(known.contains(name), name + " is not a Guardian variable; known: " + known);
            }
        }
        // The README documents every variable: ConfigurationTableTest generates its tables from the code.
    }

    /**
     * Probes hit Guardian's public port (8090) and its paths; metrics are scraped from the management port (9000).
     * The startup probe is the gate on Cloud Run (/q/health/started); on Kubernetes readiness is the gate and a
     * startup probe, if any, asks only whether Guardian's own process answers (/q/health/live), so that a slow
     * dependency never becomes kubelet restarts of the sidecar.
     */
    @Test
    void probesUseGuardiansPortAndPaths() throws IOException {
        for (GuardianContainer guardian : guardians()) {
            JsonNode container = guardian.container();
            int edgePort = edgePort(container);
            String portName = null;
            for (JsonNode port : container.path("ports")) {
                if (port.path("containerPort").asInt() == edgePort) {
                    continue; // the edge's: where clients connect, never a probe's
                }
                if (port.path("name").asText().equals("management")) {
                    assertEquals(9000, port.path("containerPort").asInt(), "the management port");
                } else {
                    assertEquals(8090, port.path("containerPort").asInt(), "the probe port");
                    portName = port.path("name").asText();
                }
            }
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode http = container.path(probe).path("httpGet");
                if (http.isMissingNode()) {
                    continue;
                }
                assertTrue(PROBE_PATHS.contains(http.path("path").asText()), http.toString());
                String port = http.path("port").asText();
                assertTrue(port.equals("8090") || port.equals(portName), probe + " port " + port);
            }
            String startup = container.path("startupProbe").path("httpGet").path("path").asText();
            if (guardian.cloudRun()) {
                assertEquals("/q/health/started", startup, "Cloud Run: the startup probe is the gate");
            } else {
                assertTrue(startup.isEmpty() || startup.equals("/q/health/live"),
                        "Kubernetes: a startup probe may only ask for liveness, is " + startup);
                assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
            }
        }
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(properties.contains("quarkus.http.port=${GUARDIAN_PORT:8090}"), "Guardian's default port is 8090");
        for (JsonNode doc : yamlDocuments()) {
            for (String field : List.of("podMetricsEndpoints", "endpoints")) {
                for (JsonNode endpoints : doc.path("spec").findValues(field)) {
                    assertEquals("/q/metrics", endpoints.get(0).path("path").asText());
                    assertEquals("management", endpoints.get(0).path("port").asText());
                }
            }
        }
    }

    /** The edge's port in edge mode (GUARDIAN_EDGE_PORT, else $PORT: 8080 on both platforms here); -1 otherwise. */
    private static int edgePort(JsonNode guardian) {
        String enabled = null;
        String port = "8080";
        for (JsonNode env : guardian.path("env")) {
            switch (env.path("name").asText()) {
                case "GUARDIAN_EDGE_ENABLED" -> enabled = env.path("value").asText();
                case "GUARDIAN_EDGE_PORT" -> port = env.path("value").asText();
                default -> {
                }
            }
        }
        return "true".equals(enabled) ? Integer.parseInt(port) : -1;
    }

    /**
     * Names starting with guardian_edge_ against a Guardian in edge mode, the others against one in sidecar mode.
     * A name ending in "_" (guardian_edge_* in a comment) names a family, not a series.
     */
    @Test
    void everyMetricInTheAlertsAndTheDashboardIsExported() throws Exception {
        String metrics;
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_BACKEND_URL", backend.url("/ws"),
                "GUARDIAN_HEARTBEAT_INTERVAL", "100ms").start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(20));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> g.metrics().contains("guardian_heartbeat_rtt_seconds_count"));
            metrics = g.metrics();
        }
        String edgeMetrics = edgeMetricsAfterTraffic();
        String queried = Files.readString(DEPLOY.resolve("observability/prometheus-rules.yaml"))
                + Files.readString(DEPLOY.resolve("observability/grafana-dashboard.json"));
        Matcher m = Pattern.compile("guardian_[a-z_]+").matcher(queried);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            if (!m.group().endsWith("_")) {
                names.add(m.group());
            }
        }
        assertFalse(names.isEmpty());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("guardian_edge_")), "no edge metric queried: " + names);
        for (String name : names) {
            String exported = name.startsWith("guardian_edge_") ? edgeMetrics : metrics;
            assertTrue(exported.contains("\n" + name + "{") || exported.contains("\n" + name + " "),
                    name + " is queried but not exported:\n" + exported);
        }
    }

    /**
     * The edge's labelled counters appear at their first event: one chat opened and closed through the edge, one
     * upgrade refused at a cap of one connection, one plain request.
     */
    private static String edgeMetricsAfterTraffic() throws Exception {
        int port = Ports.free();
        try (GuardianProcess g = GuardianProcess.with("GUARDIAN_EDGE_ENABLED", "true",
                "GUARDIAN_EDGE_PORT", Integer.toString(port),
                "GUARDIAN_EDGE_BACKEND_URL", "http://127.0.0.1:" + backend.port(),
                "GUARDIAN_EDGE_MAX_CONNECTIONS", "1",
                "GUARDIAN_BACKEND_URL", backend.url("/ws")).start().awaitListening()) {
            g.awaitState("READY", Duration.ofSeconds(20));
            URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
            HttpClient http = HttpClient.newHttpClient();
            WebSocket chat = http.newWebSocketBuilder().subprotocols("chat.v1")
                    .buildAsync(ws, new WebSocket.Listener() {
                    }).get(10, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
                    .buildAsync(ws, new WebSocket.Listener() {
                    }).get(10, TimeUnit.SECONDS));
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
            assertEquals(503, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
            chat.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> g.metrics().contains("guardian_edge_closes_total{"));
            FreshHttp.get("http://127.0.0.1:" + port + "/", Duration.ofSeconds(5));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> g.metrics().contains("guardian_edge_http_requests_total{"));
            return g.metrics();
        }
    }
}
