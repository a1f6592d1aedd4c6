package dev.guardian;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

import dev.guardian.adapters.edge.EdgeConfig;
import dev.guardian.adapters.edge.EdgeSettings;
import dev.guardian.adapters.edge.EdgeSettingsReader;
import dev.guardian.balancer.Balancer;
import dev.guardian.balancer.LoadBalancerConfig;
import dev.guardian.checks.CheckContext;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.config.GuardianConfig;
import dev.guardian.config.Names;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Setting;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Engine;
import dev.guardian.engine.Secrets;
import io.vertx.core.Vertx;

/**
 * What Guardian will run, read from configuration by every check kind and validated as a whole: the checks, the
 * engine's settings, what to do when the budget runs out, and the edge (null when edge mode is off). Every problem,
 * of any kind, is refused at once, in one message, before anything runs.
 */
public record Plan(List<CheckSpec> checks, Engine.Settings engine, boolean exitOnFailure, Balancer balancer,
        EdgeSettings edge) {
    private static final Pattern ALIAS = Pattern.compile("\\$\\{(GUARDIAN_[A-Z0-9_]+)");

    /**
     * @param environment the variables Guardian was started with, checked by name
     * @throws io.quarkus.runtime.configuration.ConfigurationException listing every problem, one per line
     */
    public static Plan read(GuardianConfig config, LoadBalancerConfig balancerConfig, EdgeConfig edgeConfig,
            Collection<CheckProvider> providers, Config mpConfig, Map<String, String> environment, Secrets secrets,
            Vertx vertx) {
        Problems problems = new Problems();
        Names names = names(providers, mpConfig);
        names.refuseUnknown(problems, environment, guardianProperties(mpConfig));
        Double jitter = problems.value("guardian.jitter", config.jitter());
        Duration budget = problems.value("guardian.startup.budget", config.startup().budget());
        Boolean exitOnFailure = problems.value("guardian.startup.exit-on-failure", config.startup().exitOnFailure());
        Boolean failedIsFinal = problems.value("guardian.startup.failed-is-final", config.startup().failedIsFinal());
        Boolean allowNoChecks = problems.value("guardian.allow-no-checks", config.allowNoChecks());
        Balancer balancer = Balancer.of(balancerConfig, problems);
        EdgeSettings edge = EdgeSettingsReader.read(edgeConfig, balancer, takenPorts(mpConfig), problems);
        CheckContext context = new CheckContext(jitter == null ? 0 : jitter, balancer, secrets, names, vertx);
        List<ConfiguredCheck> checks = new ArrayList<>();
        for (CheckProvider provider : providers) {
            checks.addAll(provider.checks(problems, context));
        }
        refuseDuplicateNames(problems, checks);
        if (edge != null) {
            refuseChecksThroughTheEdge(problems, checks, edge);
        }
        if (budget != null) {
            refuseTimeoutsOverBudget(problems, checks, budget);
        }
        if (checks.isEmpty() && problems.isEmpty() && !Boolean.TRUE.equals(allowNoChecks)) {
            problems.refuse("guardian.allow-no-checks", null, "no check is configured (set one of "
                    + String.join(", ", checkSwitches(providers)) + "); set GUARDIAN_ALLOW_NO_CHECKS=true to start "
                    + "anyway, READY at once");
        }
        problems.throwIfAny();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("mode", edge == null ? "sidecar" : "edge");
        facts.putAll(balancer.facts());
        if (edge != null && edge.maxLifetime() != null) {
            facts.put("lb_lifetime_note", balancer.profile().id + " closes every WebSocket after "
                    + Setting.human(edge.maxLifetime()) + "; the edge closes each one first with "
                    + edge.rotationCode() + " inside its rotation window, and clients reconnect");
        }
        providers.forEach(p -> facts.putAll(p.facts()));
        return new Plan(checks.stream().map(ConfiguredCheck::spec).toList(),
                new Engine.Settings(budget, failedIsFinal, facts), exitOnFailure, balancer, edge);
    }

    private static EdgeSettingsReader.TakenPorts takenPorts(Config mpConfig) {
        return new EdgeSettingsReader.TakenPorts(
                mpConfig.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080),
                mpConfig.getOptionalValue("quarkus.management.port", Integer.class).orElse(9000));
    }

    /** The variables that each configure a check, as every kind documents them, in a stable order. */
    private static List<String> checkSwitches(Collection<CheckProvider> providers) {
        return providers.stream().flatMap(p -> p.properties().stream()).filter(PropertyDoc::configuresACheck)
                .map(PropertyDoc::env).sorted().toList();
    }

    /** A check that requests through Guardian's own edge would wait for itself. */
    private static void refuseChecksThroughTheEdge(Problems problems, List<ConfiguredCheck> checks,
            EdgeSettings edge) {
        for (ConfiguredCheck c : checks) {
            String why = EdgeSettingsReader.throughTheEdge(edge, c.requests());
            if (why != null) {
                URI uri = c.requests();
                problems.refuse(c.prefix() + ".url", uri.getScheme() + "://" + uri.getHost()
                        + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/...", why);
            }
        }
    }

    /** Every name Guardian reads: the check kinds' settings, its own, and the variables its properties file reads. */
    private static Names names(Collection<CheckProvider> providers, Config mpConfig) {
        Names names = new Names().read(GuardianConfig.DOCS, List.of()).read(LoadBalancerConfig.DOCS, List.of())
                .read(EdgeConfig.DOCS, List.of());
        providers.forEach(p -> names.read(p.properties(), p.prefixes()));
        for (ConfigSource source : mpConfig.getConfigSources()) {
            if (source.getName().contains("application.properties")) {
                for (String value : source.getProperties().values()) {
                    Matcher m = ALIAS.matcher(value);
                    while (m.find()) {
                        names.alias(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    /** guardian.* properties from every source but the environment, whose variables are checked by their own names. */
    private static Set<String> guardianProperties(Config mpConfig) {
        Set<String> names = new TreeSet<>();
        for (ConfigSource source : mpConfig.getConfigSources()) {
            if (!source.getName().startsWith("EnvConfigSource") && !source.getName().contains("DefaultValues")) {
                source.getPropertyNames().stream().filter(n -> n.startsWith("guardian.")).forEach(names::add);
            }
        }
        return names;
    }

    private static void refuseDuplicateNames(Problems problems, List<ConfiguredCheck> checks) {
        Map<String, String> seen = new HashMap<>();
        for (ConfiguredCheck c : checks) {
            String earlier = seen.putIfAbsent(c.spec().name(), c.prefix());
            if (earlier != null) {
                problems.refuse("two checks are named \"" + c.spec().name() + "\" (" + earlier + ".* and "
                        + c.prefix() + ".*); give each check its own name");
            }
        }
    }

    private static void refuseTimeoutsOverBudget(Problems problems, List<ConfiguredCheck> checks, Duration budget) {
        for (ConfiguredCheck c : checks) {
            Duration timeout = c.spec().timing().timeout();
            if (budget.compareTo(timeout) < 0) {
                String property = c.prefix() + ".timeout";
                problems.refuse("guardian.startup.budget", Setting.human(budget), "is shorter than " + property + " ("
                        + Problems.envName(property) + ") = " + Setting.human(timeout)
                        + "; the budget must be at least as long as every attempt timeout");
            }
        }
    }
}
