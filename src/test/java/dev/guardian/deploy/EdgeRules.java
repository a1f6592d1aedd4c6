package dev.guardian.deploy;

import static dev.guardian.deploy.Manifest.GUARDIAN;

import java.lang.reflect.Field;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * Edge mode (Guardian in the traffic path, {@code GUARDIAN_EDGE_ENABLED=true}) as the manifests must set it up, on
 * both platforms: the edge sends traffic to a backend on loopback, on a port the backend really listens on and not
 * the edge's own; the gate's round trip goes to the backend directly, never through the edge (it would wait for
 * itself). On Cloud Run Guardian is the ingress container, on $PORT, depends on the backend, and drains before the
 * SIGKILL; on Kubernetes every Service reaches the pod through the edge, the grace period covers the drain and the
 * backend keeps serving while the edge drains.
 */
final class EdgeRules {
    static final String ENABLED = "GUARDIAN_EDGE_ENABLED";
    static final String EDGE_PORT = "GUARDIAN_EDGE_PORT";
    static final String BACKEND_URL = "GUARDIAN_EDGE_BACKEND_URL";
    static final String DRAIN_WINDOW = "GUARDIAN_EDGE_DRAIN_WINDOW";
    static final String GATE_URL = "GUARDIAN_BACKEND_URL";
    /** guardian.edge.drain-window's default. */
    static final String DEFAULT_DRAIN_WINDOW = "5s";
    /** guardian.edge.port's default when $PORT is not set. */
    static final int DEFAULT_EDGE_PORT = 8080;
    /** After the edge's drain: the rest of Guardian's shutdown, as the deploy kit budgets it. */
    static final Duration SHUTDOWN_AFTER_DRAIN = Duration.ofSeconds(2);
    /** The time for the last close handshakes after the drain window, read from the code so the rules cannot drift. */
    static final Duration DRAIN_GRACE = constant("dev.guardian.adapters.edge.EdgeLimits", "DRAIN_GRACE");
    /** Cloud Run's SIGKILL comes 10 s after SIGTERM; Guardian must be done by this. */
    static final Duration CLOUD_RUN_EXIT_BEFORE = constant("dev.guardian.adapters.edge.EdgeSettingsReader",
            "CLOUD_RUN_EXIT_BEFORE");
    private static final Set<String> POD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Document doc;
    private final DeployDocuments docs;
    private final List<String> problems = new ArrayList<>();

    private EdgeRules(Document doc, DeployDocuments docs) {
        this.doc = doc;
        this.docs = docs;
    }

    static List<String> check(DeployDocuments docs) {
        List<String> problems = new ArrayList<>();
        for (Document d : edgeDocuments(docs)) {
            EdgeRules rules = new EdgeRules(d, docs);
            rules.check();
            problems.addAll(rules.problems);
        }
        return problems;
    }

    /** The Cloud Run services and Kubernetes workloads whose Guardian runs in edge mode. */
    static List<Document> edgeDocuments(DeployDocuments docs) {
        return docs.all().stream().filter(EdgeRules::isEdge).toList();
    }

    static boolean isEdge(Document d) {
        if (!cloudRun(d) && !POD_KINDS.contains(d.kind())) {
            return false;
        }
        return Manifest.container(podSpec(d), GUARDIAN).map(EdgeRules::enabled).orElse(false);
    }

    static boolean enabled(JsonNode guardian) {
        return "true".equalsIgnoreCase(Manifest.env(guardian, ENABLED).orElse("false").trim());
    }

    private static boolean cloudRun(Document d) {
        return d.kind().equals("Service") && d.node().path("apiVersion").asText().startsWith("serving.knative.dev/");
    }

    private static JsonNode podSpec(Document d) {
        return d.node().path("spec").path("template").path("spec");
    }

    private void problem(String where, String what) {
        problems.add(doc + ": " + where + " " + what);
    }

