package dev.guardian.adapters.edge;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Which headers cross the edge. End-to-end headers (Authorization, cookies, custom ones) pass unchanged; hop-by-hop
 * headers (RFC 9110 section 7.6.1, plus any named in Connection) do not; an upgrade's own handshake headers are made
 * again by the backend leg. Host is kept as the client sent it, so the backend sees the same request it would see
 * without the edge.
 * <p>
 * Forwarded headers, as nginx's usual proxy configuration sets them: X-Forwarded-For gets the address the edge saw
 * appended (its last entry is always that one; entries before it are whatever came, and only as trustworthy as the
 * hops that added them). X-Forwarded-Host is always the Host header the edge received (Cloud Run's front end and
 * ingress controllers pass the client's Host on, so it is right behind them too, and a client cannot claim another),
 * overwriting whatever came. X-Forwarded-Proto is this hop's scheme, overwriting a client's claim, unless
 * trust-forwarded-headers keeps the one a proxy in front set (Cloud Run's front end says https): only where every
 * request comes through such a proxy.
 */
final class ForwardedHeaders {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
    /** Made by the backend leg's own handshake (subprotocols are offered through the connect options). */
    private static final Set<String> HANDSHAKE = Set.of("sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept", "content-length");
    /** The edge answers 100-continue itself. */
    private static final String EXPECT = "expect";

    private ForwardedHeaders() {
    }

    /** Request headers for the backend. */
    static MultiMap towardsBackend(HttpServerRequest req, boolean upgrade, boolean trustForwarded) {
        MultiMap in = req.headers();
        Set<String> named = connectionTokens(in);
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> e : in) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || named.contains(name) || name.equals(EXPECT)
                    || upgrade && HANDSHAKE.contains(name) || name.equals("x-forwarded-for")
                    || name.equals("x-forwarded-host") || !trustForwarded && name.equals("x-forwarded-proto")) {
                continue;
            }
            out.add(e.getKey(), e.getValue());
        }
        String client = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        String before = String.join(", ", in.getAll("X-Forwarded-For"));
        if (client != null) {
            out.set("X-Forwarded-For", before.isEmpty() ? client : before + ", " + client);
        } else if (!before.isEmpty()) {
            out.set("X-Forwarded-For", before);
        }
        if (!out.contains("X-Forwarded-Proto")) {
            out.set("X-Forwarded-Proto", req.scheme() == null ? "http" : req.scheme());
        }
        String host = in.get("Host");
        if (host != null) {
            out.set("X-Forwarded-Host", host);
        }
        return out;
    }

    /**
     * Response headers for the client: hop-by-hop ones dropped; for a 101 also the handshake's own, which the
     * client leg's handshake writes again.
     */
    static void towardsClient(MultiMap in, MultiMap out, boolean upgrade) {
        Set<String> named = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || named.contains(name) || upgrade && HANDSHAKE.contains(name)) {
                continue;
            }
            out.add(e.getKey(), e.getValue());
        }
    }

    /** Header names listed in Connection: they are hop-by-hop too. */
    private static Set<String> connectionTokens(MultiMap headers) {
        Set<String> names = new HashSet<>();
        for (String value : headers.getAll("Connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    /**
     * Why an upgrade cannot be a WebSocket handshake (RFC 6455 section 4.2.1), checked before the backend is asked;
     * null when it can.
     */
    static String invalidUpgrade(HttpServerRequest req) {
        String key = req.getHeader("Sec-WebSocket-Key");
        if (key == null || key.isBlank()) {
            return "invalid WebSocket upgrade: no Sec-WebSocket-Key";
        }
        if (!"13".equals(req.getHeader("Sec-WebSocket-Version"))) {
            return "unsupported WebSocket version: use 13";
        }
        return null;
    }

    /** An HTTP/1.1 GET asking to upgrade to WebSocket. */
    static boolean isWebSocketUpgrade(HttpServerRequest req) {
        if (req.version() != io.vertx.core.http.HttpVersion.HTTP_1_1
                || req.method() != io.vertx.core.http.HttpMethod.GET) {
            return false;
        }
        boolean connectionUpgrade = false;
        for (String v : req.headers().getAll("Connection")) {
            connectionUpgrade |= v.toLowerCase(Locale.ROOT).contains("upgrade");
        }
        if (!connectionUpgrade) {
            return false;
        }
        for (String v : req.headers().getAll("Upgrade")) {
            if (v.toLowerCase(Locale.ROOT).contains("websocket")) {
                return true;
            }
        }
        return false;
    }
}
