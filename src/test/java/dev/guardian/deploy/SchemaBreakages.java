package dev.guardian.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * Broken copies of one document that its strict schema must refuse: misspelled fields (at the top, in the metadata,
 * in every container or the kind's main list) and a value of the wrong type, each with the word the validation
 * message must name.
 */
final class SchemaBreakages {
    record Broken(String name, ObjectNode node, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    private record WrongType(String parent, String field, JsonNode value) {
    }

    /** Per kind, a value of the wrong type where users really get it wrong (an unquoted YAML true, 15 for 15s). */
    private static final Map<String, Function<ObjectNode, WrongType>> WRONG_TYPES = Map.of(
            "apps/v1 Deployment", d -> new WrongType(containerPointer(d, "guardian") + "/env/0", "value",
                    BooleanNode.TRUE),
            "v1 ConfigMap", d -> new WrongType("/data", "script.json", IntNode.valueOf(1)),
            "v1 Service", d -> new WrongType("/spec/ports/0", "port", TextNode.valueOf("eighty")),
            "serving.knative.dev/v1 Service", d -> new WrongType("/spec/template/metadata/annotations",
                    CloudRunRules.CPU_THROTTLING, BooleanNode.FALSE),
            "monitoring.coreos.com/v1 PodMonitor", d -> new WrongType("/spec/podMetricsEndpoints/0", "interval",
                    IntNode.valueOf(15)),
            "monitoring.googleapis.com/v1 PodMonitoring", d -> new WrongType("/spec/endpoints/0", "interval",
                    IntNode.valueOf(15)),
            "monitoring.coreos.com/v1 PrometheusRule", d -> new WrongType("/spec/groups/0", "interval",
                    IntNode.valueOf(30)),
            "monitoring.googleapis.com/v1 Rules", d -> new WrongType("/spec/groups/0", "interval", IntNode.valueOf(30)));

    /** Per kind, the list whose entries get a misspelled field, beside the containers of any pod template. */
    private static final Map<String, String> MAIN_LIST = Map.of(
            "v1 Service", "/spec/ports",
            "monitoring.coreos.com/v1 PodMonitor", "/spec/podMetricsEndpoints",
            "monitoring.googleapis.com/v1 PodMonitoring", "/spec/endpoints",
            "monitoring.coreos.com/v1 PrometheusRule", "/spec/groups/0/rules",
            "monitoring.googleapis.com/v1 Rules", "/spec/groups/0/rules");

    private SchemaBreakages() {
    }

    static String kindOf(Document doc) {
        return doc.node().path("apiVersion").asText() + " " + doc.kind();
    }

    static boolean hasWrongType(Document doc) {
        return WRONG_TYPES.containsKey(kindOf(doc));
    }

    static List<Broken> misspelled(Document doc) {
        List<Broken> broken = new ArrayList<>();
        String top = doc.node().has("spec") ? "spec" : "data";
        ObjectNode copy = doc.node().deepCopy();
        copy.set(typo(top), copy.get(top).deepCopy());
        broken.add(new Broken("a misspelled top-level field", copy, typo(top)));
        copy = doc.node().deepCopy();
        ((ObjectNode) copy.path("metadata")).put("lables", "app=chat");
        broken.add(new Broken("a misspelled metadata field", copy, "lables"));
        if (doc.node().at("/spec/template/metadata").isObject()) {
            // A misspelled annotations block on a Cloud Run revision silently drops every setting in it.
            copy = doc.node().deepCopy();
            ObjectNode template = (ObjectNode) copy.at("/spec/template/metadata");
            template.set("anotations", template.path("annotations").deepCopy());
            broken.add(new Broken("a misspelled field in the template's metadata", copy, "anotations"));
        }
        JsonNode containers = doc.node().at("/spec/template/spec/containers");
        for (int i = 0; i < containers.size(); i++) {
            copy = doc.node().deepCopy();
            ObjectNode container = (ObjectNode) copy.at("/spec/template/spec/containers/" + i);
            container.putObject("readinesProbe").putObject("httpGet").put("path", "/q/health/ready").put("port", 8090);
            broken.add(new Broken("readinesProbe in container " + container.path("name").asText(), copy,
                    "readinesProbe"));
        }
        String list = MAIN_LIST.get(kindOf(doc));
        if (list != null) {
            copy = doc.node().deepCopy();
            ((ObjectNode) copy.at(list + "/0")).put("intervall", "15s");
            broken.add(new Broken("a misspelled field in " + list + "[0]", copy, "intervall"));
        }
        return broken;
    }

    static Broken wrongType(Document doc) {
        ObjectNode copy = doc.node().deepCopy();
        WrongType wrong = WRONG_TYPES.get(kindOf(doc)).apply(copy);
        ((ObjectNode) copy.at(wrong.parent())).set(wrong.field(), wrong.value());
        return new Broken(wrong.field() + " as " + wrong.value().getNodeType().name().toLowerCase() + " "
                + wrong.value(), copy, wrong.field());
    }

    private static String containerPointer(ObjectNode doc, String name) {
        JsonNode containers = doc.at("/spec/template/spec/containers");
        for (int i = 0; i < containers.size(); i++) {
            if (name.equals(containers.get(i).path("name").asText())) {
                return "/spec/template/spec/containers/" + i;
            }
        }
        throw new AssertionError("no container " + name);
    }

    private static String typo(String field) {
        return field.charAt(1) + field.substring(0, 1) + field.substring(2);
    }
}
