package dev.guardian.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Small readers for manifest fields that the rule classes share. */
final class Manifest {
    static final String GUARDIAN = "guardian";
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private Manifest() {
    }

    /** The containers of a pod spec (or a Knative revision spec), init containers included. */
    static List<JsonNode> containers(JsonNode podSpec) {
        List<JsonNode> all = new ArrayList<>();
        podSpec.path("containers").forEach(all::add);
        podSpec.path("initContainers").forEach(all::add);
        return all;
    }

    static Optional<JsonNode> container(JsonNode podSpec, String name) {
        return containers(podSpec).stream().filter(c -> name.equals(c.path("name").asText())).findFirst();
    }

    /** The literal value of an environment variable ({@code valueFrom} entries have none). */
    static Optional<String> env(JsonNode container, String name) {
        for (JsonNode env : container.path("env")) {
            if (name.equals(env.path("name").asText()) && env.has("value")) {
                return Optional.of(env.path("value").asText());
            }
        }
        return Optional.empty();
    }

    static Duration envDuration(JsonNode container, String name, String fallback) {
        return duration(env(container, name).orElse(fallback));
    }

    /** Guardian's and Prometheus' duration forms: 250ms, 20s, 1.5s, 2m, 1h, ISO-8601 (PT20S), a bare number of s. */
    static Duration duration(String text) {
        String t = text.trim();
        if (t.matches("\\d+(\\.\\d+)?")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            return Duration.parse(t);
        }
        Matcher m = DURATION.matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            double amount = Double.parseDouble(m.group(1));
            long unitMillis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            total = total.plusMillis(Math.round(amount * unitMillis));
            end = m.end();
        }
        if (end != t.length() || end == 0) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\"");
        }
        return total;
    }

    static int intOr(JsonNode node, int fallback) {
        return node.isMissingNode() || node.isNull() ? fallback : node.asInt();
    }

    /** Startup window of a probe: failureThreshold x periodSeconds, with the platforms' defaults (3, 10). */
    static int windowSeconds(JsonNode probe) {
        return intOr(probe.path("failureThreshold"), 3) * intOr(probe.path("periodSeconds"), 10);
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
