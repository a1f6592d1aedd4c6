package dev.guardian.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Turns the raw {@link GuardianConfig} into {@link Settings}, collecting every problem instead of stopping at the
 * first, so that one failed start shows everything to fix. Each problem is one line naming the property, its
 * environment variable and what would be valid.
 */
public final class SettingsParser {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    // Up to the last '@': a password with an unencoded '/', '?' or '#' must not leak its tail.
    private static final Pattern USERINFO = Pattern.compile("//.*@");

    private final List<String> problems = new ArrayList<>();
    private final Secrets secrets;

    Secrets secrets() {
        return secrets;
    }

    private SettingsParser(Secrets secrets) {
        this.secrets = secrets;
    }

    /** @throws ConfigurationException listing every problem, one per line; Quarkus prints it and exits non-zero. */
    public static Settings parse(GuardianConfig config, Secrets secrets) {
        SettingsParser parser = new SettingsParser(secrets);
        Settings settings = parser.settings(config);
        if (!parser.problems.isEmpty()) {
            throw new ConfigurationException(refusal(parser.problems));
        }
        return settings;
    }

    public static String refusal(List<String> problems) {
        return "Guardian refuses to start: " + problems.size() + " configuration problem"
                + (problems.size() == 1 ? "" : "s") + "\n  " + String.join("\n  ", problems);
    }

