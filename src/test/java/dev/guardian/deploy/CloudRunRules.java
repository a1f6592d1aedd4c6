package dev.guardian.deploy;

import static dev.guardian.deploy.Manifest.GUARDIAN;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * Cloud Run's rules that the Knative schema does not carry: one ingress container, a startup probe on every
 * container another depends on, startup windows within 240 s (and Guardian's above its budget), the revision
 * annotations in the right place with values that parse, and the instance's CPU total.
 */
final class CloudRunRules {
    static final int STARTUP_WINDOW_CAP_SECONDS = 240;
    static final String DEPENDENCIES = "run.googleapis.com/container-dependencies";
    static final String CPU_THROTTLING = "run.googleapis.com/cpu-throttling";
    static final String NETWORK_INTERFACES = "run.googleapis.com/network-interfaces";
    static final String VPC_EGRESS = "run.googleapis.com/vpc-access-egress";
    /** Annotations Cloud Run reads on the revision template only. */
    private static final Set<String> REVISION_ANNOTATIONS = Set.of(DEPENDENCIES, CPU_THROTTLING, NETWORK_INTERFACES,
            VPC_EGRESS, "run.googleapis.com/startup-cpu-boost", "run.googleapis.com/vpc-access-connector",
            "run.googleapis.com/execution-environment", "autoscaling.knative.dev/minScale",
            "autoscaling.knative.dev/maxScale");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Document doc;
    private final List<String> problems = new ArrayList<>();

    private CloudRunRules(Document doc) {
        this.doc = doc;
    }

    static List<String> check(DeployDocuments docs) {
        List<String> problems = new ArrayList<>();
        for (Document service : docs.ofKind("Service")) {
            if (service.node().path("apiVersion").asText().startsWith("serving.knative.dev/")) {
                CloudRunRules rules = new CloudRunRules(service);
                rules.check();
                problems.addAll(rules.problems);
            }
        }
        return problems;
    }

    private void problem(String where, String what) {
        problems.add(doc + ": " + where + " " + what);
    }

    private void check() {
        JsonNode template = doc.node().path("spec").path("template");
        JsonNode annotations = template.path("metadata").path("annotations");
        JsonNode spec = template.path("spec");
        List<JsonNode> containers = new ArrayList<>();
        spec.path("containers").forEach(containers::add);
        names(containers);
        ingress(containers);
        placement();
        dependencies(annotations, containers);
        for (JsonNode container : containers) {
            startupWindow(container);
        }
        Manifest.container(spec, GUARDIAN).ifPresent(guardian -> guardian(guardian, spec));
        egressAndBilling(annotations);
        cpuTotal(containers);
    }

    private void names(List<JsonNode> containers) {
        Set<String> seen = new HashSet<>();
        for (JsonNode c : containers) {
            String name = c.path("name").asText();
            if (containers.size() > 1 && name.isEmpty()) {
                problem("containers", "must all be named when there are several (the dependencies name them)");
            } else if (!seen.add(name)) {
                problem("container " + name, "is named twice");
            }
        }
    }

    private void ingress(List<JsonNode> containers) {
        List<JsonNode> withPorts = containers.stream().filter(c -> !c.path("ports").isEmpty()).toList();
        if (withPorts.size() != 1) {
            problem("containers", "must have exactly one ingress container (the one with ports); "
                    + withPorts.size() + " have ports");
        }
        for (JsonNode c : withPorts) {
            if (c.path("ports").size() != 1) {
                problem("container " + c.path("name").asText() + " ports", "must list exactly one port (the ingress port)");
            }
        }
    }

    /** Revision settings on the Service's own metadata are not read by Cloud Run: they must be on the template. */
    private void placement() {
        doc.node().path("metadata").path("annotations").fieldNames().forEachRemaining(key -> {
            if (REVISION_ANNOTATIONS.contains(key)) {
                problem("metadata.annotations." + key, "is a revision setting: put it in spec.template.metadata.annotations");
            }
        });
    }

    private void dependencies(JsonNode annotations, List<JsonNode> containers) {
        Map<String, JsonNode> byName = new HashMap<>();
        containers.forEach(c -> byName.put(c.path("name").asText(), c));
        if (!annotations.has(DEPENDENCIES)) {
            if (byName.containsKey(GUARDIAN)) {
                problem("spec.template.metadata.annotations." + DEPENDENCIES, "is missing: Guardian must start after "
                        + "the backend it probes");
            }
            return;
        }
        JsonNode graph;
        try {
            graph = JSON.readTree(annotations.path(DEPENDENCIES).asText());
        } catch (JsonProcessingException e) {
            problem("annotation " + DEPENDENCIES, "is not JSON: " + e.getOriginalMessage());
            return;
        }
        if (!graph.isObject()) {
            problem("annotation " + DEPENDENCIES, "must be a JSON object {\"container\":[\"depends on\", ...]}");
            return;
        }
        graph.fields().forEachRemaining(entry -> {
            String dependent = entry.getKey();
            if (!byName.containsKey(dependent)) {
                problem("annotation " + DEPENDENCIES, "names container \"" + dependent + "\", which does not exist");
            }
            if (!entry.getValue().isArray()) {
                problem("annotation " + DEPENDENCIES, "must map \"" + dependent + "\" to a list of container names");
                return;
            }
            for (JsonNode dependency : entry.getValue()) {
                String name = dependency.asText();
                if (!byName.containsKey(name)) {
                    problem("annotation " + DEPENDENCIES, "names container \"" + name + "\", which does not exist");
                } else if (name.equals(dependent)) {
                    problem("annotation " + DEPENDENCIES, "makes \"" + name + "\" depend on itself");
                } else if (byName.get(name).path("startupProbe").isMissingNode()) {
                    problem("container " + name, "needs a startupProbe: \"" + dependent + "\" depends on it (Cloud Run "
                            + "refuses the revision otherwise)");
                }
            }
        });
        if (graph.path(GUARDIAN).isMissingNode() && byName.containsKey(GUARDIAN)) {
            problem("annotation " + DEPENDENCIES, "must make guardian depend on the backend container");
        }
        graph.fields().forEachRemaining(entry -> entry.getValue().forEach(d -> {
            if (d.asText().equals(GUARDIAN)) {
                problem("annotation " + DEPENDENCIES, "makes \"" + entry.getKey() + "\" depend on guardian: a deadlock "
                        + "(Guardian's startup probe passes only once the backend answers)");
            }
        }));
    }

    private void startupWindow(JsonNode container) {
        JsonNode probe = container.path("startupProbe");
        if (probe.isMissingNode()) {
            return;
        }
        String where = "container " + container.path("name").asText() + " startupProbe";
        int window = Manifest.windowSeconds(probe);
        if (window > STARTUP_WINDOW_CAP_SECONDS) {
            problem(where, "window failureThreshold x periodSeconds = " + window + " s exceeds Cloud Run's cap of "
                    + STARTUP_WINDOW_CAP_SECONDS + " s");
        }
        int period = Manifest.intOr(probe.path("periodSeconds"), 10);
        if (period > STARTUP_WINDOW_CAP_SECONDS || Manifest.intOr(probe.path("initialDelaySeconds"), 0) > 240) {
            problem(where, "periodSeconds and initialDelaySeconds must be at most 240");
        }
        if (Manifest.intOr(probe.path("timeoutSeconds"), 1) > period) {
            problem(where, "timeoutSeconds must not exceed periodSeconds");
        }
    }

    /**
     * Guardian as a sidecar (no ports; the backend is the ingress) or, with GUARDIAN_EDGE_ENABLED=true, as the
     * ingress container in front of the backend ({@link EdgeRules}). Either way its startup probe, the gate, names
     * Guardian's probe port: a sidecar has no $PORT, and the ingress port of an edge is the traffic path to the
     * backend, not Guardian's probes.
     */
    private void guardian(JsonNode guardian, JsonNode spec) {
        if (!guardian.path("ports").isEmpty() && !EdgeRules.enabled(guardian)) {
            problem("container guardian ports", "make Guardian the ingress container, but " + EdgeRules.ENABLED
                    + " is not \"true\": clients would reach Guardian's probes, not the backend");
        }
        JsonNode startup = guardian.path("startupProbe");
        JsonNode http = startup.path("httpGet");
        if (!http.path("path").asText().equals("/q/health/started")) {
            problem("container guardian startupProbe.httpGet.path", "must be /q/health/started: on Cloud Run the "
                    + "startup probe is the gate, is \"" + http.path("path").asText() + "\"");
        }
        int port = Integer.parseInt(Manifest.env(guardian, "GUARDIAN_PORT")
                .orElse(String.valueOf(KubernetesRules.PROBE_PORT)));
        if (http.path("port").asInt(-1) != port) {
            problem("container guardian startupProbe.httpGet.port", "must name Guardian's port " + port
                    + " explicitly (GUARDIAN_PORT): a sidecar has no $PORT, and an edge's ingress port leads to the "
                    + "backend; is " + http.path("port"));
        }
        Duration budget = Manifest.envDuration(guardian, "GUARDIAN_STARTUP_BUDGET", "20s");
        int window = Manifest.windowSeconds(startup);
        if (window * 1000L <= budget.toMillis()) {
            problem("container guardian startupProbe", "window failureThreshold x periodSeconds = " + window
                    + " s must be above GUARDIAN_STARTUP_BUDGET (" + Manifest.human(budget) + "), so that Guardian's "
                    + "own verdict comes first");
        }
        JsonNode liveness = guardian.path("livenessProbe").path("httpGet");
        if (!liveness.isMissingNode() && !liveness.path("path").asText().equals("/q/health/live")) {
            problem("container guardian livenessProbe.httpGet.path", "must be /q/health/live");
        }
        if ("false".equals(Manifest.env(guardian, "GUARDIAN_STARTUP_FAILED_IS_FINAL").orElse("true"))) {
            problem("container guardian env GUARDIAN_STARTUP_FAILED_IS_FINAL", "must not be false on Cloud Run: the "
                    + "startup probe is the gate, FAILED must stay final");
        }
        String host = Manifest.env(guardian, "GUARDIAN_MANAGEMENT_HOST").orElse("127.0.0.1");
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            problem("container guardian env GUARDIAN_MANAGEMENT_HOST", "must stay on loopback: nothing scrapes an "
                    + "instance on Cloud Run");
        }
        Optional<String> lifetime = Manifest.env(guardian, "GUARDIAN_LOAD_BALANCER_MAX_LIFETIME");
        if ("cloud-run".equals(Manifest.env(guardian, "GUARDIAN_LOAD_BALANCER_PROFILE").orElse(""))
                && lifetime.isPresent()) {
            int timeout = Manifest.intOr(spec.path("timeoutSeconds"), 300);
            if (Manifest.duration(lifetime.get()).toSeconds() != timeout) {
                problem("container guardian env GUARDIAN_LOAD_BALANCER_MAX_LIFETIME", "(" + lifetime.get()
                        + ") must equal the request timeout spec.template.spec.timeoutSeconds (" + timeout + " s)");
            }
        }
    }

    private void egressAndBilling(JsonNode annotations) {
        if (!annotations.path(CPU_THROTTLING).asText().equals("false")) {
            problem("annotation " + CPU_THROTTLING, "must be 'false' (instance-based billing): a throttled CPU makes "
                    + "Guardian's timers fire late");
        }
        if (!annotations.has(NETWORK_INTERFACES)) {
            problem("annotation " + NETWORK_INTERFACES, "is missing: private Redis and Postgres need VPC egress");
        } else {
            try {
                JsonNode interfaces = JSON.readTree(annotations.path(NETWORK_INTERFACES).asText());
                if (!interfaces.isArray() || interfaces.size() != 1) {
                    problem("annotation " + NETWORK_INTERFACES, "must be a JSON list of exactly one interface");
                } else {
                    JsonNode nic = interfaces.get(0);
                    nic.fieldNames().forEachRemaining(f -> {
                        if (!Set.of("network", "subnetwork", "tags").contains(f)) {
                            problem("annotation " + NETWORK_INTERFACES, "has unknown field \"" + f + "\"");
                        }
                    });
                    if (!nic.has("network") && !nic.has("subnetwork")) {
                        problem("annotation " + NETWORK_INTERFACES, "needs network or subnetwork");
                    }
                }
            } catch (JsonProcessingException e) {
                problem("annotation " + NETWORK_INTERFACES, "is not JSON: " + e.getOriginalMessage());
            }
        }
        if (annotations.has(NETWORK_INTERFACES) && annotations.has("run.googleapis.com/vpc-access-connector")) {
            problem("annotations", "use either Direct VPC egress or a connector, not both");
        }
        String egress = annotations.path(VPC_EGRESS).asText();
        if (!Set.of("private-ranges-only", "all-traffic").contains(egress)) {
            problem("annotation " + VPC_EGRESS, "must be private-ranges-only or all-traffic, is \"" + egress + "\"");
        }
    }

    /** Above 1 CPU an instance's CPU must be a whole number (the documented rule is per instance). */
    private void cpuTotal(List<JsonNode> containers) {
        BigDecimal total = BigDecimal.ZERO;
        for (JsonNode c : containers) {
            String cpu = c.path("resources").path("limits").path("cpu").asText("1");
            total = total.add(cpu.endsWith("m") ? new BigDecimal(cpu.substring(0, cpu.length() - 1)).movePointLeft(3)
                    : new BigDecimal(cpu));
        }
        if (total.compareTo(BigDecimal.ONE) > 0 && total.stripTrailingZeros().scale() > 0) {
            problem("resources.limits.cpu", "of all containers add up to " + total.toPlainString()
                    + ": above 1 the instance's CPU must be whole");
        }
    }
}
