package dev.guardian.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.guardian.deploy.DeployDocuments.Document;
import dev.guardian.engine.State;

/**
 * The alert rules and the dashboard beyond their schemas: every alert says how bad it is, what happened and where
 * the runbook is; the Prometheus Operator and GKE Managed Prometheus copies of the rules are the same; the
 * STARTING alert waits longer than the Kubernetes startup budget; the dashboard filters by namespace and pod, reads
 * quantiles from the histograms, and its state panel names every state Guardian has; every metric the kit names is
 * in the README's Metrics table and every edge metric there is seen ({@link MetricReferences}); every alert has its
 * unit tests ({@link AlertTests}).
 */
final class ObservabilityRules {
    static final Path DASHBOARD = DeployDocuments.DEPLOY.resolve("observability/grafana-dashboard.json");
    static final String RUNBOOK = "https://github.com/OWNER/guardian/blob/main/README.md#";
    static final String STARTING_ALERT = "GuardianStartingTooLong";
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final Pattern CODE_TERM = Pattern.compile("state=\"([A-Z_]+)\"[^)]*\\)\\s*\\*\\s*(\\d+)");
    /** Histograms the dashboard shows, and what their quantiles are called: read only through histogram_quantile. */
    private static final Map<String, String> HISTOGRAMS = Map.of("guardian_heartbeat_rtt_seconds", "RTT",
            "guardian_edge_connection_duration_seconds", "connection lifetime");

    private final List<String> problems = new ArrayList<>();

    static List<String> check(DeployDocuments docs, JsonNode dashboard) {
        ObservabilityRules rules = new ObservabilityRules();
        List<Document> ruleDocs = new ArrayList<>(docs.ofKind("PrometheusRule"));
        ruleDocs.addAll(docs.ofKind("Rules"));
        ruleDocs.forEach(rules::alerts);
        rules.sameGroups(ruleDocs);
        rules.startingOutlastsBudget(docs, ruleDocs);
        rules.dashboard(dashboard);
        rules.problems.addAll(MetricReferences.check(MetricsTable.readme(), queries(ruleDocs, dashboard)));
        rules.problems.addAll(AlertTests.check(ruleDocs, AlertTests.read()));
        return rules.problems;
    }

