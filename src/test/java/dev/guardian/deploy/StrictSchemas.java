package dev.guardian.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The published schemas, made strict ({@link Strictness}), by apiVersion and kind: Kubernetes built-ins from the
 * OpenAPI v2 definitions (found by their {@code x-kubernetes-group-version-kind}), custom resources from their CRD
 * schemas. A custom resource's {@code metadata} (typed only as "object" in a CRD) is checked against the strict
 * Kubernetes ObjectMeta, and so is a Knative revision template's metadata.
 */
final class StrictSchemas {
    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private static final Map<String, String> CUSTOM_RESOURCES = Map.of(
            "serving.knative.dev/v1 Service", "service_v1.json",
            "monitoring.coreos.com/v1 PodMonitor", "podmonitor_v1.json",
            "monitoring.coreos.com/v1 PrometheusRule", "prometheusrule_v1.json",
            "monitoring.googleapis.com/v1 PodMonitoring", "podmonitoring_v1.json",
            "monitoring.googleapis.com/v1 Rules", "gmp_rules_v1.json");

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();
    private final JsonSchemaFactory factory;
    private final ObjectNode kubernetesDefinitions;
    private final Map<String, String> definitionByKind = new HashMap<>();
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    StrictSchemas(Path dir) throws IOException {
        this.dir = dir;
        // x-kubernetes-* keywords carry no validation here; declaring them keeps the validator from warning.
        JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                .unknownKeywordFactory((keyword, context) -> new NonValidationKeyword(keyword)).build();
        factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, b -> b.metaSchema(draft4));
        JsonNode openApi = json.readTree(dir.resolve(SchemaDirectory.MARKER).toFile());
        kubernetesDefinitions = (ObjectNode) openApi.get("definitions");
        Strictness.relaxKubernetesScalars(kubernetesDefinitions);
        kubernetesDefinitions.forEach(Strictness::apply);
        kubernetesDefinitions.fields().forEachRemaining(definition -> {
            for (JsonNode gvk : definition.getValue().path("x-kubernetes-group-version-kind")) {
                String group = gvk.path("group").asText();
                String apiVersion = group.isEmpty() ? gvk.path("version").asText()
                        : group + "/" + gvk.path("version").asText();
                definitionByKind.put(apiVersion + " " + gvk.path("kind").asText(), definition.getKey());
            }
        });
    }

    /** Every problem in the document, each naming the field (as a JSON path) and what is wrong with it. */
    List<String> validate(JsonNode document) throws IOException {
        String kind = document.path("apiVersion").asText() + " " + document.path("kind").asText();
        List<String> problems = new ArrayList<>();
        if (definitionByKind.containsKey(kind)) {
            problems.addAll(messages(kubernetes(definitionByKind.get(kind)), document, ""));
        } else if (CUSTOM_RESOURCES.containsKey(kind)) {
            problems.addAll(messages(customResource(kind), document, ""));
            problems.addAll(messages(kubernetes(OBJECT_META), document.path("metadata"), "metadata"));
            JsonNode template = document.path("spec").path("template").path("metadata");
            if (kind.startsWith("serving.knative.dev/") && !template.isMissingNode()) {
                problems.addAll(messages(kubernetes(OBJECT_META), template, "spec.template.metadata"));
            }
        } else {
            problems.add("no published schema for apiVersion/kind \"" + kind + "\"; known: "
                    + definitionByKind.size() + " Kubernetes kinds and " + CUSTOM_RESOURCES.keySet());
        }
        return problems;
    }

    private static List<String> messages(JsonSchema schema, JsonNode node, String prefix) {
        return schema.validate(node).stream().map(ValidationMessage::getMessage)
                .map(m -> prefix.isEmpty() ? m : m.replaceFirst("^\\$", "\\$." + prefix))
                .sorted().collect(Collectors.toList());
    }

    private JsonSchema kubernetes(String definition) {
        return schemas.computeIfAbsent(definition, name -> {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("$ref", "#/definitions/" + name);
            root.set("definitions", kubernetesDefinitions);
            return factory.getSchema(root);
        });
    }

    private JsonSchema customResource(String kind) throws IOException {
        JsonSchema cached = schemas.get(kind);
        if (cached == null) {
            JsonNode schema = json.readTree(dir.resolve(CUSTOM_RESOURCES.get(kind)).toFile());
            Strictness.apply(schema);
            cached = factory.getSchema(schema);
            schemas.put(kind, cached);
        }
        return cached;
    }
}
