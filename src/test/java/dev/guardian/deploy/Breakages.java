package dev.guardian.deploy;

import static dev.guardian.deploy.Breakage.annotations;
import static dev.guardian.deploy.Breakage.container;
import static dev.guardian.deploy.Breakage.firstRule;
import static dev.guardian.deploy.Breakage.kind;
import static dev.guardian.deploy.Breakage.of;
import static dev.guardian.deploy.Breakage.ofDashboard;
import static dev.guardian.deploy.Breakage.podSpec;
import static dev.guardian.deploy.Breakage.removeEnv;
import static dev.guardian.deploy.Breakage.setEnv;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.guardian.deploy.DeployDocuments.Document;

/** The defects that the project's own rules (beyond the schemas) must catch, one per rule worth trusting. */
final class Breakages {
    private Breakages() {
    }

    static List<Breakage> kubernetes() {
        List<Breakage> all = new ArrayList<>(inBothModes(List.of(
                of("Guardian's startup probe on /q/health/started", kind("Deployment"),
                        d -> ((ObjectNode) container(d, "guardian").at("/startupProbe/httpGet"))
                                .put("path", "/q/health/started"),
                        "startupProbe.httpGet.path must be /q/health/live"),
                of("Guardian keeps its capabilities", kind("Deployment"),
                        d -> ((ObjectNode) container(d, "guardian").path("securityContext")).remove("capabilities"),
                        "container guardian securityContext.capabilities.drop must contain ALL"),
                of("the backend may escalate privileges", kind("Deployment"),
                        d -> ((ObjectNode) container(d, "chat").path("securityContext"))
                                .remove("allowPrivilegeEscalation"),
                        "container chat securityContext.allowPrivilegeEscalation must be false"),
                of("no seccomp profile", kind("Deployment"),
                        d -> ((ObjectNode) podSpec(d).path("securityContext")).remove("seccompProfile"),
                        "securityContext.seccompProfile.type must be RuntimeDefault or Localhost"),
                of("a hostPath volume", kind("Deployment"),
                        d -> ((ArrayNode) podSpec(d).path("volumes")).addObject().put("name", "host")
                                .putObject("hostPath").put("path", "/var/run"),
                        "of type hostPath is not allowed"),
                of("no writable /tmp", kind("Deployment"),
                        d -> ((ArrayNode) container(d, "guardian").path("volumeMounts")).remove(1),
                        "need a writable /tmp"),
                of("an in-memory volume without a size limit", kind("Deployment"),
                        d -> ((ObjectNode) podSpec(d).at("/volumes/1/emptyDir")).remove("sizeLimit"),
                        "is in memory and needs a sizeLimit"),
                of("service links left on", kind("Deployment"), d -> podSpec(d).remove("enableServiceLinks"),
                        "enableServiceLinks must be false"),
                of("FAILED stays final on Kubernetes", kind("Deployment"),
                        d -> removeEnv(container(d, "guardian"), "GUARDIAN_STARTUP_FAILED_IS_FINAL"),
                        "GUARDIAN_STARTUP_FAILED_IS_FINAL must be \"false\""),
                of("the management interface left on loopback", kind("Deployment"),
                        d -> removeEnv(container(d, "guardian"), "GUARDIAN_MANAGEMENT_HOST"),
                        "GUARDIAN_MANAGEMENT_HOST must be 0.0.0.0"),
                of("readiness that waits for three kubelet failures", kind("Deployment"),
                        d -> ((ObjectNode) container(d, "guardian").path("readinessProbe")).put("failureThreshold", 3),
                        "readinessProbe.failureThreshold must be 1"),
                of("Guardian as a native sidecar", kind("Deployment"), d -> {
                    ObjectNode guardian = container(d, "guardian");
                    ArrayNode containers = (ArrayNode) podSpec(d).path("containers");
                    containers.remove(1);
                    podSpec(d).putArray("initContainers").add(guardian.put("restartPolicy", "Always"));
                }, "must be a plain container, not a native sidecar"),
                of("a grace period shorter than Guardian's exit", kind("Deployment"),
                        d -> podSpec(d).put("terminationGracePeriodSeconds", 3),
                        "terminationGracePeriodSeconds 3 is shorter"))));
        all.addAll(List.of(
                of("a PodMonitor without the release label", kind("PodMonitor"),
                        d -> ((ObjectNode) d.path("metadata")).remove("labels"), "metadata.labels.release is missing"),
                of("a PodMonitor scraping the probe port", kind("PodMonitor"),
                        d -> ((ObjectNode) d.at("/spec/podMetricsEndpoints/0")).put("port", "guardian"),
                        "is not Guardian's management port"),
                of("a PodMonitoring scraping /metrics", kind("PodMonitoring"),
                        d -> ((ObjectNode) d.at("/spec/endpoints/0")).put("path", "/metrics"),
                        "must be /q/metrics"),
                of("a PodMonitoring selecting nothing", kind("PodMonitoring"),
                        d -> ((ObjectNode) d.at("/spec/selector/matchLabels")).put("app", "chta"),
                        "selects no pod template"),
                of("a Service whose targetPort names no port", d -> d.kind().equals("Service")
                        && d.node().path("apiVersion").asText().equals("v1"),
                        d -> ((ObjectNode) d.at("/spec/ports/0")).put("targetPort", "htp"),
                        "targetPort htp names no container port")));
        return all;
    }

