package dev.guardian;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.guardian.adapters.edge.EdgeConfig;
import dev.guardian.balancer.LoadBalancerConfig;
import dev.guardian.checks.CheckProvider;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.GuardianConfig;
import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Schedule;

/** Every setting Guardian reads, from the code that reads it: for tests that hold docs and manifests against it. */
public final class Settings {
    private Settings() {
    }

    /** Every documented property: Guardian's own, the balancer's, the edge's and every check kind's. */
    public static List<PropertyDoc> documented() {
        List<PropertyDoc> docs = new ArrayList<>(GuardianConfig.DOCS);
        docs.addAll(GuardianConfig.PLATFORM);
        docs.addAll(LoadBalancerConfig.DOCS);
        docs.addAll(EdgeConfig.DOCS);
        for (CheckProvider p : InMemoryGuardian.providers(InMemoryGuardian.config(Map.of()))) {
            docs.addAll(p.properties());
        }
        return docs;
    }

    /** Every environment variable Guardian reads by name (named instances aside): properties and aliases. */
    public static Set<String> variables() throws IOException {
        Set<String> names = new TreeSet<>();
        documented().forEach(d -> names.add(d.env()));
        for (CheckProvider p : InMemoryGuardian.providers(InMemoryGuardian.config(Map.of()))) {
            for (ConfigPrefix prefix : p.prefixes()) {
                if (prefix.scheduled()) {
                    Schedule.SUFFIXES.forEach(s -> names.add(PropertyDoc.of(prefix.prefix() + "." + s, "").env()));
                }
            }
        }
        names.addAll(aliases());
        return names;
    }

    /** The variables Guardian's properties file reads ({@code ${GUARDIAN_PORT:8090}}). */
    public static Set<String> aliases() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(GUARDIAN_[A-Z0-9_]+)")
                .matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
