package dev.guardian.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Every YAML document under {@code deploy/}, each with the file it came from; promtool's test files apart. */
final class DeployDocuments {
    static final Path DEPLOY = Path.of("deploy");
    /** promtool unit-test files: not Kubernetes objects; `promtool test rules` validates them. */
    static final String PROMTOOL_TEST_SUFFIX = ".test.yaml";

    record Document(Path file, int index, ObjectNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return file + " #" + (index + 1) + " (" + node.path("apiVersion").asText() + " " + kind() + " "
                    + name() + ")";
        }
    }

    private final List<Document> documents;

    private DeployDocuments(List<Document> documents) {
        this.documents = documents;
    }

    static DeployDocuments load() throws IOException {
        List<Document> documents = new ArrayList<>();
        for (Path file : yamlFiles()) {
            if (file.toString().endsWith(PROMTOOL_TEST_SUFFIX)) {
                continue;
            }
            try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
                int index = 0;
                for (JsonNode node : it.readAll()) {
                    if (!(node instanceof ObjectNode object)) {
                        throw new AssertionError(file + " #" + (index + 1) + " is not a YAML mapping: " + node);
                    }
                    documents.add(new Document(file, index++, object));
                }
            }
        }
        return new DeployDocuments(documents);
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
                    .toList();
        }
    }

    List<Document> all() {
        return documents;
    }

    List<Document> ofKind(String kind) {
        return documents.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    Optional<Document> find(Predicate<Document> which) {
        return documents.stream().filter(which).findFirst();
    }

    /** The same documents with one replaced by a changed deep copy: how a broken manifest is made. */
    DeployDocuments with(Document original, ObjectNode changed) {
        return new DeployDocuments(documents.stream()
                .map(d -> d == original ? new Document(d.file(), d.index(), changed) : d).toList());
    }
}
