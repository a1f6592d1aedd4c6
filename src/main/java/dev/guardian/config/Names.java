package dev.guardian.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Configuration that cannot fail open: a misspelled {@code GUARDIAN_*} variable or {@code guardian.*} property is
 * refused with the closest valid name instead of being ignored, a variable set to nothing is refused rather than read
 * as unset, and names of checks are restricted to what an environment variable can spell unambiguously.
 */
public final class Names {
    /** Lower-case letters and digits: an environment variable cannot tell a dash from an underscore. */
    private static final Pattern CHECK_NAME = Pattern.compile("[a-z][a-z0-9]{0,30}");
    /** Kubernetes service links for a Service named guardian (GUARDIAN_SERVICE_HOST, GUARDIAN_PORT_8090_TCP...). */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "GUARDIAN_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)|GUARDIAN_PORT_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?");

    private final Set<String> properties = new LinkedHashSet<>();
    private final List<ConfigPrefix> prefixes = new ArrayList<>();
    private final Set<String> aliases = new LinkedHashSet<>();

    /** Every property of a kind (full names, unnamed form) and the prefixes it reads. */
    public Names read(Collection<PropertyDoc> docs, Collection<ConfigPrefix> kindPrefixes) {
        docs.forEach(d -> properties.add(d.property()));
        for (ConfigPrefix p : kindPrefixes) {
            prefixes.add(p);
            if (p.scheduled()) {
                Schedule.SUFFIXES.forEach(s -> properties.add(p.prefix() + "." + s));
            }
        }
        return this;
    }

    /** Environment variables that Guardian's own properties file reads ({@code ${GUARDIAN_PORT:8090}}). */
    public Names alias(String variable) {
        aliases.add(variable);
        return this;
    }

    /** A check's name must be unambiguous as part of an environment variable and distinct from a setting's name. */
    public void checkName(Problems problems, ConfigPrefix prefix, String name) {
        String where = prefix.prefix() + "." + name + ".*: check name \"" + name + "\" ";
        if (!CHECK_NAME.matcher(name).matches()) {
            problems.refuse(where + "must be lower-case letters and digits, starting with a letter (an environment "
                    + "variable cannot tell a dash from an underscore)");
        } else if (reservedWords(prefix).contains(name)) {
            problems.refuse(where + "is also the start of a setting's name under " + prefix.prefix()
                    + "; choose another name");
        }
    }

    /** Refuses unknown names and empty values among the environment variables and the {@code guardian.*} properties. */
    public void refuseUnknown(Problems problems, Map<String, String> environment, Collection<String> propertyNames) {
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("GUARDIAN_") || SERVICE_LINK.matcher(name).matches()) {
                continue;
            }
            if (e.getValue() == null || e.getValue().isBlank()) {
                problems.refuse(name + ": is set but empty; give it a value or unset it");
            } else if (!aliases.contains(name) && !knownEnv(name)) {
                problems.refuse(name + ": is not a Guardian setting" + suggestion(name, true));
            }
        }
        for (String raw : propertyNames) {
            String name = raw.replace("\"", "");
            if (name.startsWith("guardian.") && !knownProperty(name)) {
                problems.refuse(name + ": is not a Guardian setting" + suggestion(name, false));
            }
        }
    }

    private boolean knownEnv(String name) {
        for (String p : properties) {
            if (Problems.envName(p).equals(name)) {
                return true;
            }
        }
        for (ConfigPrefix p : prefixes) {
            String head = Problems.envName(p.prefix()) + "_";
            if (p.named() && name.startsWith(head)) {
                String rest = name.substring(head.length());
                int cut = rest.indexOf('_');
                if (cut > 0 && suffixes(p).stream().map(Problems::envName).anyMatch(rest.substring(cut + 1)::equals)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean knownProperty(String name) {
        if (properties.contains(name)) {
            return true;
        }
        for (ConfigPrefix p : prefixes) {
            String head = p.prefix() + ".";
            if (p.named() && name.startsWith(head)) {
                String rest = name.substring(head.length());
                int cut = rest.indexOf('.');
                if (cut > 0 && suffixes(p).contains(rest.substring(cut + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The setting names under a prefix: url, timeout, interval, ... */
    private List<String> suffixes(ConfigPrefix p) {
        String head = p.prefix() + ".";
        return properties.stream().filter(q -> q.startsWith(head)).map(q -> q.substring(head.length())).toList();
    }

    private Set<String> reservedWords(ConfigPrefix p) {
        Set<String> words = new LinkedHashSet<>();
        suffixes(p).forEach(s -> words.add(s.split("[-.]")[0]));
        return words;
    }

    /** "; did you mean GUARDIAN_POSTGRES_URL (guardian.postgres.url)?" or a pointer to the README. */
    private String suggestion(String unknown, boolean env) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates(unknown, env)) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(3, unknown.length() / 4)) {
            return "; did you mean " + best + "?";
        }
        return " (the README's configuration tables list every setting)";
    }

    /** Known names, plus for a named instance ({@code GUARDIAN_POSTGRES_REPLICA_TIMOUT}) the instance's forms. */
    private List<String> candidates(String unknown, boolean env) {
        List<String> out = new ArrayList<>();
        for (String p : properties) {
            out.add(env ? Problems.envName(p) + " (" + p + ")" : p);
        }
        for (ConfigPrefix p : prefixes) {
            String head = env ? Problems.envName(p.prefix()) + "_" : p.prefix() + ".";
            if (!p.named() || !unknown.startsWith(head)) {
                continue;
            }
            String rest = unknown.substring(head.length());
            int cut = rest.indexOf(env ? '_' : '.');
            if (cut > 0) {
                String instance = rest.substring(0, cut);
                for (String s : suffixes(p)) {
                    out.add(head + instance + (env ? "_" + Problems.envName(s) : "." + s));
                }
            }
        }
        return out;
    }

    /** Levenshtein distance to a candidate's name; the property shown after it in parentheses is not measured. */
    static int distance(String x, String candidate) {
        String y = candidate.contains(" (") ? candidate.substring(0, candidate.indexOf(" (")) : candidate;
        int[] prev = new int[y.length() + 1];
        int[] cur = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.length()];
    }
}
