package dev.guardian.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.guardian.engine.Secrets;

/**
 * Dependency URLs: parsed, checked and shown without their secrets. A URL that does not parse as meant (a password
 * with an unencoded '/', a line break from a composed Secret, a missing '//') is never echoed beyond its scheme,
 * whatever its shape: any part of it could be a password.
 */
public final class Urls {
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]{0,20}):");
    private static final String ENCODE_HINT = " (percent-encode special characters in the password)";

    private Urls() {
    }

    /**
     * Parses {@code raw} and checks its scheme and host; every problem is refused with a masked value.
     *
     * @return the URI, or null when it was refused
     */
    public static URI parse(Problems problems, String property, String raw, String example, String... schemes) {
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            problems.refuse(property, schemeOnly(raw), "is not a valid URL; use " + example + ENCODE_HINT);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean whole = uri.getHost() != null && !uri.getHost().isEmpty();
        if (!List.of(schemes).contains(scheme)) {
            problems.refuse(property, whole ? display(uri) : schemeOnly(raw), (scheme.isEmpty() ? "has no scheme"
                    : "has unknown scheme \"" + scheme + "\"") + "; use " + String.join(" or ",
                            List.of(schemes).stream().map(s -> s + "://").toList()) + ", e.g. " + example);
            return null;
        }
        if (!whole) {
            problems.refuse(property, schemeOnly(raw), "names no host; use " + example
                    + (raw.contains("@") ? ENCODE_HINT : ""));
            return null;
        }
        return uri;
    }

    /** "postgresql:***": all that may be shown of a value that did not parse as a URL. */
    public static String schemeOnly(String raw) {
        Matcher m = SCHEME.matcher(raw.trim());
        return m.find() ? m.group(1) + ":" + Secrets.MASK : Secrets.MASK;
    }

    /** The URL with its password (or bare credential), query and fragment masked. */
    public static String display(URI uri) {
        String userInfo = uri.getRawUserInfo();
        String shownUser = "";
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            shownUser = colon >= 0 ? userInfo.substring(0, colon) + ":" + Secrets.MASK + "@"
                    : (namesUser(uri) ? userInfo + "@" : Secrets.MASK + "@");
        }
        String hostPort = (uri.getHost() == null ? "" : uri.getHost()) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + Secrets.MASK;
        return (uri.getScheme() == null ? "" : uri.getScheme() + "://") + shownUser + hostPort + path + query;
    }

    /**
     * {user, password} decoded, either null; the password is registered as a secret, and so is a bare user info
     * where it is a credential rather than a name (redis://secret@host, https://token@host).
     */
    public static String[] userInfo(URI uri, Secrets secrets) {
        String raw = uri.getRawUserInfo();
        if (raw == null) {
            return new String[] { null, null };
        }
        int colon = raw.indexOf(':');
        String user = decode(colon < 0 ? raw : raw.substring(0, colon));
        String password = colon < 0 ? null : decode(raw.substring(colon + 1));
        secrets.register(password);
        secrets.register(colon < 0 ? null : raw.substring(colon + 1));
        if (colon < 0 && !namesUser(uri)) {
            secrets.register(user);
        }
        return new String[] { user, password };
    }

    /** Query values are often tokens (?token=, ?key=): each is registered as a secret. */
    public static void registerQuery(URI uri, Secrets secrets) {
        if (uri.getRawQuery() == null) {
            return;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq >= 0) {
                secrets.register(decode(pair.substring(eq + 1)));
                secrets.register(pair.substring(eq + 1));
            }
        }
    }

    public static int port(URI uri, int defaultPort) {
        return uri.getPort() < 0 ? defaultPort : uri.getPort();
    }

    public static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Postgres URLs carry a user name (not a secret) before the '@'; elsewhere a bare user info is a credential. */
    private static boolean namesUser(URI uri) {
        return uri.getScheme() != null && uri.getScheme().toLowerCase(Locale.ROOT).startsWith("postgres");
    }
}