    private void check() {
        JsonNode pod = podSpec(doc);
        JsonNode guardian = Manifest.container(pod, GUARDIAN).orElseThrow();
        boolean cloudRun = cloudRun(doc);
        int edgePort = edgePort(guardian, cloudRun);
        Optional<Backend> backend = backend(pod, guardian, edgePort);
        gate(guardian, edgePort);
        Duration drain = Manifest.envDuration(guardian, DRAIN_WINDOW, DEFAULT_DRAIN_WINDOW);
        if (cloudRun) {
            cloudRunIngress(pod, guardian);
            backend.ifPresent(this::dependsOnBackend);
            drainBeforeSigkill(drain);
        } else {
            edgePortIsNamed(guardian, edgePort);
            servicesReachTheEdge(pod, edgePort);
            graceCoversTheDrain(pod, drain);
            backend.ifPresent(b -> backendOutlivesTheDrain(b, drain));
        }
    }

    /**
     * Where the edge listens: GUARDIAN_EDGE_PORT, else $PORT (on Cloud Run the ingress container's port, which
     * Cloud Run passes as $PORT), else 8080.
     */
    private static int edgePort(JsonNode guardian, boolean cloudRun) {
        Optional<String> explicit = Manifest.env(guardian, EDGE_PORT).or(() -> Manifest.env(guardian, "PORT"));
        if (explicit.isPresent()) {
            return Integer.parseInt(explicit.get().trim());
        }
        if (cloudRun && !guardian.path("ports").isEmpty()) {
            return guardian.at("/ports/0/containerPort").asInt(DEFAULT_EDGE_PORT);
        }
        return DEFAULT_EDGE_PORT;
    }

    /** The container behind GUARDIAN_EDGE_BACKEND_URL and the port it listens on. */
    private record Backend(JsonNode container, int port) {
        String name() {
            return container.path("name").asText();
        }
    }