    /** The environment variable that sets a property, by MicroProfile Config's rule. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public void problem(String property, String shownValue, String expectation) {
        problems.add(property + " (" + envName(property) + ")"
                + (shownValue == null ? "" : " = \"" + shownValue + "\"") + ": " + expectation);
    }

    private Settings settings(GuardianConfig c) {
        double jitter = fraction("guardian.jitter", c.jitter());
        Duration budget = duration("guardian.startup.budget", c.startup().budget());
        boolean exit = bool("guardian.startup.exit-on-failure", c.startup().exitOnFailure());
        Optional<Settings.Postgres> pg = dependency("postgres", c.postgres(), jitter, this::postgres);
        Optional<Settings.Redis> redis = dependency("redis", c.redis(), jitter, this::redis);
        Optional<Settings.Auth> auth = dependency("auth", c.auth(), jitter, this::auth);
        Optional<Settings.Backend> backend = new BackendParser(this).parse(c.backend(), jitter);
        HeartbeatParser heartbeats = new HeartbeatParser(this);
        Settings.LoadBalancer lb = heartbeats.loadBalancer(c.loadBalancer());
        Optional<Settings.Heartbeat> heartbeat = heartbeats.heartbeat(c.heartbeat(), c.backend().url().isPresent(),
                jitter, lb);
        heartbeats.backendHeartbeat(c.backend().heartbeatInterval(), lb);
        if (budget != null) {
            pg.ifPresent(p -> budgetFits(budget, "postgres", p.timing()));
            redis.ifPresent(r -> budgetFits(budget, "redis", r.timing()));
            auth.ifPresent(a -> budgetFits(budget, "auth", a.timing()));
            backend.ifPresent(b -> budgetFits(budget, "backend", b.timing()));
        }
        return new Settings(budget, exit, pg, redis, auth, backend, heartbeat, lb);
    }

    private interface TargetParser<T> {
        T parse(String property, String url, CheckTiming timing);
    }

    private <T> Optional<T> dependency(String name, GuardianConfig.Dependency dep, double jitter,
            TargetParser<T> parser) {
        if (dep.url().isEmpty()) {
            return Optional.empty();
        }
        CheckTiming timing = timing("guardian." + name, dep.timing(), jitter, Duration.ofSeconds(2));
        return Optional.ofNullable(parser.parse("guardian." + name + ".url", dep.url().get().trim(), timing));
    }

    public CheckTiming timing(String prefix, GuardianConfig.Timing t, double jitter, Duration defaultTimeout) {
        Duration timeout = t.timeout().isEmpty() ? defaultTimeout : duration(prefix + ".timeout", t.timeout().get());
        Duration interval = duration(prefix + ".interval", t.interval());
        Duration retry = duration(prefix + ".retry-interval", t.retryInterval());
        Duration retryMax = duration(prefix + ".retry-max-interval", t.retryMaxInterval());
        int failures = threshold(prefix + ".failure-threshold", t.failureThreshold());
        int successes = threshold(prefix + ".success-threshold", t.successThreshold());
        if (retry != null && retryMax != null && retryMax.compareTo(retry) < 0) {
            problem(prefix + ".retry-max-interval", t.retryMaxInterval(),
                    "must be at least " + prefix + ".retry-interval (" + t.retryInterval() + ")");
        }
        return new CheckTiming(timeout, interval, retry, retryMax, failures, successes, jitter);
    }

    void budgetFits(Duration budget, String name, CheckTiming timing) {
        if (timing.timeout() != null && budget.compareTo(timing.timeout()) < 0) {
            String timeoutProperty = "guardian." + name + ".timeout";
            problem("guardian.startup.budget", human(budget), "is shorter than " + timeoutProperty + " ("
                    + envName(timeoutProperty) + ") = " + human(timing.timeout())
                    + "; the budget must be at least as long as every attempt timeout");
        }
    }

    private Settings.Postgres postgres(String property, String raw, CheckTiming timing) {
        URI uri = uri(property, raw, "postgresql://user:password@host:5432/database", "postgresql", "postgres");
        if (uri == null) {
            return null;
        }
        String[] userInfo = userInfo(uri);
        if (userInfo[0] == null || userInfo[0].isEmpty()) {
            problem(property, display(uri), "names no user; use postgresql://user:password@host:5432/database");
            return null;
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? userInfo[0] : path;
        if (database.contains("/")) {
            problem(property, display(uri), "has a path with more than a database name; "
                    + "use postgresql://user:password@host:5432/database");
            return null;
        }
        return new Settings.Postgres(uri.getHost(), port(uri, 5432), database, userInfo[0], userInfo[1],
                display(uri), timing);
    }

    private Settings.Redis redis(String property, String raw, CheckTiming timing) {
        URI uri = uri(property, raw, "redis://[:password@]host:6379[/db]", "redis", "rediss");
        if (uri == null) {
            return null;
        }
        userInfo(uri);
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!path.isEmpty() && !path.matches("\\d{1,2}")) {
            problem(property, display(uri), "has database \"" + path + "\"; a Redis database is a number such as 0");
            return null;
        }
        return new Settings.Redis(raw, uri.getHost(), port(uri, 6379), display(uri), timing);
    }

    private Settings.Auth auth(String property, String raw, CheckTiming timing) {
        URI uri = uri(property, raw, "https://auth.example.com/health", "http", "https");
        if (uri == null) {
            return null;
        }
        userInfo(uri);
        if (uri.getRawQuery() != null) {
            // Query values are often tokens (?token=, ?key=): treat them all as secrets.
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq >= 0) {
                    secrets.register(decode(pair.substring(eq + 1)));
                    secrets.register(pair.substring(eq + 1));
                }
            }
        }
        return new Settings.Auth(uri, display(uri), timing);
    }

    /** Parses a URL and checks scheme and host; the value shown in a problem never carries credentials. */
    public URI uri(String property, String raw, String example, String... schemes) {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            problem(property, shown(raw), "is not a valid URL; use " + example + ENCODE_HINT);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!List.of(schemes).contains(scheme)) {
            userInfo(uri);
            problem(property, shown(uri, raw), (scheme.isEmpty() ? "has no scheme" : "has unknown scheme \"" + scheme
                    + "\"") + "; use " + String.join(" or ", List.of(schemes).stream().map(s -> s + "://").toList())
                    + ", e.g. " + example);
            return null;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            userInfo(uri);
            problem(property, shown(uri, raw), "names no host; use " + example
                    + (raw.contains("@") ? ENCODE_HINT : ""));
            return null;
        }
        return uri;
    }

    private static final String ENCODE_HINT = " (percent-encode special characters in the password)";

    /** A URL in a problem: {@link #display} when it parsed with a host, else {@link #shown(String)}. */
    private static String shown(URI uri, String raw) {
        return uri.getHost() != null ? display(uri) : shown(raw);
    }

    /**
     * A URL that did not parse as meant (an unencoded '/', '?' or '#' in a password splits it in the wrong place),
     * masked by pattern: everything up to the last '@', and any query or fragment, never shows.
     */
    private static String shown(String raw) {
        return USERINFO.matcher(raw).replaceFirst("//" + Secrets.MASK + "@").replaceFirst("([?#]).*$",
                "$1" + Secrets.MASK);
    }

    /** {user, password}; the password is registered as a secret. */
    public String[] userInfo(URI uri) {
        String raw = uri.getRawUserInfo();
        if (raw == null) {
            return new String[] { null, null };
        }
        int colon = raw.indexOf(':');
        String user = decode(colon < 0 ? raw : raw.substring(0, colon));
        String password = colon < 0 ? null : decode(raw.substring(colon + 1));
        secrets.register(password);
        secrets.register(colon < 0 ? null : raw.substring(colon + 1));
        if (colon < 0 && !"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            secrets.register(user); // redis://secret@host and https://token@host carry a credential, not a name
        }
        return new String[] { user, password };
    }

    /** The URL with its password (or bare credential), query and fragment masked. */
    public static String display(URI uri) {
        String userInfo = uri.getRawUserInfo();
        String shownUser = "";
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            boolean postgres = uri.getScheme() != null && uri.getScheme().startsWith("postgres");
            shownUser = colon >= 0 ? userInfo.substring(0, colon) + ":" + Secrets.MASK + "@"
                    : (postgres ? userInfo + "@" : Secrets.MASK + "@");
        }
        String hostPort = (uri.getHost() == null ? "" : uri.getHost()) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + Secrets.MASK;
        return (uri.getScheme() == null ? "" : uri.getScheme() + "://") + shownUser + hostPort + path + query;
    }

    private static int port(URI uri, int defaultPort) {
        return uri.getPort() < 0 ? defaultPort : uri.getPort();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public Duration duration(String property, String raw) {
        return parsed(property, raw, SettingsParser::parseDuration,
                "use a positive duration such as 250ms, 2s, 1m or PT20S");
    }

    public int threshold(String property, String raw) {
        Integer n = parsed(property, raw, v -> {
            int i = Integer.parseInt(v.trim());
            return i >= 1 ? i : null;
        }, "use a whole number of at least 1");
        return n == null ? 1 : n;
    }

    public boolean bool(String property, String raw) {
        Boolean b = parsed(property, raw, v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> null;
        }, "use true or false");
        return Boolean.TRUE.equals(b);
    }

    public double fraction(String property, String raw) {
        Double d = parsed(property, raw, v -> {
            double x = Double.parseDouble(v.trim());
            return x >= 0 && x <= 1 ? x : null;
        }, "use a fraction from 0 to 1, such as 0.2");
        return d == null ? 0 : d;
    }

    /** Runs {@code parse}; a null result or an exception becomes one problem line. */
    public <T> T parsed(String property, String raw, Function<String, T> parse, String expectation) {
        try {
            T value = parse.apply(raw);
            if (value != null) {
                return value;
            }
        } catch (RuntimeException ignored) {
            // reported below
        }
        problem(property, raw, expectation);
        return null;
    }

    static Duration parseDuration(String raw) {
        String v = raw.trim();
        Duration d;
        if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                return null;
            }
        } else {
            Matcher m = DURATION.matcher(v);
            if (!m.matches()) {
                return null;
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double millis = switch (unit) {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                case "m" -> amount * 60_000;
                default -> amount * 3_600_000;
            };
            d = Duration.ofNanos(Math.round(millis * 1_000_000));
        }
        return d.isNegative() || d.isZero() ? null : d;
    }

    /** A duration as an SRE would write it: 250ms, 2s, 1.5s, 2m. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms % 60_000 == 0 && ms >= 120_000) {
            return (ms / 60_000) + "m";
        }
        return ms % 1_000 == 0 ? (ms / 1_000) + "s" : (ms / 1000.0) + "s";
    }
}
