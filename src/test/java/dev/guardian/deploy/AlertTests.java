package dev.guardian.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.guardian.deploy.DeployDocuments.Document;

/**
 * What the promtool unit tests must hold for each alert, beyond passing: a test in which it fires (promtool
 * compares the whole list of firing alerts, so the other series of that test are shown silent too), and for an
 * alert on {@code guardian_edge_*} series a test without any such series (sidecar mode exports none) in which it
 * stays silent at or after its {@code for}: silence checked while the alert could only be pending proves nothing.
 */
final class AlertTests {
    static final Path UNIT_TESTS = DeployDocuments.DEPLOY.resolve("observability/prometheus-rules.test.yaml");

    private AlertTests() {
    }

    static JsonNode read() {
        try {
            return new YAMLMapper().readTree(UNIT_TESTS.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + UNIT_TESTS, e);
        }
    }

    static List<String> check(List<Document> ruleDocs, JsonNode unitTests) {
        List<String> problems = new ArrayList<>();
        for (Document doc : ruleDocs) {
            for (JsonNode group : doc.node().path("spec").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        covered(doc, rule, unitTests, problems);
                    }
                }
            }
        }
        return problems;
    }

    private static void covered(Document doc, JsonNode rule, JsonNode unitTests, List<String> problems) {
        String alert = rule.path("alert").asText();
        Duration wait = Manifest.duration(rule.path("for").asText("0s"));
        boolean edge = rule.path("expr").asText().contains(MetricReferences.EDGE_PREFIX);
        boolean fires = false;
        boolean silentInSidecarMode = false;
        for (JsonNode test : unitTests.path("tests")) {
            boolean sidecar = true;
            for (JsonNode series : test.path("input_series")) {
                sidecar &= !series.path("series").asText().startsWith(MetricReferences.EDGE_PREFIX);
            }
            for (JsonNode expectation : test.path("alert_rule_test")) {
                if (!expectation.path("alertname").asText().equals(alert)) {
                    continue;
                }
                boolean silent = expectation.path("exp_alerts").isEmpty();
                fires |= !silent;
                silentInSidecarMode |= silent && sidecar
                        && Manifest.duration(expectation.path("eval_time").asText("0s")).compareTo(wait) >= 0;
            }
        }
        if (!fires) {
            problems.add(doc + ": alert " + alert + " has no unit test in " + UNIT_TESTS + " that expects it to fire");
        }
        if (edge && !silentInSidecarMode) {
            problems.add(doc + ": edge alert " + alert + " has no unit test in " + UNIT_TESTS + " showing it silent "
                    + "in sidecar mode (input series without " + MetricReferences.EDGE_PREFIX + "*, evaluated at or "
                    + "after its for of " + Manifest.human(wait) + ")");
        }
    }
}
