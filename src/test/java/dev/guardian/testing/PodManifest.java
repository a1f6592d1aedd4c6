package dev.guardian.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * What a deploy manifest (a Kubernetes Deployment or a Cloud Run Service) asks of Guardian's container, read from
 * the YAML: its environment, user, filesystem, volumes, memory limit, probes and termination grace. The container
 * contract suite applies exactly this to the process, so a drift in a manifest changes what the test runs.
 */
public final class PodManifest {
    public enum Platform {
        KUBERNETES, CLOUD_RUN
    }

    /** An environment entry: a literal value, or a secret reference whose value the test supplies. */
    public record EnvVar(String name, String value, String secretRef) {
    }

    /** A writable or read-only path the pod gives the container: an emptyDir or a ConfigMap's files. */
    public record Mount(String path, boolean readOnly, OptionalLong sizeLimitBytes, Map<String, String> files) {
        public boolean emptyDir() {
            return files == null;
        }
    }

    /** An HTTP probe as the platform sends it. */
    public record Probe(String kind, String path, int port, int periodSeconds, int timeoutSeconds,
            int failureThreshold, int initialDelaySeconds) {
        /** How long the platform waits for a first success before it acts. */
        public long windowMillis() {
            return 1000L * (initialDelaySeconds + (long) periodSeconds * failureThreshold);
        }
    }

    private static final String CONTAINER = "guardian";

    private final Path file;
    private final Platform platform;
    private final JsonNode pod;
    private final JsonNode container;
    private final List<JsonNode> documents;

    private PodManifest(Path file, Platform platform, JsonNode pod, JsonNode container, List<JsonNode> documents) {
        this.file = file;
        this.platform = platform;
        this.pod = pod;
        this.container = container;
        this.documents = documents;
    }

    /** Guardian's container in {@code file}: the document whose pod template holds a container named guardian. */
    public static PodManifest read(Path file) {
        List<JsonNode> docs = documents(file);
        for (JsonNode doc : docs) {
            JsonNode pod = doc.path("spec").path("template").path("spec");
            for (JsonNode c : pod.path("containers")) {
                if (CONTAINER.equals(c.path("name").asText())) {
                    Platform platform = doc.path("apiVersion").asText().startsWith("serving.knative.dev/")
                            ? Platform.CLOUD_RUN : Platform.KUBERNETES;
                    return new PodManifest(file, platform, pod, c, docs);
                }
            }
        }
        throw new AssertionError(file + " has no container named " + CONTAINER);
    }

    public static List<JsonNode> documents(Path file) {
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            return it.readAll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() {
        return file;
    }

    public Platform platform() {
        return platform;
    }

    public List<EnvVar> env() {
        List<EnvVar> vars = new ArrayList<>();
        for (JsonNode e : container.path("env")) {
            JsonNode secret = e.path("valueFrom").path("secretKeyRef");
            if (!secret.isMissingNode()) {
                vars.add(new EnvVar(e.path("name").asText(), null,
                        secret.path("name").asText() + "/" + secret.path("key").asText()));
            } else if (e.has("valueFrom")) {
                throw new AssertionError(file + ": " + e.path("name").asText() + " takes its value from "
                        + e.path("valueFrom") + ", which the contract suite does not emulate");
            } else {
                vars.add(new EnvVar(e.path("name").asText(), e.path("value").asText(), null));
            }
        }
        return vars;
    }

    /** A security setting, the container's overriding the pod's (as Kubernetes applies them). */
    private JsonNode security(String field) {
        JsonNode own = container.path("securityContext").path(field);
        return own.isMissingNode() ? pod.path("securityContext").path(field) : own;
    }

    public OptionalLong runAsUser() {
        JsonNode n = security("runAsUser");
        return n.isMissingNode() ? OptionalLong.empty() : OptionalLong.of(n.asLong());
    }

    public OptionalLong runAsGroup() {
        JsonNode n = security("runAsGroup");
        return n.isMissingNode() ? OptionalLong.empty() : OptionalLong.of(n.asLong());
    }

    public boolean runAsNonRoot() {
        return security("runAsNonRoot").asBoolean(false);
    }

    /**
     * Whether the root filesystem is read-only. Kubernetes: {@code readOnlyRootFilesystem}. Cloud Run has no such
     * setting: its filesystem is writable and in memory; see the suite's comment for how that is run here.
     */
    public boolean readOnlyRootFilesystem() {
        return container.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false);
    }

    /** {@code allowPrivilegeEscalation: false}: the no_new_privs flag. */
    public boolean noNewPrivileges() {
        JsonNode n = container.path("securityContext").path("allowPrivilegeEscalation");
        return !n.isMissingNode() && !n.asBoolean();
    }