    static List<Breakage> cloudRun() {
        List<Breakage> all = new ArrayList<>(inBothModes(List.of(
                of("a depended-on container without a startup probe", Breakage.cloudRun(),
                        d -> container(d, "chat").remove("startupProbe"), "container chat needs a startupProbe"),
                of("a startup window over 240 s", Breakage.cloudRun(),
                        d -> ((ObjectNode) container(d, "guardian").path("startupProbe")).put("failureThreshold", 300),
                        "= 300 s exceeds Cloud Run's cap of 240 s"),
                of("a startup window inside the budget", Breakage.cloudRun(),
                        d -> ((ObjectNode) container(d, "guardian").path("startupProbe")).put("failureThreshold", 15),
                        "= 15 s must be above GUARDIAN_STARTUP_BUDGET (20 s)"),
                of("a budget longer than the window", Breakage.cloudRun(),
                        d -> setEnv(container(d, "guardian"), "GUARDIAN_STARTUP_BUDGET", "30s"),
                        "must be above GUARDIAN_STARTUP_BUDGET (30 s)"),
                of("a dependency on a container that does not exist", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.DEPENDENCIES, "{\"guardian\":[\"chatt\"]}"),
                        "names container \"chatt\", which does not exist"),
                of("dependencies that are not JSON", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.DEPENDENCIES, "{guardian: [chat]}"), "is not JSON"),
                of("the backend depending on Guardian", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.DEPENDENCIES, "{\"chat\":[\"guardian\"]}"),
                        "a deadlock"),
                of("CPU throttled outside requests", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.CPU_THROTTLING, "true"), "cpu-throttling must be 'false'"),
                of("no VPC egress", Breakage.cloudRun(), d -> annotations(d).remove(CloudRunRules.NETWORK_INTERFACES),
                        "network-interfaces is missing"),
                of("two network interfaces", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.NETWORK_INTERFACES,
                                "[{\"network\":\"a\"},{\"network\":\"b\"}]"),
                        "exactly one interface"),
                of("an unknown egress setting", Breakage.cloudRun(),
                        d -> annotations(d).put(CloudRunRules.VPC_EGRESS, "private-ranges"),
                        "must be private-ranges-only or all-traffic"),
                of("a revision setting on the Service's metadata", Breakage.cloudRun(), d -> {
                    String value = annotations(d).remove(CloudRunRules.CPU_THROTTLING).asText();
                    ((ObjectNode) d.path("metadata")).putObject("annotations").put(CloudRunRules.CPU_THROTTLING, value);
                }, "is a revision setting"),
                of("Guardian's startup probe without its port", Breakage.cloudRun(),
                        d -> ((ObjectNode) container(d, "guardian").at("/startupProbe/httpGet")).remove("port"),
                        "must name Guardian's port 8090 explicitly"),
                of("Guardian's startup probe on readiness", Breakage.cloudRun(),
                        d -> ((ObjectNode) container(d, "guardian").at("/startupProbe/httpGet"))
                                .put("path", "/q/health/ready"),
                        "must be /q/health/started"),
                of("FAILED not final on Cloud Run", Breakage.cloudRun(),
                        d -> setEnv(container(d, "guardian"), "GUARDIAN_STARTUP_FAILED_IS_FINAL", "false"),
                        "must not be false on Cloud Run"),
                of("half a CPU for Guardian", Breakage.cloudRun(),
                        d -> ((ObjectNode) container(d, "guardian").at("/resources/limits")).put("cpu", "500m"),
                        "add up to 1.5"),
                of("a lifetime cap that is not the request timeout", Breakage.cloudRun(),
                        d -> podSpec(d).put("timeoutSeconds", 300),
                        "must equal the request timeout spec.template.spec.timeoutSeconds (300 s)"))));
        // A sidecar with a port: two ingress containers, and Guardian's probe port where the backend should be.
        all.add(of("Guardian with a port of its own", Breakage.cloudRun(),
                d -> container(d, "guardian").putArray("ports").addObject().put("containerPort", 8090),
                "must have exactly one ingress container").inSidecarMode());
        return all;
    }

    /** Each shared rule broken in the sidecar variant and again in the edge variant of its manifest. */
    private static List<Breakage> inBothModes(List<Breakage> breakages) {
        return breakages.stream().flatMap(b -> Stream.of(b.inSidecarMode(), b.inEdgeMode())).toList();
    }

    /** The edge rules ({@link EdgeRules}, and what CloudRunRules says of an ingress Guardian), one defect each. */
    static List<Breakage> edge() {
        Predicate<Document> run = Breakage.cloudRun().and(Breakage.edge());
        Predicate<Document> deployment = kind("Deployment").and(Breakage.edge());
        return List.of(
                of("Guardian as the ingress without edge mode", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.ENABLED, "false"),
                        "make Guardian the ingress container, but GUARDIAN_EDGE_ENABLED is not \"true\""),
                of("the backend as the ingress in edge mode", run, d -> {
                    ObjectNode guardian = container(d, "guardian");
                    container(d, "chat").set("ports", guardian.remove("ports"));
                }, "Guardian must be the one ingress container (the only one with ports)"),
                of("two ingress containers in edge mode", run,
                        d -> container(d, "chat").putArray("ports").addObject().put("containerPort", 8081),
                        "must have exactly one ingress container"),
                of("an edge port that is not the ingress port", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.EDGE_PORT, "8085"),
                        "is not the ingress port 8080, where Cloud Run sends traffic"),
                of("an edge backend off loopback", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.BACKEND_URL, "http://10.0.0.7:8081"),
                        "must be on loopback (127.0.0.1)"),
                of("an edge backend on a port nothing listens on", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.BACKEND_URL, "http://127.0.0.1:8082"),
                        "8082 is no port a backend container listens on"),
                of("an edge backend on a port nothing listens on (Kubernetes)", deployment,
                        d -> setEnv(container(d, "guardian"), EdgeRules.BACKEND_URL, "http://127.0.0.1:8082"),
                        "8082 is no port a backend container listens on"),
                of("an edge that sends traffic to itself", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.BACKEND_URL, "http://127.0.0.1:8080"),
                        "is the edge's own port 8080"),
                of("an edge without its backend", deployment,
                        d -> removeEnv(container(d, "guardian"), EdgeRules.BACKEND_URL),
                        "GUARDIAN_EDGE_BACKEND_URL is missing"),
                of("the gate through the edge", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.GATE_URL, "ws://127.0.0.1:8080/ws"),
                        "targets the edge's port 8080"),
                of("the gate through the edge (Kubernetes)", deployment,
                        d -> setEnv(container(d, "guardian"), EdgeRules.GATE_URL, "ws://localhost:8080/ws"),
                        "so Guardian would wait for itself"),
                of("Guardian's startup probe on the edge port", run,
                        d -> ((ObjectNode) container(d, "guardian").at("/startupProbe/httpGet")).put("port", 8080),
                        "must name Guardian's port 8090 explicitly"),
                of("Guardian not depending on the backend", run,
                        d -> annotations(d).put(CloudRunRules.DEPENDENCIES, "{\"guardian\":[]}"),
                        "must make guardian depend on chat, the container behind GUARDIAN_EDGE_BACKEND_URL"),
                of("a drain past Cloud Run's SIGKILL", run,
                        d -> setEnv(container(d, "guardian"), EdgeRules.DRAIN_WINDOW, "7s"),
                        "(7 s) + 2500 ms for the last close handshakes = 9500 ms must be at most 9 s"),
                of("a Service that bypasses the edge", deployment, d -> {
                    ((ObjectNode) container(d, "guardian").at("/ports/0")).put("name", "edge");
                    ((ObjectNode) container(d, "chat").at("/ports/0")).put("name", "http");
                }, "targetPort http reaches container chat port 8081"),
                of("an edge port no Service can name", deployment,
                        d -> setEnv(container(d, "guardian"), EdgeRules.EDGE_PORT, "8085"),
                        "(8085) is none of Guardian's container ports"),
                of("a grace period that cuts the edge's drain", deployment,
                        d -> podSpec(d).put("terminationGracePeriodSeconds", 9),
                        "9 must exceed the edge's drain"),
                of("a backend that stops with the edge", deployment,
                        d -> container(d, "chat").remove("lifecycle"),
                        "container chat lifecycle.preStop.sleep.seconds must be at least 8"));
    }

    static List<Breakage> observability() {
        return List.of(
                of("an alert without a runbook", kind("PrometheusRule"),
                        d -> ((ObjectNode) firstRule(d, "GuardianCheckDown").path("annotations")).remove("runbook_url"),
                        "alert GuardianCheckDown needs annotations.runbook_url"),
                of("an alert without a severity", kind("Rules"),
                        d -> firstRule(d, "GuardianNotReady").remove("labels"),
                        "alert GuardianNotReady needs labels.severity"),
                of("GKE's rules drifting from the Prometheus Operator's", kind("Rules"),
                        d -> firstRule(d, "GuardianFlapping").put("expr", "1"), "spec.groups differ"),
                of("a STARTING alert that fires inside the budget", kind("PrometheusRule"),
                        d -> firstRule(d, "GuardianStartingTooLong").put("for", "20s"),
                        "for 20 s must exceed the Kubernetes GUARDIAN_STARTUP_BUDGET (30 s)"),
                ofDashboard("a dashboard without the pod variable", d -> {
                    ArrayNode list = (ArrayNode) d.at("/templating/list");
                    list.remove(2);
                }, "needs a query variable \"pod\""),
                ofDashboard("a state panel that cannot name DRAINING", d -> {
                    ObjectNode options = (ObjectNode) d.at("/panels/0/fieldConfig/defaults/mappings/0/options");
                    options.remove("5");
                }, "does not show state DRAINING by name"),
                ofDashboard("RTT read from the old summary", d -> {
                    ObjectNode target = (ObjectNode) d.at("/panels/4/targets/0");
                    target.put("expr", "max by (quantile) (guardian_heartbeat_rtt_seconds{quantile=\"0.99\", "
                            + "namespace=~\"$namespace\", pod=~\"$pod\"})");
                }, "must compute RTT quantiles from the histogram"),
                ofDashboard("a panel that ignores the variables", d -> {
                    ObjectNode target = (ObjectNode) d.at("/panels/7/targets/0");
                    target.put("expr", "max by (pod) (guardian_startup_duration_seconds)");
                }, "does not filter by $namespace and $pod"),
                ofDashboard("connection lifetime read from its maximum",
                        d -> firstTarget(d, "Connection lifetime").put("expr", "max by (pod) "
                                + "(guardian_edge_connection_duration_seconds_max{namespace=~\"$namespace\", pod=~\"$pod\"})"),
                        "must compute connection lifetime quantiles from the histogram"),
                ofDashboard("a dashboard without the connection lifetime", d -> {
                    ArrayNode panels = (ArrayNode) d.path("panels");
                    panels.remove(indexOf(panels, "Connection lifetime"));
                }, "needs a connection lifetime panel (quantiles from guardian_edge_connection_duration_seconds_bucket)"),
                ofDashboard("an edge metric no panel shows", d -> {
                    ArrayNode panels = (ArrayNode) d.path("panels");
                    panels.remove(indexOf(panels, "Payload bytes per second by direction"));
                }, "lists guardian_edge_bytes_total, but no dashboard panel or alert uses it"),
                ofDashboard("a panel filtering on a label the metric does not have",
                        d -> firstTarget(d, "Messages per second by direction").put("expr", "sum (rate("
                                + "guardian_edge_messages_total{dir=\"to_client\", namespace=~\"$namespace\", "
                                + "pod=~\"$pod\"}[$__rate_interval]))"),
                        "label dir is not one the README lists for guardian_edge_messages_total"),
                of("an alert on a misspelled metric", kind("PrometheusRule"), d -> {
                    ObjectNode rule = firstRule(d, "GuardianEdgeMissedPongs");
                    rule.put("expr", rule.path("expr").asText().replace("guardian_edge_closes_total",
                            "guardian_edge_close_total"));
                }, "uses guardian_edge_close_total, which is not in the README's Metrics table"),
                of("an alert on a reason the edge never gives", kind("Rules"), d -> {
                    ObjectNode rule = firstRule(d, "GuardianEdgeAtCapacity");
                    rule.put("expr", rule.path("expr").asText().replace("reason=\"capacity\"",
                            "reason=\"at_capacity\""));
                }, "reason=\"at_capacity\" is not a value the README lists for guardian_edge_upgrades_refused_total"),
                of("an alert without a unit test", kind("PrometheusRule"),
                        d -> ((ArrayNode) d.at("/spec/groups/0/rules"))
                                .add(firstRule(d, "GuardianNotReady").deepCopy().put("alert", "GuardianNotReadyLong")),
                        "alert GuardianNotReadyLong has no unit test in"),
                of("an edge alert shown silent in sidecar mode only before it could fire", kind("PrometheusRule"),
                        d -> firstRule(d, "GuardianEdgeBackendUnreachable").put("for", "1h"),
                        "GuardianEdgeBackendUnreachable has no unit test in " + AlertTests.UNIT_TESTS
                                + " showing it silent in sidecar mode"));
    }

    private static int indexOf(ArrayNode panels, String title) {
        for (int i = 0; i < panels.size(); i++) {
            if (title.equals(panels.get(i).path("title").asText())) {
                return i;
            }
        }
        throw new AssertionError("no dashboard panel \"" + title + "\"");
    }

    private static ObjectNode firstTarget(ObjectNode dashboard, String title) {
        return (ObjectNode) dashboard.path("panels").get(indexOf((ArrayNode) dashboard.path("panels"), title))
                .at("/targets/0");
    }
}
