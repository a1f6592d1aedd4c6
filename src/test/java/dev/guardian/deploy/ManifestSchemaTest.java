package dev.guardian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * Every YAML document under deploy/ against the real published schemas, strictly (an unknown field is an error,
 * as the API server and {@code kubeconform -strict} treat it), then the platform rules no schema carries
 * (Pod Security restricted, the probe layouts, Cloud Run's sidecar and startup-window rules, edge mode's rules on
 * both platforms, the alerts and the dashboard). Broken copies made here show that each layer can fail and names what is wrong.
 */
class ManifestSchemaTest {
    private static StrictSchemas schemas;
    private static DeployDocuments docs;
    private static JsonNode dashboard;

    @BeforeAll
    static void load() throws IOException {
        schemas = new StrictSchemas(SchemaDirectory.locate());
        docs = DeployDocuments.load();
        dashboard = ObservabilityRules.readDashboard();
    }

    @Test
    void theKitHoldsEveryManifestItsReadmeDescribes() {
        Set<String> kinds = new TreeSet<>();
        docs.all().forEach(d -> kinds.add(SchemaBreakages.kindOf(d)));
        assertEquals(new TreeSet<>(List.of("apps/v1 Deployment", "v1 ConfigMap", "v1 Service",
                "serving.knative.dev/v1 Service", "monitoring.coreos.com/v1 PodMonitor",
                "monitoring.googleapis.com/v1 PodMonitoring", "monitoring.coreos.com/v1 PrometheusRule",
                "monitoring.googleapis.com/v1 Rules")), kinds, "kinds of the documents under deploy/");
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentValidatesStrictlyAgainstItsPublishedSchema() {
        return docs.all().stream().map(doc -> DynamicTest.dynamicTest(doc.toString(),
                () -> assertEquals(List.of(), schemas.validate(doc.node()), doc + " against its schema")));
    }

    @Test
    void kubernetesManifestsFollowPodSecurityRestrictedAndGuardiansProbeLayout() {
        assertEquals(List.of(), KubernetesRules.check(docs));
    }

    @Test
    void theCloudRunServiceFollowsCloudRunsSidecarAndStartupRules() {
        assertEquals(List.of(), CloudRunRules.check(docs));
    }

    /**
     * Edge mode on both platforms: each has an edge variant (a rule that never applies proves nothing), and each
     * follows the edge rules besides its platform's.
     */
    @Test
    void edgeManifestsPutGuardianInFrontOfTheBackendOnEachPlatform() {
        Set<String> platforms = new TreeSet<>();
        EdgeRules.edgeDocuments(docs).forEach(d -> platforms.add(SchemaBreakages.kindOf(d)));
        assertEquals(Set.of("apps/v1 Deployment", "serving.knative.dev/v1 Service"), platforms,
                "documents with Guardian in edge mode");
        assertEquals(List.of(), EdgeRules.check(docs));
    }

    @Test
    void alertsAndDashboardSayWhatHappenedAndWhereToLook() {
        assertEquals(List.of(), ObservabilityRules.check(docs, dashboard));
    }

    @TestFactory
    Stream<DynamicTest> aMisspelledFieldFailsValidationAndIsNamed() {
        return docs.all().stream().flatMap(doc -> SchemaBreakages.misspelled(doc).stream()
                .map(broken -> DynamicTest.dynamicTest(doc + ": " + broken, () -> refused(broken))));
    }

    @TestFactory
    Stream<DynamicTest> aValueOfTheWrongTypeFailsValidationAndIsNamed() {
        return docs.all().stream().map(doc -> DynamicTest.dynamicTest(doc.toString(), () -> {
            assertTrue(SchemaBreakages.hasWrongType(doc), "no wrong-type breakage defined for " + doc
                    + ": add one to SchemaBreakages so that this kind's validation is shown to fail too");
            refused(SchemaBreakages.wrongType(doc));
        }));
    }

    private static void refused(SchemaBreakages.Broken broken) throws IOException {
        List<String> problems = schemas.validate(broken.node());
        assertFalse(problems.isEmpty(), broken + " passed validation");
        assertTrue(problems.stream().anyMatch(p -> p.contains(broken.field())),
                broken + " was refused, but no message names " + broken.field() + ": " + problems);
        System.out.println("refused as expected: " + broken + " -> " + problems);
    }

    @TestFactory
    Stream<DynamicTest> brokenCopiesBreakThePlatformRules() {
        List<Breakage> all = new ArrayList<>(Breakages.kubernetes());
        all.addAll(Breakages.cloudRun());
        all.addAll(Breakages.edge());
        all.addAll(Breakages.observability());
        return all.stream().map(breakage -> DynamicTest.dynamicTest(breakage.name(), () -> {
            DeployDocuments broken = docs;
            JsonNode brokenDashboard = dashboard;
            if (breakage.onDashboard()) {
                ObjectNode copy = dashboard.deepCopy();
                breakage.change().accept(copy);
                brokenDashboard = copy;
            } else {
                Document target = docs.find(breakage.target()).orElseThrow(
                        () -> new AssertionError("no document for " + breakage));
                ObjectNode copy = target.node().deepCopy();
                breakage.change().accept(copy);
                broken = docs.with(target, copy);
            }
            List<String> problems = new ArrayList<>(KubernetesRules.check(broken));
            problems.addAll(CloudRunRules.check(broken));
            problems.addAll(EdgeRules.check(broken));
            problems.addAll(ObservabilityRules.check(broken, brokenDashboard));
            assertTrue(problems.stream().anyMatch(p -> p.contains(breakage.expected())),
                    breakage + ": expected a problem saying \"" + breakage.expected() + "\", got " + problems);
            System.out.println("caught as expected: " + breakage + " -> " + problems);
        }));
    }
}
