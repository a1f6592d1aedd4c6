package dev.guardian.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's Metrics table, read as the observability kit's reference: which series Guardian exports, which
 * labels each has and, where the table lists them, which values a label takes. A row names one or more metrics
 * ({@code `guardian_edge_messages_total`, `guardian_edge_bytes_total`}) and the suffixes of a timer or histogram
 * ({@code (histogram: `_bucket{le}`, `_count`, `_sum`)}); its labels cell lists labels, an {@code =} followed by
 * the values of the label before it, and {@code ;} between labels.
 */
final class MetricsTable {
    static final Path README = Path.of("README.md");
    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern LABEL_VALUES = Pattern.compile("`(\\w+)`\\s*=\\s*(.*)");

    /** One metric: its name, the series suffixes it has (empty for a plain metric), its labels and their values. */
    record Metric(String name, Set<String> suffixes, Set<String> labels, Map<String, Set<String>> values) {
    }

    private final Map<String, Metric> metrics;

    private MetricsTable(Map<String, Metric> metrics) {
        this.metrics = metrics;
    }

    static MetricsTable readme() {
        try {
            return parse(Files.readAllLines(README));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + README, e);
        }
    }

    static MetricsTable parse(List<String> lines) {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Metrics");
                continue;
            }
            if (!inSection || !line.startsWith("| `guardian_")) {
                continue;
            }
            String[] cells = line.split("\\|");
            Set<String> names = new LinkedHashSet<>();
            Set<String> suffixes = new LinkedHashSet<>();
            Matcher m = TICKED.matcher(cells[1]);
            while (m.find()) {
                String token = m.group(1).replaceAll("\\{.*", "");
                (token.startsWith("_") ? suffixes : names).add(token);
            }
            Set<String> labels = new LinkedHashSet<>();
            Map<String, Set<String>> values = new LinkedHashMap<>();
            for (String part : cells[2].split(";")) {
                labels(part, labels, values);
            }
            names.forEach(n -> metrics.put(n, new Metric(n, suffixes, labels, values)));
        }
        if (metrics.isEmpty()) {
            throw new AssertionError(README + " has no \"## Metrics\" table naming guardian_* metrics");
        }
        return new MetricsTable(metrics);
    }

    /** {@code `check`, `outcome` = `success`, `failure`}: check any value, outcome one of those listed. */
    private static void labels(String part, Set<String> labels, Map<String, Set<String>> values) {
        Matcher enumerated = LABEL_VALUES.matcher(part);
        String plain = part;
        if (enumerated.find()) {
            plain = part.substring(0, enumerated.start());
            Set<String> listed = new LinkedHashSet<>();
            Matcher v = TICKED.matcher(enumerated.group(2));
            while (v.find()) {
                listed.add(v.group(1));
            }
            labels.add(enumerated.group(1));
            values.put(enumerated.group(1), listed);
        }
        Matcher l = TICKED.matcher(plain);
        while (l.find()) {
            labels.add(l.group(1));
        }
    }

    Set<String> names() {
        return metrics.keySet();
    }

    /** The metric a series belongs to: its own name, or a listed metric plus one of the suffixes the table gives. */
    Optional<Metric> ofSeries(String series) {
        Metric exact = metrics.get(series);
        if (exact != null) {
            return Optional.of(exact);
        }
        return metrics.values().stream()
                .filter(m -> m.suffixes().stream().anyMatch(s -> series.equals(m.name() + s))).findFirst();
    }
}
