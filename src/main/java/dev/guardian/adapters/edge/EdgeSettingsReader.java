package dev.guardian.adapters.edge;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.guardian.balancer.Balancer;
import dev.guardian.balancer.LoadBalancerProfile;
import dev.guardian.config.Problems;
import dev.guardian.config.Setting;
import dev.guardian.config.Urls;

/**
 * Reads {@code guardian.edge.*} into {@link EdgeSettings}, refusing in property names whatever the settings'
 * constructor would refuse in field names, plus what only the whole configuration shows: a port taken by Guardian's
 * own interfaces, pings outside the balancer's envelope, a rotation that does not fit the lifetime cap, a drain
 * longer than Cloud Run's 10 s between SIGTERM and SIGKILL allows.
 */
public final class EdgeSettingsReader {
    private static final String P = EdgeConfig.P;
    /** A conventional keepalive: under every common idle timeout when no balancer is declared. */
    static final Duration LONGEST_DEFAULT_PING = Duration.ofSeconds(25);
    static final Duration LONGEST_DEFAULT_WINDOW = Duration.ofSeconds(30);
    static final Duration LONGEST_DEFAULT_MARGIN = Duration.ofSeconds(5);
    /** Cloud Run sends SIGKILL 10 s after SIGTERM; a second is kept for the rest of the shutdown. */
    static final Duration CLOUD_RUN_EXIT_BEFORE = Duration.ofSeconds(9);
    private static final String BACKEND_EXAMPLE = "http://127.0.0.1:8081";

    private EdgeSettingsReader() {
    }

    /** Guardian's own ports, which the edge must not take. */
    public record TakenPorts(int publicPort, int managementPort) {
    }

    /** The edge's settings; null when edge mode is off or anything was refused (then {@code problems} says what). */
    public static EdgeSettings read(EdgeConfig config, Balancer balancer, TakenPorts taken, Problems problems) {
        Boolean enabled = problems.value(P + ".enabled", config.enabled());
        if (!Boolean.TRUE.equals(enabled)) {
            return null;
        }
        int before = problems.lines().size();
        Integer port = problems.value(P + ".port", config.port());
        if (port != null && (port == taken.publicPort() || port == taken.managementPort())) {
            problems.refuse(P + ".port", port.toString(), "is Guardian's " + (port == taken.publicPort()
                    ? "probe port (GUARDIAN_PORT)" : "management port (GUARDIAN_MANAGEMENT_PORT)")
                    + "; the edge needs a port of its own, the one clients connect to ($PORT on Cloud Run)");
        }
        URI backend = backend(config, port, problems);
        Duration pongTimeout = problems.value(P + ".pong-timeout", config.pongTimeout());
        Duration ping = pongTimeout == null ? null : clientPing(config, balancer, pongTimeout, problems);
        String keepalive = config.keepaliveMessage().filter(m -> !m.isBlank()).orElse(null);
        Rotation rotation = rotation(config.rotation(), balancer.maxLifetime(), problems);
        Boolean closeOnNotReady = problems.value(P + ".close-on-not-ready", config.closeOnNotReady());
        Integer maxConnections = problems.value(P + ".max-connections", config.maxConnections());
        Integer maxMessage = problems.value(P + ".max-message-size", config.maxMessageSize());
        Integer maxFrame = problems.value(P + ".max-frame-size", config.maxFrameSize());
        sizes(config, maxMessage, maxFrame, problems);
        Duration drainWindow = problems.value(P + ".drain-window", config.drainWindow());
        drainFitsCloudRun(config, balancer, drainWindow, problems);
        Duration retryAfter = problems.value(P + ".retry-after", config.retryAfter());
        Boolean trustForwarded = problems.value(P + ".trust-forwarded-headers", config.trustForwardedHeaders());
        Integer maxBuffered = problems.value(P + ".max-buffered", config.maxBuffered());
        if (maxBuffered != null && maxBuffered < EdgeSettings.MIN_BUFFERED) {
            problems.refuse(P + ".max-buffered", config.maxBuffered().raw(), "use at least 256KiB");
        }
        if (problems.lines().size() > before) {
            return null;
        }
        return new EdgeSettings(config.host(), port, backend.getHost(), backend.getPort(), ping, pongTimeout,
                keepalive, balancer.maxLifetime(), rotation.window, rotation.margin, rotation.code,
                rotation.reason, closeOnNotReady, maxConnections, maxMessage, maxFrame, drainWindow, retryAfter,
                trustForwarded, maxBuffered);
    }

    private static URI backend(EdgeConfig config, Integer edgePort, Problems problems) {
        String property = P + ".backend-url";
        if (config.backendUrl().isEmpty() || config.backendUrl().get().isBlank()) {
            problems.refuse(property, null, "edge mode needs the backend's address: set it to where the backend "
                    + "listens, such as " + BACKEND_EXAMPLE);
            return null;
        }
        URI uri = Urls.parse(problems, property, config.backendUrl().get(), BACKEND_EXAMPLE, "http");
        if (uri == null) {
            return null;
        }
        String shown = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        if (uri.getPort() < 1) {
            problems.refuse(property, shown, "names no port; use " + BACKEND_EXAMPLE);
            return null;
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
                || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
            problems.refuse(property, shown, "takes a scheme, host and port only: every request keeps its own path "
                    + "and query; use " + BACKEND_EXAMPLE);
            return null;
        }
        if (edgePort != null && uri.getPort() == edgePort && isLocal(uri.getHost())) {
            problems.refuse(property, shown, "is the edge's own port (" + Problems.envName(P + ".port")
                    + "): the backend must listen on another one, such as 8081");
            return null;
        }
        return uri;
    }