    public boolean dropsAllCapabilities() {
        for (JsonNode cap : container.path("securityContext").path("capabilities").path("drop")) {
            if ("ALL".equals(cap.asText())) {
                return true;
            }
        }
        return false;
    }

    /** The container's volume mounts, each resolved against the pod's volumes (and ConfigMaps in the same file). */
    public List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode m : container.path("volumeMounts")) {
            String name = m.path("name").asText();
            JsonNode volume = null;
            for (JsonNode v : pod.path("volumes")) {
                if (name.equals(v.path("name").asText())) {
                    volume = v;
                }
            }
            if (volume == null) {
                throw new AssertionError(file + ": volumeMount " + name + " names no volume of the pod");
            }
            boolean readOnly = m.path("readOnly").asBoolean(false);
            if (volume.has("emptyDir")) {
                String limit = volume.path("emptyDir").path("sizeLimit").asText("");
                mounts.add(new Mount(m.path("mountPath").asText(), readOnly,
                        limit.isEmpty() ? OptionalLong.empty() : OptionalLong.of(bytes(limit)), null));
            } else if (volume.has("configMap")) {
                mounts.add(new Mount(m.path("mountPath").asText(), true, OptionalLong.empty(),
                        configMap(volume.path("configMap").path("name").asText())));
            } else {
                throw new AssertionError(file + ": volume " + name + " is of a kind the contract suite does not "
                        + "emulate: " + volume);
            }
        }
        return mounts;
    }

    private Map<String, String> configMap(String name) {
        for (JsonNode doc : documents) {
            if ("ConfigMap".equals(doc.path("kind").asText()) && name.equals(doc.path("metadata").path("name").asText())) {
                Map<String, String> files = new LinkedHashMap<>();
                doc.path("data").fields().forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText()));
                return files;
            }
        }
        throw new AssertionError(file + ": ConfigMap " + name + " is not in the same file");
    }

    public OptionalLong memoryLimitBytes() {
        String limit = container.path("resources").path("limits").path("memory").asText("");
        return limit.isEmpty() ? OptionalLong.empty() : OptionalLong.of(bytes(limit));
    }

    /** Kubernetes quantities: 128Mi, 1Gi, 100M, 512Ki, or plain bytes. */
    static long bytes(String quantity) {
        String q = quantity.trim();
        String[][] units = { { "Ki", "1024" }, { "Mi", "1048576" }, { "Gi", "1073741824" }, { "k", "1000" },
                { "M", "1000000" }, { "G", "1000000000" } };
        for (String[] u : units) {
            if (q.endsWith(u[0])) {
                return Math.round(Double.parseDouble(q.substring(0, q.length() - u[0].length())) * Long.parseLong(u[1]));
            }
        }
        return Long.parseLong(q);
    }

    /** A port by number or by the name the container's ports give it. */
    private int port(JsonNode port) {
        if (port.isNumber() || port.asText().matches("\\d+")) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (port.asText().equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError(file + ": probe port " + port.asText() + " is not a port of the container");
    }

    /** A containerPort by name. */
    public Optional<Integer> namedPort(String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return Optional.of(p.path("containerPort").asInt());
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code $PORT} the platform sets in Guardian's container: Cloud Run sets it in the ingress container (the
     * one with ports, Guardian in edge mode) to its containerPort; Kubernetes sets none.
     */
    public Optional<Integer> platformPort() {
        if (platform != Platform.CLOUD_RUN || container.path("ports").isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(container.at("/ports/0/containerPort").asInt());
    }

    /** {@code startupProbe}, {@code readinessProbe} or {@code livenessProbe}, with the platform's defaults. */
    public Optional<Probe> probe(String kind) {
        JsonNode p = container.path(kind);
        if (p.isMissingNode()) {
            return Optional.empty();
        }
        JsonNode http = p.path("httpGet");
        if (http.isMissingNode()) {
            throw new AssertionError(file + ": Guardian's " + kind + " is not an HTTP probe: " + p);
        }
        return Optional.of(new Probe(kind, http.path("path").asText(), port(http.path("port")),
                p.path("periodSeconds").asInt(10), p.path("timeoutSeconds").asInt(1),
                p.path("failureThreshold").asInt(3), p.path("initialDelaySeconds").asInt(0)));
    }

    /** The probes the manifest gives Guardian, in the order the platform starts them. */
    public List<Probe> probes() {
        List<Probe> all = new ArrayList<>();
        for (String kind : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            probe(kind).ifPresent(all::add);
        }
        return all;
    }

    /**
     * Seconds from SIGTERM to SIGKILL: Cloud Run's fixed 10 s, or the pod's terminationGracePeriodSeconds
     * (Kubernetes' default 30 s).
     */
    public int terminationGraceSeconds() {
        return platform == Platform.CLOUD_RUN ? 10 : pod.path("terminationGracePeriodSeconds").asInt(30);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
