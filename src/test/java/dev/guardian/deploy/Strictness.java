package dev.guardian.deploy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes a published schema reject unknown fields, as the API server (and {@code kubeconform -strict}) does: every
 * object schema that lists its properties gets {@code additionalProperties: false}, unless it declares
 * {@code x-kubernetes-preserve-unknown-fields}, where unknown fields are legal and any {@code false} is removed.
 */
final class Strictness {
    private static final String PRESERVE = "x-kubernetes-preserve-unknown-fields";
    private static final List<String> SUBSCHEMA_LISTS = List.of("allOf", "anyOf", "oneOf");

    private Strictness() {
    }

    static void apply(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        if (node.path(PRESERVE).asBoolean(false)) {
            if (node.path("additionalProperties").isBoolean()) {
                node.remove("additionalProperties");
            }
        } else if (node.has("properties") && !node.has("additionalProperties")) {
            node.set("additionalProperties", BooleanNode.FALSE);
        }
        node.path("properties").forEach(Strictness::apply);
        apply(node.get("items"));
        apply(node.get("additionalProperties"));
        for (String list : SUBSCHEMA_LISTS) {
            node.path(list).forEach(Strictness::apply);
        }
    }

    /**
     * The Kubernetes definitions type IntOrString and Quantity as strings, but the API server's JSON decoding
     * accepts numbers for both ({@code port: 8090}, {@code cpu: 1}); kubeconform's schemas make the same change.
     */
    static void relaxKubernetesScalars(ObjectNode definitions) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        Map<String, String> numberTypes = Map.of(
                "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "integer",
                "io.k8s.apimachinery.pkg.api.resource.Quantity", "number");
        numberTypes.forEach((name, numberType) -> {
            ObjectNode relaxed = json.objectNode();
            relaxed.putArray("anyOf").add(json.objectNode().put("type", "string"))
                    .add(json.objectNode().put("type", numberType));
            definitions.set(name, relaxed);
        });
    }
}
