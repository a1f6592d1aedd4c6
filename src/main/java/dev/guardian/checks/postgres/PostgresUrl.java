package dev.guardian.checks.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.guardian.checks.Tls;
import dev.guardian.config.Problems;
import dev.guardian.config.Urls;
import dev.guardian.engine.Secrets;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/**
 * A libpq connection URL, as libpq reads it: {@code postgresql://user:password@host:5432/database}, with
 * {@code sslmode} and {@code sslrootcert}, or {@code ?host=/cloudsql/PROJECT:REGION:INSTANCE} for a Unix socket
 * directory. Parsed here rather than by Vert.x' {@code fromUri}, which drops unknown parameters and echoes the whole
 * URL, password included, in its errors: an unknown parameter is refused, and nothing secret is ever shown.
 */
record PostgresUrl(PgConnectOptions options, String target, String sslSetting) {
    static final String EXAMPLE = "postgresql://user:password@host:5432/database";
    private static final String[] SCHEMES = { "postgresql", "postgres" };
    private static final Set<String> PARAMETERS = Set.of("sslmode", "sslrootcert", "host", "port",
            "application_name");
    /** "chat:pw@" or "chat:pw@:5433" of a URL naming a socket directory, which java.net.URI leaves unparsed. */
    private static final Pattern SOCKET_AUTHORITY = Pattern.compile("(.*)@(?::(\\d{1,5}))?");
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    /** @return the connection settings, or null after refusing */
    static PostgresUrl parse(Problems problems, String property, String raw, Secrets secrets) {
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            problems.refuse(property, Urls.schemeOnly(raw), "is not a valid URL; use " + EXAMPLE
                    + " (percent-encode special characters in the password)");
            return null;
        }
        Map<String, String> query = query(uri);
        String socketDir = query.get("host");
        if (socketDir == null) {
            if (Urls.parse(problems, property, raw, EXAMPLE, SCHEMES) == null) {
                return null; // scheme or host refused, masked
            }
        } else if (uri.getScheme() == null || !Set.of(SCHEMES).contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            problems.refuse(property, Urls.schemeOnly(raw), "has an unknown scheme; use postgresql:// or postgres://, "
                    + "e.g. " + EXAMPLE);
            return null;
        }
        String shown = uri.getHost() != null ? Urls.display(uri) : Urls.schemeOnly(raw);
        String[] userInfo = userInfo(uri, secrets);
        if (userInfo[0] == null || userInfo[0].isEmpty()) {
            problems.refuse(property, shown, "names no user; use " + EXAMPLE);
            return null;
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? userInfo[0] : path;
        if (database.contains("/")) {
            problems.refuse(property, shown, "has a path with more than a database name; use " + EXAMPLE);
            return null;
        }
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                problems.refuse(property, shown, "has URL parameter \"" + name + "\", which Guardian does not read; "
                        + "use sslmode, sslrootcert, host (a Unix socket directory), port or application_name");
                return null;
            }
        }
        if (socketDir != null && !socketDir.startsWith("/")) {
            problems.refuse(property, shown, "has host=\"" + socketDir + "\"; the host parameter names a Unix socket "
                    + "directory such as /cloudsql/PROJECT:REGION:INSTANCE; put a host name after the '@'");
            return null;
        }
        String mode = query.getOrDefault("sslmode", "prefer").toLowerCase(Locale.ROOT);
        if (!SSL_MODES.contains(mode)) {
            problems.refuse(property, shown, "has sslmode=" + mode + "; use disable, allow, prefer, require, verify-ca "
                    + "or verify-full");
            return null;
        }
        String caFile = query.get("sslrootcert");
        PemTrustOptions trust = caFile == null ? null : Tls.trust(caFile,
                problem -> problems.refuse(property, shown, "has sslrootcert=" + caFile + ", which " + problem));
        if (caFile != null && trust == null) {
            return null;
        }
        if (mode.startsWith("verify") && trust == null) {
            problems.refuse(property, shown, "has sslmode=" + mode + " without sslrootcert; add "
                    + "&sslrootcert=/path/to/ca.pem (the CA that signed the server's certificate)");
            return null;
        }
        Integer port = port(uri, query.get("port"));
        if (port == null) {
            problems.refuse(property, shown, "has port=" + query.get("port") + "; use a port number from 1 to 65535");
            return null;
        }
        PgConnectOptions options = new PgConnectOptions().setHost(socketDir != null ? socketDir : host(uri))
                .setPort(port).setDatabase(database).setUser(userInfo[0])
                .setPassword(userInfo[1] == null ? "" : userInfo[1]) // trust and peer authentication ask for none
                .setCachePreparedStatements(false).setPipeliningLimit(1);
        if (query.containsKey("application_name")) {
            options.addProperty("application_name", query.get("application_name"));
        }
        String setting = tls(options, mode, trust, caFile);
        String target = (socketDir != null ? socketDir + "/.s.PGSQL." + port : host(uri) + ":" + port) + "/" + database;
        return new PostgresUrl(options, target, setting);
    }

    /**
     * libpq's sslmode: disable sends no TLS; allow and prefer try it without verifying; require insists on it and,
     * given a root certificate, verifies it as verify-ca does; verify-ca checks the chain; verify-full the host too.
     */
    private static String tls(PgConnectOptions options, String mode, PemTrustOptions trust, String caFile) {
        boolean verify = mode.startsWith("verify") || (mode.equals("require") && trust != null);
        SslMode ssl = switch (mode) {
            case "disable" -> SslMode.DISABLE;
            case "allow" -> SslMode.ALLOW;
            case "prefer" -> SslMode.PREFER;
            case "require" -> trust != null ? SslMode.VERIFY_CA : SslMode.REQUIRE;
            case "verify-ca" -> SslMode.VERIFY_CA;
            default -> SslMode.VERIFY_FULL;
        };
        options.setSslMode(ssl);
        if (verify) {
            options.setPemTrustOptions(trust);
        } else if (ssl != SslMode.DISABLE) {
            options.setTrustAll(true);
        }
        if (ssl == SslMode.VERIFY_FULL) {
            options.setHostnameVerificationAlgorithm("HTTPS");
        }
        return "sslmode=" + mode + (caFile == null ? "" : ", sslrootcert=" + caFile);
    }

    /** The user info of postgresql://chat:pw@/db?host=/dir (or @:5433/db), which java.net.URI leaves unparsed. */
    private static String[] userInfo(URI uri, Secrets secrets) {
        Matcher socket = socketAuthority(uri);
        if (socket == null) {
            return Urls.userInfo(uri, secrets);
        }
        return Urls.userInfo(URI.create("postgresql://" + socket.group(1) + "@localhost"), secrets);
    }

    private static Matcher socketAuthority(URI uri) {
        if (uri.getHost() != null || uri.getRawAuthority() == null) {
            return null;
        }
        Matcher m = SOCKET_AUTHORITY.matcher(uri.getRawAuthority());
        return m.matches() ? m : null;
    }

    /**
     * The server's port: libpq's port parameter, else the URL's, else 5432. With a socket directory it names the
     * socket file, {@code .s.PGSQL.<port>}. Null when the parameter is not a port number.
     */
    private static Integer port(URI uri, String parameter) {
        Matcher socket = socketAuthority(uri);
        String given = parameter != null ? parameter
                : socket != null ? socket.group(2) : uri.getPort() < 0 ? null : Integer.toString(uri.getPort());
        if (given == null) {
            return 5432;
        }
        try {
            int port = Integer.parseInt(given.trim());
            return port > 0 && port < 65_536 ? port : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String host(URI uri) {
        String h = uri.getHost();
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                out.put(Urls.decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT),
                        eq < 0 ? "" : Urls.decode(pair.substring(eq + 1)));
            }
        }
        return out;
    }
}