    /** Every PromQL query of the kit: the alerts' expressions, the panels' targets and the variables' queries. */
    private static List<MetricReferences.Query> queries(List<Document> ruleDocs, JsonNode dashboard) {
        List<MetricReferences.Query> queries = new ArrayList<>();
        for (Document doc : ruleDocs) {
            for (JsonNode group : doc.node().path("spec").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    queries.add(new MetricReferences.Query(doc + ": alert " + rule.path("alert").asText(),
                            rule.path("expr").asText()));
                }
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            queries.add(new MetricReferences.Query(DASHBOARD + ": variable " + variable.path("name").asText(),
                    variable.path("definition").asText()));
        }
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new MetricReferences.Query(DASHBOARD + ": panel \"" + panel.path("title").asText() + "\"",
                        target.path("expr").asText()));
            }
        }
        return queries;
    }

    static JsonNode readDashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    private void alerts(Document doc) {
        for (JsonNode group : doc.node().path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.has("alert")) {
                    continue;
                }
                String where = doc + ": alert " + rule.path("alert").asText();
                if (!SEVERITIES.contains(rule.path("labels").path("severity").asText())) {
                    problems.add(where + " needs labels.severity, one of " + SEVERITIES);
                }
                if (rule.path("annotations").path("summary").asText().isBlank()) {
                    problems.add(where + " needs annotations.summary");
                }
                if (!rule.path("annotations").path("runbook_url").asText().startsWith(RUNBOOK)) {
                    problems.add(where + " needs annotations.runbook_url into the README (" + RUNBOOK + "...)");
                }
            }
        }
    }

    private void sameGroups(List<Document> ruleDocs) {
        for (Document doc : ruleDocs) {
            JsonNode first = ruleDocs.get(0).node().path("spec").path("groups");
            if (!doc.node().path("spec").path("groups").equals(first)) {
                problems.add(doc + ": spec.groups differ from " + ruleDocs.get(0)
                        + "; the Prometheus Operator and GKE Managed Prometheus copies must stay identical");
            }
        }
    }

    private void startingOutlastsBudget(DeployDocuments docs, List<Document> ruleDocs) {
        Duration budget = docs.ofKind("Deployment").stream()
                .flatMap(d -> Manifest.container(d.node().path("spec").path("template").path("spec"),
                        Manifest.GUARDIAN).stream())
                .map(g -> Manifest.envDuration(g, "GUARDIAN_STARTUP_BUDGET", "20s"))
                .max(Duration::compareTo).orElse(Duration.ofSeconds(20));
        for (Document doc : ruleDocs) {
            boolean found = false;
            for (JsonNode group : doc.node().path("spec").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.path("alert").asText().equals(STARTING_ALERT)) {
                        found = true;
                        Duration wait = Manifest.duration(rule.path("for").asText("0s"));
                        if (wait.compareTo(budget) <= 0) {
                            problems.add(doc + ": alert " + STARTING_ALERT + " for " + Manifest.human(wait)
                                    + " must exceed the Kubernetes GUARDIAN_STARTUP_BUDGET (" + Manifest.human(budget) + ")");
                        }
                    }
                }
            }
            if (!found) {
                problems.add(doc + ": alert " + STARTING_ALERT + " is missing");
            }
        }
    }

    private void dashboard(JsonNode dashboard) {
        Map<String, JsonNode> variables = new HashMap<>();
        dashboard.path("templating").path("list").forEach(v -> variables.put(v.path("name").asText(), v));
        for (String name : List.of("namespace", "pod")) {
            JsonNode variable = variables.get(name);
            if (variable == null || !variable.path("type").asText().equals("query")
                    || !variable.path("definition").asText().contains(", " + name + ")")) {
                problems.add(DASHBOARD + ": needs a query variable \"" + name + "\" (label_values(..., " + name + "))");
            }
        }
        boolean statePanel = false;
        Set<String> histogramsShown = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (expr.contains("guardian_") && !(expr.contains("namespace=~\"$namespace\"")
                        && expr.contains("pod=~\"$pod\""))) {
                    problems.add(DASHBOARD + ": panel \"" + title + "\" query does not filter by $namespace and $pod: "
                            + expr);
                }
                HISTOGRAMS.forEach((histogram, what) -> {
                    if (expr.contains(histogram)) {
                        histogramsShown.add(histogram);
                        if (!expr.contains("histogram_quantile(") || !expr.contains(histogram + "_bucket")
                                || !expr.contains("by (le")) {
                            problems.add(DASHBOARD + ": panel \"" + title + "\" must compute " + what + " quantiles "
                                    + "from the histogram (histogram_quantile over sum by (le) of the _bucket rate): "
                                    + expr);
                        }
                    }
                });
                if (expr.contains("guardian_state{")) {
                    statePanel = true;
                    stateNames(title, expr, panel.path("fieldConfig").path("defaults").path("mappings"));
                }
            }
        }
        if (!statePanel) {
            problems.add(DASHBOARD + ": needs a state panel (guardian_state)");
        }
        HISTOGRAMS.forEach((histogram, what) -> {
            if (!histogramsShown.contains(histogram)) {
                problems.add(DASHBOARD + ": needs a " + what + " panel (quantiles from " + histogram + "_bucket)");
            }
        });
    }

    /** The query gives each state a code; the value mappings must name every state by its code. */
    private void stateNames(String title, String expr, JsonNode mappings) {
        Map<String, String> codeOfState = new HashMap<>();
        Matcher m = CODE_TERM.matcher(expr);
        while (m.find()) {
            codeOfState.put(m.group(1), m.group(2));
        }
        Map<String, String> textOfCode = new HashMap<>();
        for (JsonNode mapping : mappings) {
            mapping.path("options").fields().forEachRemaining(e -> textOfCode.put(e.getKey(), e.getValue()
                    .path("text").asText()));
        }
        for (State state : State.values()) {
            String code = codeOfState.get(state.name());
            if (code == null || !state.name().equals(textOfCode.get(code))) {
                problems.add(DASHBOARD + ": panel \"" + title + "\" does not show state " + state + " by name (its code "
                        + code + " maps to " + (code == null ? null : textOfCode.get(code)) + ")");
            }
        }
    }
}
