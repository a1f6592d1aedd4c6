package dev.guardian.deploy;

import static dev.guardian.deploy.Manifest.GUARDIAN;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * What the Kubernetes schemas cannot say: Pod Security "restricted" on every container, Guardian's probe layout
 * (nothing that restarts the sidecar because a dependency is slow), its writable /tmp, the management port that
 * the PodMonitor and PodMonitoring scrape, and that Services and monitors select pods that exist.
 */
final class KubernetesRules {
    private static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Set<String> POD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");
    static final int PROBE_PORT = 8090;
    static final int MANAGEMENT_PORT = 9000;
    /** quarkus.shutdown.timeout: how long Guardian may take after its drain. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);

    private final List<String> problems = new ArrayList<>();

    static List<String> check(DeployDocuments docs) {
        KubernetesRules rules = new KubernetesRules();
        List<Document> workloads = docs.all().stream().filter(d -> POD_KINDS.contains(d.kind())).toList();
        for (Document workload : workloads) {
            rules.podSecurityRestricted(workload);
            rules.guardianSidecar(workload);
        }
        for (Document monitor : docs.ofKind("PodMonitor")) {
            rules.release(monitor);
            rules.scrapes(monitor, monitor.node().path("spec").path("podMetricsEndpoints"), workloads);
        }
        for (Document monitor : docs.ofKind("PodMonitoring")) {
            rules.scrapes(monitor, monitor.node().path("spec").path("endpoints"), workloads);
        }
        for (Document service : docs.ofKind("Service")) {
            if (service.node().path("apiVersion").asText().equals("v1")) {
                rules.serviceSelects(service, workloads);
            }
        }
        return rules.problems;
    }

    private static JsonNode podSpec(Document workload) {
        return workload.node().path("spec").path("template").path("spec");
    }

    private static JsonNode podLabels(Document workload) {
        return workload.node().path("spec").path("template").path("metadata").path("labels");
    }

    private void problem(Document doc, String where, String what) {
        problems.add(doc + ": " + where + " " + what);
    }

    /** The restricted profile of the Pod Security Standards, for every container, pod-level settings included. */
    private void podSecurityRestricted(Document doc) {
        JsonNode pod = podSpec(doc);
        JsonNode podContext = pod.path("securityContext");
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(host).asBoolean(false)) {
                problem(doc, "spec.template.spec." + host, "must not be true (Pod Security baseline)");
            }
        }
        for (JsonNode volume : pod.path("volumes")) {
            volume.fieldNames().forEachRemaining(type -> {
                if (!type.equals("name") && !RESTRICTED_VOLUMES.contains(type)) {
                    problem(doc, "volume " + volume.path("name").asText(), "of type " + type
                            + " is not allowed by Pod Security restricted (allowed: " + RESTRICTED_VOLUMES + ")");
                }
            });
        }
        for (JsonNode container : Manifest.containers(pod)) {
            String where = "container " + container.path("name").asText() + " securityContext.";
            JsonNode own = container.path("securityContext");
            if (!effective(own, podContext, "runAsNonRoot").asBoolean(false)) {
                problem(doc, where + "runAsNonRoot", "must be true (here or in the pod's securityContext)");
            }
            if (effective(own, podContext, "runAsUser").asInt(-1) == 0) {
                problem(doc, where + "runAsUser", "must not be 0");
            }
            if (!own.path("allowPrivilegeEscalation").isBoolean() || own.path("allowPrivilegeEscalation").asBoolean()) {
                problem(doc, where + "allowPrivilegeEscalation", "must be false");
            }
            if (own.path("privileged").asBoolean(false)) {
                problem(doc, where + "privileged", "must not be true");
            }
            List<String> dropped = new ArrayList<>();
            own.path("capabilities").path("drop").forEach(c -> dropped.add(c.asText()));
            if (!dropped.contains("ALL")) {
                problem(doc, where + "capabilities.drop", "must contain ALL, has " + dropped);
            }
            own.path("capabilities").path("add").forEach(c -> {
                if (!c.asText().equals("NET_BIND_SERVICE")) {
                    problem(doc, where + "capabilities.add", "may only add NET_BIND_SERVICE, adds " + c.asText());
                }
            });
            String seccomp = effective(own, podContext, "seccompProfile").path("type").asText();
            if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
                problem(doc, where + "seccompProfile.type", "must be RuntimeDefault or Localhost (here or in the "
                        + "pod's securityContext), is \"" + seccomp + "\"");
            }
            for (JsonNode port : container.path("ports")) {
                if (port.has("hostPort")) {
                    problem(doc, "container " + container.path("name").asText() + " port", "must not use hostPort");
                }
            }
        }
    }

    private static JsonNode effective(JsonNode container, JsonNode pod, String field) {
        return container.has(field) ? container.path(field) : pod.path(field);
    }

    private void guardianSidecar(Document doc) {
        JsonNode pod = podSpec(doc);
        for (JsonNode init : pod.path("initContainers")) {
            if (GUARDIAN.equals(init.path("name").asText())) {
                problem(doc, "initContainers guardian", "must be a plain container, not a native sidecar: its startup "
                        + "would wait for the backend that it holds back");
            }
        }
        Optional<JsonNode> found = Manifest.container(pod, GUARDIAN);
        if (found.isEmpty()) {
            return;
        }
        JsonNode guardian = found.get();
        if (!pod.path("enableServiceLinks").isBoolean() || pod.path("enableServiceLinks").asBoolean()) {
            problem(doc, "spec.template.spec.enableServiceLinks", "must be false: a Service named guardian would "
                    + "inject GUARDIAN_PORT=tcp://... into the pod");
        }
        securityOfGuardian(doc, pod, guardian);
        portsOfGuardian(doc, guardian);
        probesOfGuardian(doc, guardian);
        if (!"false".equals(Manifest.env(guardian, "GUARDIAN_STARTUP_FAILED_IS_FINAL").orElse(""))) {
            problem(doc, "guardian env GUARDIAN_STARTUP_FAILED_IS_FINAL", "must be \"false\" on Kubernetes: readiness, "
                    + "not a restart, must follow the dependencies after the budget");
        }
        Duration exit = Manifest.envDuration(guardian, "GUARDIAN_SHUTDOWN_DRAIN", "2s").plus(SHUTDOWN_TIMEOUT);
        int grace = Manifest.intOr(pod.path("terminationGracePeriodSeconds"), 30);
        if (grace < exit.toSeconds()) {
            problem(doc, "spec.template.spec.terminationGracePeriodSeconds", grace + " is shorter than Guardian's "
                    + "drain plus shutdown timeout (" + Manifest.human(exit) + ")");
        }
    }

    private void securityOfGuardian(Document doc, JsonNode pod, JsonNode guardian) {
        JsonNode context = guardian.path("securityContext");
        Map<String, Object> required = Map.of("readOnlyRootFilesystem", true, "runAsUser", 1001, "runAsGroup", 1001);
        required.forEach((field, value) -> {
            if (!context.path(field).asText().equals(String.valueOf(value))) {
                problem(doc, "container guardian securityContext." + field, "must be " + value);
            }
        });
        JsonNode tmpMount = null;
        for (JsonNode mount : guardian.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals("/tmp")) {
                tmpMount = mount;
            }
        }
        if (tmpMount == null) {
            problem(doc, "container guardian volumeMounts", "need a writable /tmp (Vert.x's file cache) on a read-only "
                    + "root filesystem");
        } else {
            String volumeName = tmpMount.path("name").asText();
            JsonNode volume = null;
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(volumeName)) {
                    volume = v;
                }
            }
            if (volume == null || !volume.has("emptyDir")) {
                problem(doc, "volume " + volumeName, "mounted at /tmp must be an emptyDir");
            }
        }
        for (JsonNode v : pod.path("volumes")) {
            JsonNode emptyDir = v.path("emptyDir");
            if (emptyDir.path("medium").asText().equals("Memory") && !emptyDir.has("sizeLimit")) {
                problem(doc, "volume " + v.path("name").asText(), "is in memory and needs a sizeLimit");
            }
        }
        if (guardian.path("resources").path("limits").path("memory").isMissingNode()) {
            problem(doc, "container guardian resources.limits.memory", "must be set (the in-memory /tmp counts too)");
        }
    }

    private void portsOfGuardian(Document doc, JsonNode guardian) {
        int probePort = Integer.parseInt(Manifest.env(guardian, "GUARDIAN_PORT").orElse(String.valueOf(PROBE_PORT)));
        int managementPort = Integer.parseInt(Manifest.env(guardian, "GUARDIAN_MANAGEMENT_PORT")
                .orElse(String.valueOf(MANAGEMENT_PORT)));
        if (portNumber(guardian, "management") != managementPort) {
            problem(doc, "container guardian ports", "need one named management with containerPort "
                    + managementPort + " (GUARDIAN_MANAGEMENT_PORT): the monitors scrape it by name");
        }
        boolean probes = false;
        for (JsonNode port : guardian.path("ports")) {
            probes |= port.path("containerPort").asInt() == probePort;
        }
        if (!probes) {
            problem(doc, "container guardian ports", "need containerPort " + probePort + " (GUARDIAN_PORT)");
        }
        if (!"0.0.0.0".equals(Manifest.env(guardian, "GUARDIAN_MANAGEMENT_HOST").orElse("127.0.0.1"))) {
            problem(doc, "container guardian env GUARDIAN_MANAGEMENT_HOST", "must be 0.0.0.0 where Prometheus scrapes "
                    + "the management port (it listens on 127.0.0.1 otherwise)");
        }
    }

    private static int portNumber(JsonNode container, String nameOrNumber) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(nameOrNumber)
                    || port.path("containerPort").asText().equals(nameOrNumber)) {
                return port.path("containerPort").asInt();
            }
        }
        return -1;
    }

    /** Readiness is the gate; startup (if any) and liveness ask only whether Guardian's own process answers. */
    private void probesOfGuardian(Document doc, JsonNode guardian) {
        int probePort = Integer.parseInt(Manifest.env(guardian, "GUARDIAN_PORT").orElse(String.valueOf(PROBE_PORT)));
        Map<String, String> paths = Map.of("startupProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "livenessProbe", "/q/health/live");
        paths.forEach((probe, path) -> {
            JsonNode http = guardian.path(probe).path("httpGet");
            if (guardian.path(probe).isMissingNode()) {
                if (!probe.equals("startupProbe")) {
                    problem(doc, "container guardian " + probe, "is missing");
                }
                return;
            }
            if (!http.path("path").asText().equals(path)) {
                problem(doc, "container guardian " + probe + ".httpGet.path", "must be " + path + ", is \""
                        + http.path("path").asText() + "\"" + (probe.equals("startupProbe")
                        ? ": a startup probe on a dependency turns a slow dependency into sidecar restarts" : ""));
            }
            if (portNumber(guardian, http.path("port").asText()) != probePort) {
                problem(doc, "container guardian " + probe + ".httpGet.port", "must be Guardian's probe port "
                        + probePort + ", is " + http.path("port"));
            }
        });
        JsonNode readiness = guardian.path("readinessProbe");
        Map<String, Integer> gate = Map.of("periodSeconds", 2, "timeoutSeconds", 1, "failureThreshold", 1);
        gate.forEach((field, value) -> {
            if (Manifest.intOr(readiness.path(field), -1) != value) {
                problem(doc, "container guardian readinessProbe." + field, "must be " + value
                        + " (Guardian applies its own thresholds)");
            }
        });
    }

    private void release(Document monitor) {
        if (!monitor.node().path("metadata").path("labels").has("release")) {
            problem(monitor, "metadata.labels.release", "is missing: kube-prometheus-stack selects PodMonitors by it");
        }
    }

    private void scrapes(Document monitor, JsonNode endpoints, List<Document> workloads) {
        JsonNode selector = monitor.node().path("spec").path("selector").path("matchLabels");
        List<Document> selected = workloads.stream().filter(w -> matches(selector, podLabels(w))).toList();
        if (selected.isEmpty()) {
            problem(monitor, "spec.selector", "selects no pod template in deploy/");
        }
        if (endpoints.isEmpty()) {
            problem(monitor, "endpoints", "are missing");
        }
        for (JsonNode endpoint : endpoints) {
            if (!endpoint.path("path").asText().equals("/q/metrics")) {
                problem(monitor, "endpoint path", "must be /q/metrics, is \"" + endpoint.path("path").asText() + "\"");
            }
            String port = endpoint.path("port").asText();
            for (Document workload : selected) {
                JsonNode guardian = Manifest.container(podSpec(workload), GUARDIAN).orElse(null);
                if (guardian == null || portNumber(guardian, port) != MANAGEMENT_PORT) {
                    problem(monitor, "endpoint port " + port, "is not Guardian's management port in " + workload);
                }
            }
        }
    }

    private void serviceSelects(Document service, List<Document> workloads) {
        JsonNode selector = service.node().path("spec").path("selector");
        List<Document> selected = workloads.stream().filter(w -> matches(selector, podLabels(w))).toList();
        if (selected.isEmpty()) {
            problem(service, "spec.selector", "selects no pod template in deploy/");
        }
        for (JsonNode port : service.node().path("spec").path("ports")) {
            String target = port.path("targetPort").asText();
            for (Document workload : selected) {
                boolean exists = Manifest.containers(podSpec(workload)).stream().anyMatch(c -> portNumber(c, target) > 0);
                if (!exists) {
                    problem(service, "targetPort " + target, "names no container port of " + workload);
                }
            }
        }
    }

    /** A Service's (or a selector's) labels all found on these pod labels; an empty selector selects nothing. */
    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector.isEmpty()) {
            return false;
        }
        boolean all = true;
        for (var it = selector.fields(); it.hasNext();) {
            var entry = it.next();
            all &= labels.path(entry.getKey()).asText().equals(entry.getValue().asText());
        }
        return all;
    }
}
