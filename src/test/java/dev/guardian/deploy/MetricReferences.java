package dev.guardian.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics the kit's queries (alerts, panels, variables) name, held against the README's Metrics table. PromQL
 * answers a misspelled metric, label or label value with an empty result, not an error: the alert never fires and
 * the panel shows "no data", so promtool cannot catch it. Every {@code guardian_*} series a query names must be in
 * the table, with labels the table lists and, where it enumerates them, values it lists; and every
 * {@code guardian_edge_*} metric the table lists must be used by some panel or alert, so that what edge mode
 * exports is seen by an SRE.
 */
final class MetricReferences {
    /** A query and where it is, for the problem text. */
    record Query(String where, String expr) {
    }

    private static final Pattern SERIES = Pattern.compile("\\bguardian_\\w+");
    private static final Pattern SELECTOR = Pattern.compile("\\b(guardian_\\w+)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    /** Labels the scrape adds (PodMonitor / PodMonitoring relabelling), on every series. */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "job", "instance");
    static final String EDGE_PREFIX = "guardian_edge_";

    private MetricReferences() {
    }

    static List<String> check(MetricsTable table, List<Query> queries) {
        List<String> problems = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Query q : queries) {
            Matcher series = SERIES.matcher(q.expr());
            while (series.find()) {
                Optional<MetricsTable.Metric> metric = table.ofSeries(series.group());
                if (metric.isEmpty()) {
                    problems.add(q.where() + " uses " + series.group() + ", which is not in the README's Metrics "
                            + "table (a misspelled metric matches nothing: the query stays empty)");
                } else {
                    used.add(metric.get().name());
                }
            }
            Matcher selector = SELECTOR.matcher(q.expr());
            while (selector.find()) {
                table.ofSeries(selector.group(1)).ifPresent(metric -> matchers(q, selector.group(1), metric,
                        selector.group(2), problems));
            }
        }
        for (String name : table.names()) {
            if (name.startsWith(EDGE_PREFIX) && !used.contains(name)) {
                problems.add("README's Metrics table lists " + name + ", but no dashboard panel or alert uses it");
            }
        }
        return problems;
    }

    private static void matchers(Query q, String series, MetricsTable.Metric metric, String matchers,
            List<String> problems) {
        Matcher m = MATCHER.matcher(matchers);
        while (m.find()) {
            String label = m.group(1);
            boolean known = TARGET_LABELS.contains(label) || metric.labels().contains(label)
                    || (label.equals("le") && series.endsWith("_bucket"));
            if (!known) {
                problems.add(q.where() + ": label " + label + " is not one the README lists for " + metric.name()
                        + " " + metric.labels() + " (the selector matches nothing)");
                continue;
            }
            Set<String> values = metric.values().get(label);
            boolean exact = m.group(2).equals("=") || m.group(2).equals("!=");
            if (exact && values != null && !values.contains(m.group(3))) {
                problems.add(q.where() + ": " + label + "=\"" + m.group(3) + "\" is not a value the README lists for "
                        + metric.name() + " " + values);
            }
        }
    }
}
