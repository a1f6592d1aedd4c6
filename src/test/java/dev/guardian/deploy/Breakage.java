package dev.guardian.deploy;

import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * One deliberate defect put into a copy of a manifest (or of the dashboard), and the words the validation must
 * answer it with. Used to show that the validation can fail at all.
 */
record Breakage(String name, Predicate<Document> target, Consumer<ObjectNode> change, String expected) {

    static Breakage of(String name, Predicate<Document> target, Consumer<ObjectNode> change, String expected) {
        return new Breakage(name, target, change, expected);
    }

    /** A defect in the dashboard rather than in a YAML document. */
    static Breakage ofDashboard(String name, Consumer<ObjectNode> change, String expected) {
        return new Breakage(name, null, change, expected);
    }

    /** The same defect, put into the sidecar variant of its target (whose Guardian is not in edge mode). */
    Breakage inSidecarMode() {
        return new Breakage(name, target.and(edge().negate()), change, expected);
    }

    /** The same defect, put into the edge variant of its target: the rules must hold there as strictly. */
    Breakage inEdgeMode() {
        return new Breakage(name + " (edge mode)", target.and(edge()), change, expected);
    }

    /** Documents whose Guardian runs in edge mode (GUARDIAN_EDGE_ENABLED=true). */
    static Predicate<Document> edge() {
        return EdgeRules::isEdge;
    }

    boolean onDashboard() {
        return target == null;
    }

    @Override
    public String toString() {
        return name;
    }

    static Predicate<Document> kind(String kind) {
        return d -> d.kind().equals(kind);
    }

    static Predicate<Document> cloudRun() {
        return d -> d.node().path("apiVersion").asText().startsWith("serving.knative.dev/");
    }

    static ObjectNode podSpec(ObjectNode doc) {
        return (ObjectNode) doc.at("/spec/template/spec");
    }

    static ObjectNode container(ObjectNode doc, String name) {
        for (JsonNode c : podSpec(doc).path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return (ObjectNode) c;
            }
        }
        throw new AssertionError("no container " + name + " in " + doc);
    }

    static void removeEnv(ObjectNode container, String name) {
        ArrayNode env = (ArrayNode) container.path("env");
        for (int i = env.size() - 1; i >= 0; i--) {
            if (name.equals(env.get(i).path("name").asText())) {
                env.remove(i);
            }
        }
    }

    static void setEnv(ObjectNode container, String name, String value) {
        removeEnv(container, name);
        ((ArrayNode) container.path("env")).addObject().put("name", name).put("value", value);
    }

    static ObjectNode annotations(ObjectNode doc) {
        return (ObjectNode) doc.at("/spec/template/metadata/annotations");
    }

    static ObjectNode firstRule(ObjectNode doc, String alert) {
        for (JsonNode rule : doc.at("/spec/groups/0/rules")) {
            if (alert.equals(rule.path("alert").asText())) {
                return (ObjectNode) rule;
            }
        }
        throw new AssertionError("no alert " + alert);
    }
}