    /**
     * Why a check requesting {@code uri} cannot work in edge mode, or null when it can: through the edge it would
     * wait for the edge, which lets traffic pass only once every check has passed.
     */
    public static String throughTheEdge(EdgeSettings edge, URI uri) {
        if (uri == null || uri.getHost() == null || !isLocal(uri.getHost())) {
            return null;
        }
        int port = uri.getPort() >= 0 ? uri.getPort()
                : List.of("https", "wss").contains(uri.getScheme().toLowerCase(Locale.ROOT)) ? 443 : 80;
        if (port != edge.port()) {
            return null;
        }
        return "goes through the edge (" + Problems.envName(P + ".port") + "), which lets traffic pass only once "
                + "every check has passed: point it at the backend directly, " + edge.backendHost() + ":"
                + edge.backendPort();
    }

    private static boolean isLocal(String host) {
        return Set.of("127.0.0.1", "localhost", "0.0.0.0", "[::1]", "::1").contains(host);
    }

    /**
     * The default is the balancer's envelope (interval + pong timeout within half its idle timeout, the heartbeat's
     * rule), at most 25 s; a configured value outside the envelope is refused. A lifetime cap is left out: pings
     * cannot stretch it, rotation meets it.
     */
    private static Duration clientPing(EdgeConfig config, Balancer balancer, Duration pongTimeout,
            Problems problems) {
        String property = P + ".client-ping-interval";
        Duration safe = balancer.largestSafeIdleInterval(pongTimeout);
        if (safe != null && (safe.isNegative() || safe.isZero())) {
            problems.refuse(P + ".pong-timeout", config.pongTimeout().raw(), balancer.unsafeIdle()
                    + "; a ping interval plus the pong timeout must be at most half of it; lower the pong timeout");
            return null;
        }
        Optional<String> raw = config.clientPingInterval().filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return safe != null && safe.compareTo(LONGEST_DEFAULT_PING) < 0 ? safe : LONGEST_DEFAULT_PING;
        }
        Duration interval = problems.value(property, Setting.duration(raw.get()));
        if (interval != null && safe != null && interval.compareTo(safe) > 0) {
            problems.refuse(property, raw.get(), balancer.unsafeIdle() + "; interval + pong-timeout ("
                    + Setting.human(pongTimeout) + ") must be at most half of it; the largest safe value is "
                    + Setting.human(safe));
        }
        return interval;
    }

    private record Rotation(Duration window, Duration margin, int code, String reason) {
    }

    private static Rotation rotation(EdgeConfig.Rotation config, Duration cap, Problems problems) {
        String p = P + ".rotation";
        Duration window = config.window().filter(v -> !v.isBlank())
                .map(v -> problems.value(p + ".window", Setting.duration(v)))
                .orElse(cap == null ? LONGEST_DEFAULT_WINDOW : shorter(cap.dividedBy(4), LONGEST_DEFAULT_WINDOW));
        Duration margin = config.margin().filter(v -> !v.isBlank())
                .map(v -> problems.value(p + ".margin", Setting.duration(v)))
                .orElse(cap == null ? LONGEST_DEFAULT_MARGIN : shorter(cap.dividedBy(10), LONGEST_DEFAULT_MARGIN));
        if (cap != null && window != null && margin != null && window.plus(margin).compareTo(cap) >= 0) {
            problems.refuse(p + ".window", Setting.human(window), "window + margin (" + Setting.human(margin)
                    + ") must be shorter than the balancer's lifetime cap, " + Setting.human(cap)
                    + " (guardian.load-balancer.max-lifetime)");
        }
        Integer code = problems.value(p + ".code", config.code());
        if (code != null && !CloseCodes.sendable(code)) {
            problems.refuse(p + ".code", code.toString(), "cannot be sent in a close frame; use 1000-1003, "
                    + "1007-1014 or 3000-4999 (1012, service restart, tells clients to reconnect)");
        }
        if (config.reason().getBytes(StandardCharsets.UTF_8).length > 123) {
            problems.refuse(p + ".reason", null, "is " + config.reason().getBytes(StandardCharsets.UTF_8).length
                    + " bytes; a close reason is at most 123 bytes in UTF-8");
        }
        return new Rotation(window, margin, code == null ? 0 : code, config.reason());
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sizes(EdgeConfig config, Integer message, Integer frame, Problems problems) {
        if (frame != null && frame < 126) {
            problems.refuse(P + ".max-frame-size", config.maxFrameSize().raw(), "use at least 126 bytes");
        }
        if (message != null && frame != null && message < frame) {
            problems.refuse(P + ".max-message-size", config.maxMessageSize().raw(), "must be at least "
                    + Problems.envName(P + ".max-frame-size") + " (" + config.maxFrameSize().raw() + ")");
        }
    }

    /** On Cloud Run the drain window and the last close handshakes must end before SIGKILL. */
    private static void drainFitsCloudRun(EdgeConfig config, Balancer balancer, Duration window, Problems problems) {
        boolean cloudRun = balancer.profile() == LoadBalancerProfile.CLOUD_RUN
                || balancer.profile() == LoadBalancerProfile.GCP_SERVERLESS_NEG;
        if (cloudRun && window != null && window.plus(EdgeLimits.DRAIN_GRACE).compareTo(CLOUD_RUN_EXIT_BEFORE) > 0) {
            problems.refuse(P + ".drain-window", config.drainWindow().raw(), "with " + Setting.human(
                    EdgeLimits.DRAIN_GRACE) + " for the last close handshakes Guardian would not exit before Cloud "
                    + "Run's SIGKILL 10s after SIGTERM; the longest is "
                    + Setting.human(CLOUD_RUN_EXIT_BEFORE.minus(EdgeLimits.DRAIN_GRACE)));
        }
    }
}