    private Optional<Backend> backend(JsonNode pod, JsonNode guardian, int edgePort) {
        String where = "container guardian env " + BACKEND_URL;
        Optional<String> raw = Manifest.env(guardian, BACKEND_URL);
        if (raw.isEmpty()) {
            problem(where, "is missing: edge mode needs the backend's address, such as http://127.0.0.1:8081");
            return Optional.empty();
        }
        URI url;
        try {
            url = URI.create(raw.get().trim());
        } catch (IllegalArgumentException e) {
            problem(where, "(" + raw.get() + ") is not a URL");
            return Optional.empty();
        }
        if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1) {
            problem(where, "(" + raw.get() + ") must be http://host:port, such as http://127.0.0.1:8081");
            return Optional.empty();
        }
        if (!LOOPBACK.contains(url.getHost())) {
            problem(where, "(" + raw.get() + ") must be on loopback (127.0.0.1): the backend runs beside "
                    + "Guardian, in the same instance or pod, and another address sends the traffic somewhere else");
        }
        int port = url.getPort();
        if (port == edgePort) {
            problem(where, "(" + raw.get() + ") is the edge's own port " + edgePort + ": the edge would send "
                    + "traffic to itself; the backend must listen on another port, such as 8081");
        }
        Map<Integer, JsonNode> listening = backendPorts(pod);
        JsonNode container = listening.get(port);
        if (container == null) {
            problem(where, "(" + raw.get() + "): " + port + " is no port a backend container listens on (its "
                    + "containerPort or its startup probe's port); they listen on " + listening.keySet());
            return Optional.empty();
        }
        return Optional.of(new Backend(container, port));
    }

    /** The ports the other containers declare or are probed on: containerPorts and numeric probe ports. */
    private static Map<Integer, JsonNode> backendPorts(JsonNode pod) {
        Map<Integer, JsonNode> ports = new TreeMap<>();
        for (JsonNode c : Manifest.containers(pod)) {
            if (GUARDIAN.equals(c.path("name").asText())) {
                continue;
            }
            c.path("ports").forEach(p -> ports.put(p.path("containerPort").asInt(), c));
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                for (String action : List.of("tcpSocket", "httpGet", "grpc")) {
                    JsonNode port = c.path(probe).path(action).path("port");
                    if (port.isInt() || port.asText().matches("\\d+")) {
                        ports.put(port.asInt(), c);
                    }
                }
            }
        }
        return ports;
    }

    /** The gate's round trip must reach the backend directly: through the edge it waits for its own READY. */
    private void gate(JsonNode guardian, int edgePort) {
        Optional<String> raw = Manifest.env(guardian, GATE_URL);
        if (raw.isEmpty()) {
            return;
        }
        URI url;
        try {
            url = URI.create(raw.get().trim());
        } catch (IllegalArgumentException e) {
            return; // Guardian refuses it in its own words; ManifestsIT runs the manifests' environment
        }
        int port = url.getPort() > 0 ? url.getPort() : "wss".equals(url.getScheme()) ? 443 : 80;
        if (url.getHost() != null && LOOPBACK.contains(url.getHost()) && port == edgePort) {
            problem("container guardian env " + GATE_URL, "(" + raw.get() + ") targets the edge's port " + edgePort
                    + ": the gate's round trip would go through the edge, which lets nothing pass before READY, so "
                    + "Guardian would wait for itself; point it at the backend directly (GUARDIAN_EDGE_BACKEND_URL's "
                    + "port)");
        }
    }

    /** Cloud Run: Guardian is the ingress container (the one with ports), and the edge listens on its port. */
    private void cloudRunIngress(JsonNode pod, JsonNode guardian) {
        List<String> ingress = new ArrayList<>();
        pod.path("containers").forEach(c -> {
            if (!c.path("ports").isEmpty()) {
                ingress.add(c.path("name").asText());
            }
        });
        if (!ingress.equals(List.of(GUARDIAN))) {
            problem("containers", "with " + ENABLED + "=true Guardian must be the one ingress container (the only "
                    + "one with ports), and Cloud Run's gate its startup probe; the containers with ports are "
                    + ingress);
            return;
        }
        int ingressPort = guardian.at("/ports/0/containerPort").asInt();
        Optional<String> explicit = Manifest.env(guardian, EDGE_PORT);
        if (explicit.isPresent() && Integer.parseInt(explicit.get().trim()) != ingressPort) {
            problem("container guardian env " + EDGE_PORT, "(" + explicit.get() + ") is not the ingress port "
                    + ingressPort + ", where Cloud Run sends traffic ($PORT); leave it unset");
        }
    }

    /** Cloud Run: Guardian starts after the backend it sends traffic to (the reverse is refused as a deadlock). */
    private void dependsOnBackend(Backend backend) {
        JsonNode annotations = doc.node().path("spec").path("template").path("metadata").path("annotations");
        JsonNode graph;
        try {
            graph = JSON.readTree(annotations.path(CloudRunRules.DEPENDENCIES).asText("{}"));
        } catch (JsonProcessingException e) {
            return; // CloudRunRules says it is not JSON
        }
        boolean found = false;
        for (JsonNode dependency : graph.path(GUARDIAN)) {
            found |= dependency.asText().equals(backend.name());
        }
        if (!found) {
            problem("annotation " + CloudRunRules.DEPENDENCIES, "must make guardian depend on " + backend.name()
                    + ", the container behind " + BACKEND_URL + ": Guardian's gate, and so the instance's startup "
                    + "probe, needs the backend up first");
        }
    }

    private void drainBeforeSigkill(Duration drain) {
        Duration exit = drain.plus(DRAIN_GRACE);
        if (exit.compareTo(CLOUD_RUN_EXIT_BEFORE) > 0) {
            problem("container guardian env " + DRAIN_WINDOW, "(" + Manifest.human(drain) + ") + "
                    + Manifest.human(DRAIN_GRACE) + " for the last close handshakes = " + Manifest.human(exit)
                    + " must be at most " + Manifest.human(CLOUD_RUN_EXIT_BEFORE) + ": Cloud Run sends SIGKILL 10 s "
                    + "after SIGTERM");
        }
    }

    /** Kubernetes: the edge's port is one of Guardian's container ports, so that a Service can name it. */
    private void edgePortIsNamed(JsonNode guardian, int edgePort) {
        boolean declared = false;
        for (JsonNode port : guardian.path("ports")) {
            declared |= port.path("containerPort").asInt() == edgePort;
        }
        if (!declared) {
            problem("container guardian env " + EDGE_PORT, "(" + edgePort + ") is none of Guardian's container "
                    + "ports: no Service can reach the edge");
        }
    }

    /** Kubernetes: every Service that selects the pod reaches it through Guardian's edge port, never around it. */
    private void servicesReachTheEdge(JsonNode pod, int edgePort) {
        JsonNode labels = doc.node().path("spec").path("template").path("metadata").path("labels");
        boolean any = false;
        for (Document service : docs.ofKind("Service")) {
            JsonNode selector = service.node().path("spec").path("selector");
            if (cloudRun(service) || !KubernetesRules.matches(selector, labels)) {
                continue;
            }
            any = true;
            for (JsonNode port : service.node().path("spec").path("ports")) {
                String target = port.path("targetPort").asText(port.path("port").asText());
                Optional<Target> reached = reached(pod, target);
                if (reached.isEmpty() || !reached.get().equals(new Target(GUARDIAN, edgePort))) {
                    problems.add(service + ": targetPort " + target + " reaches " + reached.map(Target::toString)
                            .orElse("no container port") + " of " + doc + ", not Guardian's edge port " + edgePort
                            + ": traffic would bypass the edge and its gate");
                }
            }
        }
        if (!any) {
            problem("spec.template.metadata.labels", "are selected by no Service in deploy/: nothing reaches the edge");
        }
    }

    private record Target(String container, int port) {
        @Override
        public String toString() {
            return "container " + container + " port " + port;
        }
    }

    /** The container port a Service's targetPort (a name or a number) reaches. */
    private static Optional<Target> reached(JsonNode pod, String target) {
        for (JsonNode c : Manifest.containers(pod)) {
            for (JsonNode p : c.path("ports")) {
                if (p.path("name").asText().equals(target) || p.path("containerPort").asText().equals(target)) {
                    return Optional.of(new Target(c.path("name").asText(), p.path("containerPort").asInt()));
                }
            }
        }
        return Optional.empty();
    }

    /** Kubernetes: SIGKILL must not cut the drain, its last close handshakes or the shutdown after them. */
    private void graceCoversTheDrain(JsonNode pod, Duration drain) {
        Duration needed = drain.plus(DRAIN_GRACE).plus(SHUTDOWN_AFTER_DRAIN);
        int grace = Manifest.intOr(pod.path("terminationGracePeriodSeconds"), 30);
        if (grace * 1000L <= needed.toMillis()) {
            problem("spec.template.spec.terminationGracePeriodSeconds", grace + " must exceed the edge's drain ("
                    + Manifest.human(drain) + " " + DRAIN_WINDOW + " + " + Manifest.human(DRAIN_GRACE)
                    + " for the last close handshakes + " + Manifest.human(SHUTDOWN_AFTER_DRAIN) + " of shutdown = "
                    + Manifest.human(needed) + ")");
        }
    }

    /**
     * Kubernetes sends SIGTERM to every container at once: the backend must keep serving while the edge drains
     * (a preStop sleep), or its own shutdown closes every client at once, before the edge's spread 1001 closes.
     */
    private void backendOutlivesTheDrain(Backend backend, Duration drain) {
        Duration needed = drain.plus(DRAIN_GRACE);
        JsonNode sleep = backend.container().path("lifecycle").path("preStop").path("sleep").path("seconds");
        if (!sleep.canConvertToInt() || sleep.asInt() * 1000L < needed.toMillis()) {
            problem("container " + backend.name() + " lifecycle.preStop.sleep.seconds", "must be at least "
                    + (long) Math.ceil(needed.toMillis() / 1000.0) + " (the edge's drain window + "
                    + Manifest.human(DRAIN_GRACE) + "), is " + (sleep.isMissingNode() ? "unset" : sleep.asText())
                    + ": the backend gets SIGTERM with Guardian and would close its clients before the edge drains them");
        }
    }

    private static Duration constant(String className, String field) {
        try {
            Field f = Class.forName(className).getDeclaredField(field);
            f.setAccessible(true);
            return (Duration) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + className + "." + field + ", which the edge rules follow", e);
        }
    }
}
