package dev.guardian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.guardian.adapters.edge.EdgeConfig;
import dev.guardian.balancer.LoadBalancerConfig;
import dev.guardian.checks.CheckProvider;
import dev.guardian.config.GuardianConfig;
import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Schedule;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * The README's configuration tables are generated from the code that reads each setting, and this test keeps them
 * true: every property of every mapping has a row, every row names a real property, defaults come from the mappings.
 * When they differ the test fails and writes the expected section to target/configuration-table.md; run it with
 * {@code -Dguardian.readme.write=true} to rewrite the README's section in place.
 */
class ConfigurationTableTest {
    private static final Path README = Path.of("README.md");
    static final String BEGIN = "<!-- configuration tables: generated from the code by ConfigurationTableTest -->";
    static final String END = "<!-- end of configuration tables -->";

    @Test
    void everyMappedPropertyIsDocumentedAndEveryRowIsReal() {
        Set<String> mapped = new TreeSet<>();
        Map<String, String> defaults = defaults();
        mapped.addAll(defaults.keySet());
        Set<String> documented = new TreeSet<>();
        for (PropertyDoc d : allRows()) {
            documented.add(d.property());
        }
        Set<String> undocumented = new TreeSet<>(mapped);
        undocumented.removeAll(documented);
        Set<String> unmapped = new TreeSet<>(documented);
        unmapped.removeAll(mapped);
        unmapped.removeIf(p -> p.startsWith("quarkus."));
        assertEquals(Set.of(), undocumented, "mapped but without a README row");
        assertEquals(Set.of(), unmapped, "README rows for properties no mapping reads");
    }

    @Test
    void theReadmeShowsTheTables() throws IOException {
        String expected = BEGIN + "\n\n" + tables() + "\n" + END;
        String readme = Files.readString(README);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md lacks the markers " + BEGIN + " ... " + END);
        String actual = readme.substring(begin, end + END.length());
        if (!expected.equals(actual)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/configuration-table.md"), expected + "\n");
            if (Boolean.getBoolean("guardian.readme.write")) {
                Files.writeString(README, readme.substring(0, begin) + expected + readme.substring(end + END.length()));
                return;
            }
        }
        assertEquals(expected, actual, "README's configuration tables differ from the code; the expected section is "
                + "in target/configuration-table.md (or run this test with -Dguardian.readme.write=true)");
    }

    private static List<PropertyDoc> allRows() {
        List<PropertyDoc> rows = new ArrayList<>(GuardianConfig.DOCS);
        rows.addAll(GuardianConfig.PLATFORM);
        rows.addAll(LoadBalancerConfig.DOCS);
        rows.addAll(EdgeConfig.DOCS);
        for (String suffix : Schedule.SUFFIXES) {
            for (CheckProvider p : providers()) {
                p.prefixes().stream().filter(x -> x.scheduled())
                        .forEach(x -> rows.add(PropertyDoc.of(x.prefix() + "." + suffix, "")));
            }
        }
        providers().forEach(p -> rows.addAll(p.properties()));
        return rows;
    }

    /** The markdown: Guardian's own settings, the balancer, the shared schedule, then each check kind. */
    static String tables() {
        Map<String, String> defaults = defaults();
        StringBuilder md = new StringBuilder();
        table(md, "Guardian", concat(GuardianConfig.DOCS, GuardianConfig.PLATFORM), defaults);
        table(md, "The load balancer in front of the backend", LoadBalancerConfig.DOCS, defaults);
        Map<String, String> scheduleDefaults = new LinkedHashMap<>();
        walk(Schedule.class, "guardian.<check>", scheduleDefaults);
        String kinds = providers().stream().flatMap(p -> p.prefixes().stream()).filter(x -> x.scheduled())
                .map(x -> "`" + x.prefix().substring("guardian.".length()) + "`").reduce((a, b) -> a + ", " + b)
                .orElse("");
        table(md, "Every check (`<check>` is the kind's prefix: " + kinds + "; for a named check `<kind>.<name>`)",
                Schedule.docs(), scheduleDefaults);
        for (CheckProvider p : providers()) {
            String title = p.prefixes().stream().map(x -> "`" + x.prefix() + ".*`").reduce((a, b) -> a + " and " + b)
                    .orElse("");
            table(md, title, p.properties(), defaults);
        }
        table(md, "Edge mode: `guardian.edge.*`", EdgeConfig.DOCS, defaults);
        return md.toString();
    }

    private static List<PropertyDoc> concat(List<PropertyDoc> a, List<PropertyDoc> b) {
        List<PropertyDoc> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void table(StringBuilder md, String title, List<PropertyDoc> rows, Map<String, String> defaults) {
        md.append("**").append(title).append("**\n\n| property | environment variable | default | meaning |\n")
                .append("|---|---|---|---|\n");
        for (PropertyDoc d : rows) {
            String mapped = defaults.get(d.property());
            String def = d.defaultText() != null ? d.defaultText() : mapped == null ? "(none)" : "`" + mapped + "`";
            String env = d.property().contains("<check>") ? "`GUARDIAN_<CHECK>_"
                    + d.property().substring("guardian.<check>.".length()).toUpperCase().replace('-', '_') + "`"
                    : "`" + d.env() + "`";
            md.append("| `").append(d.property()).append("` | ").append(env).append(" | ").append(def).append(" | ")
                    .append(d.meaning()).append(" |\n");
        }
        md.append('\n');
    }

    private static List<CheckProvider> providers() {
        return InMemoryGuardian.providers(InMemoryGuardian.config(Map.of()));
    }

    /** Every property every mapping reads (named instances in their unnamed form), with its @WithDefault or null. */
    static Map<String, String> defaults() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Class<?> mapping : InMemoryGuardian.classes(c -> c.isAnnotationPresent(ConfigMapping.class))) {
            walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), out);
        }
        return out;
    }

    private static void walk(Class<?> group, String prefix, Map<String, String> out) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String property = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = method.getReturnType();
            String here = method.isAnnotationPresent(WithParentName.class) ? prefix : property;
            if (type == Map.class) {
                // Map<String, Instance> with an unnamed key: the instance's properties under the prefix itself.
                Class<?> value = (Class<?>) ((ParameterizedType) method.getGenericReturnType()).getActualTypeArguments()[1];
                walk(value, here, out);
            } else if (type.isInterface() && !type.getName().startsWith("java.")) {
                walk(type, here, out);
            } else {
                WithDefault d = method.getAnnotation(WithDefault.class);
                out.put(property, d == null ? null : d.value());
            }
        }
    }
}
