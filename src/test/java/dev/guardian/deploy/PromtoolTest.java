package dev.guardian.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.guardian.engine.State;

/**
 * The alert rules through Prometheus' own tool: {@code promtool check rules} on the rules the PrometheusRule and
 * the GMP Rules carry, {@code promtool test rules} on the unit tests beside them (each alert fires on a
 * real-looking series and stays silent on a healthy one), and every dashboard query through the PromQL parser,
 * the state panel's codes included. Fails, never skips, when promtool is missing.
 */
class PromtoolTest {
    private static final Path OBSERVABILITY = DeployDocuments.DEPLOY.resolve("observability");
    private static final Path WORK = Path.of("target", "promtool");
    private static final String RULES_FILE = "guardian.rules.yaml";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static String promtool;

    @BeforeAll
    static void findPromtool() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                promtool = candidate.toString();
                break;
            }
        }
        assertTrue(promtool != null, "promtool is not on PATH: install it with Debian's package prometheus "
                + "(apt-get install prometheus); the alert rules cannot be checked without it");
        Files.createDirectories(WORK);
    }

    private static JsonNode spec(String file) throws IOException {
        return YAML.readTree(OBSERVABILITY.resolve(file).toFile()).path("spec");
    }

    private record Result(int exit, String output) {
    }

    private static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool did not finish within 120 s: " + command);
        String output = new String(p.getInputStream().readAllBytes());
        System.out.println("$ promtool " + String.join(" ", args) + " (exit " + p.exitValue() + ")\n" + output);
        return new Result(p.exitValue(), output);
    }

    /** A directory holding the given rules as a plain rules file and a copy of the unit tests. */
    private static Path workspace(String name, JsonNode rules) throws IOException {
        Path dir = Files.createDirectories(WORK.resolve(name));
        YAML.writeValue(dir.resolve(RULES_FILE).toFile(), rules);
        Files.copy(OBSERVABILITY.resolve("prometheus-rules.test.yaml"), dir.resolve("prometheus-rules.test.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    @Test
    void theRulesOfBothRuleObjectsPassPromtoolCheck() throws Exception {
        for (String file : List.of("prometheus-rules.yaml", "gmp-rules.yaml")) {
            Path dir = workspace(file.replace(".yaml", ""), spec(file));
            Result check = promtool(dir, "check", "rules", RULES_FILE);
            assertEquals(0, check.exit(), file + ": " + check.output());
            assertTrue(check.output().contains("SUCCESS"), check.output());
        }
    }

    @Test
    void everyAlertFiresOnItsSituationAndStaysSilentWhenHealthy() throws Exception {
        Result test = promtool(workspace("unit", spec("prometheus-rules.yaml")), "test", "rules",
                "prometheus-rules.test.yaml");
        assertEquals(0, test.exit(), test.output());
    }

    @Test
    void theUnitTestsCatchARuleThatLostItsForOrItsThreshold() throws Exception {
        ObjectNode noFor = spec("prometheus-rules.yaml").deepCopy();
        ((ObjectNode) Breakage.firstRule(wrap(noFor), "GuardianMissedPongs")).remove("for");
        Result test = promtool(workspace("no-for", noFor), "test", "rules", "prometheus-rules.test.yaml");
        assertNotEquals(0, test.exit(), "a missed-pongs alert without `for` must fail its unit test");
        assertTrue(test.output().contains("GuardianMissedPongs"), test.output());

        ObjectNode blind = spec("prometheus-rules.yaml").deepCopy();
        Breakage.firstRule(wrap(blind), "GuardianStartupFailed")
                .put("expr", "max by (namespace, pod) (guardian_state{state=\"FAILD\"}) == 1");
        test = promtool(workspace("blind", blind), "test", "rules", "prometheus-rules.test.yaml");
        assertNotEquals(0, test.exit(), "a startup alert on a misspelled state must fail its unit test");
        assertTrue(test.output().contains("GuardianStartupFailed"), test.output());
    }

    @Test
    void theUnitTestsCatchAnEdgeAlertThatIgnoresReadinessOrFiresInSidecarMode() throws Exception {
        ObjectNode anyState = spec("prometheus-rules.yaml").deepCopy();
        ObjectNode unreachable = Breakage.firstRule(wrap(anyState), "GuardianEdgeBackendUnreachable");
        unreachable.put("expr", unreachable.path("expr").asText().replaceAll("(?s)\\s*and on \\(namespace, pod\\).*", ""));
        Result test = promtool(workspace("edge-any-state", anyState), "test", "rules", "prometheus-rules.test.yaml");
        assertNotEquals(0, test.exit(), "a backend-unreachable alert that ignores READY must fail its unit test");
        assertTrue(test.output().contains("GuardianEdgeBackendUnreachable"), test.output());

        ObjectNode sidecar = spec("prometheus-rules.yaml").deepCopy();
        ObjectNode capacity = Breakage.firstRule(wrap(sidecar), "GuardianEdgeAtCapacity");
        capacity.put("expr", "absent(guardian_edge_connections) or " + capacity.path("expr").asText());
        test = promtool(workspace("edge-in-sidecar-mode", sidecar), "test", "rules", "prometheus-rules.test.yaml");
        assertNotEquals(0, test.exit(), "an edge alert that fires without edge series must fail its unit test");
        assertTrue(test.output().contains("GuardianEdgeAtCapacity"), test.output());
    }

    @Test
    void promtoolCheckRefusesABrokenExpression() throws Exception {
        ObjectNode broken = spec("prometheus-rules.yaml").deepCopy();
        Breakage.firstRule(wrap(broken), "GuardianNotReady").put("expr", "max by (namespace, pod (guardian_state)");
        Result check = promtool(workspace("broken", broken), "check", "rules", RULES_FILE);
        assertNotEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("parse error"), check.output());
    }

    /** firstRule looks under /spec: give a bare rules file that shape. */
    private static ObjectNode wrap(ObjectNode rules) {
        ObjectNode doc = YAML.createObjectNode();
        doc.set("spec", rules);
        return doc;
    }

    /**
     * Every dashboard query parses as PromQL (Grafana's variables replaced), and the state panel's query gives
     * each state the code that its value mapping names: one pod per state, expected value = that state's code.
     */
    @Test
    void theDashboardQueriesParseAndTheStatePanelCodesEveryState() throws Exception {
        JsonNode dashboard = ObservabilityRules.readDashboard();
        ObjectNode file = YAML.createObjectNode();
        file.putArray("rule_files");
        file.put("evaluation_interval", "1m");
        ObjectNode test = file.putArray("tests").addObject();
        test.put("interval", "1m");
        var series = test.putArray("input_series");
        var exprTests = test.putArray("promql_expr_test");
        String stateExpr = null;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = concrete(target.path("expr").asText());
                if (expr.contains("guardian_state{")) {
                    stateExpr = expr;
                } else {
                    exprTests.addObject().put("expr", expr).put("eval_time", "5m").putArray("exp_samples");
                }
            }
        }
        assertTrue(stateExpr != null, "no state panel query");
        JsonNode options = dashboard.at("/panels/0/fieldConfig/defaults/mappings/0/options");
        var expected = exprTests.addObject().put("expr", stateExpr).put("eval_time", "5m").putArray("exp_samples");
        for (State current : State.values()) {
            String pod = "pod-" + current.name().toLowerCase().replace('_', '-');
            for (State state : State.values()) {
                series.addObject().put("series", "guardian_state{state=\"" + state + "\", namespace=\"chat\", pod=\""
                        + pod + "\"}").put("values", (state == current ? "1" : "0") + "x10");
            }
            String code = null;
            for (var it = options.fields(); it.hasNext();) {
                var option = it.next();
                if (option.getValue().path("text").asText().equals(current.name())) {
                    code = option.getKey();
                }
            }
            assertTrue(code != null, "no value mapping names " + current);
            expected.addObject().put("labels", "{namespace=\"chat\", pod=\"" + pod + "\"}").put("value", Integer.parseInt(code));
        }
        Path dir = Files.createDirectories(WORK.resolve("dashboard"));
        YAML.writeValue(dir.resolve("dashboard.test.yaml").toFile(), file);
        Result result = promtool(dir, "test", "rules", "dashboard.test.yaml");
        assertEquals(0, result.exit(), result.output());
    }

    private static String concrete(String grafanaExpr) {
        return grafanaExpr.replace("$namespace", ".*").replace("$pod", ".*").replace("$__rate_interval", "1m");
    }
}
