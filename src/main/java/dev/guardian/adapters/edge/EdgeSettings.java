package dev.guardian.adapters.edge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * What the edge needs to know. The compact constructor refuses settings that cannot work (it names the field), so a
 * configuration layer may pass values straight through and report the message.
 *
 * @param host               where the edge listens (0.0.0.0 on Cloud Run)
 * @param port               the edge's port ($PORT on Cloud Run); 0 picks a free one (tests)
 * @param backendHost        the backend, on loopback
 * @param backendPort        the backend's port
 * @param clientPingInterval ping a client connection after this much quiet (no frame either way)
 * @param pongTimeout        no pong within this after a ping: close both legs
 * @param keepaliveMessage   text frame sent to the client with each ping, for balancers that ignore control frames;
 *                           null = none
 * @param maxLifetime        the platform's lifetime cap; null = none, no rotation
 * @param rotationWindow     each connection rotates at a random moment inside
 *                           [maxLifetime - rotationMargin - rotationWindow, maxLifetime - rotationMargin]
 * @param rotationMargin     how long before the cap the window ends
 * @param rotationCode       close code of a rotation (1012 by default)
 * @param rotationReason     close reason of a rotation, telling the client to reconnect
 * @param closeOnNotReady    close open WebSockets (1013) when Guardian leaves READY; false keeps them
 * @param maxConnections     concurrent client WebSockets plus in-flight HTTP requests; beyond it 503
 * @param maxMessageSize     largest message (all fragments) either side may send
 * @param maxFrameSize       largest single frame either side may send (a browser sends each message as one frame)
 * @param drainWindow        on drain, WebSocket closes are spread over this window
 * @param retryAfter         Retry-After of a 503
 * @param trustForwarded     keep the X-Forwarded-Proto a proxy in front set; false: this hop's own
 * @param maxBuffered        bytes the edge may hold in flight towards peers before senders are paused (see
 *                           {@link Buffered})
 */
public record EdgeSettings(
        String host, int port,
        String backendHost, int backendPort,
        Duration clientPingInterval,
        Duration pongTimeout,
        String keepaliveMessage,
        Duration maxLifetime,
        Duration rotationWindow,
        Duration rotationMargin,
        int rotationCode, String rotationReason,
        boolean closeOnNotReady,
        int maxConnections,
        int maxMessageSize, int maxFrameSize,
        Duration drainWindow,
        Duration retryAfter,
        boolean trustForwarded,
        int maxBuffered) {

    public static final int DEFAULT_ROTATION_CODE = 1012;
    public static final String DEFAULT_ROTATION_REASON = "connection lifetime limit reached, reconnect";
    /** Enough for a few reads per event loop. */
    public static final int MIN_BUFFERED = 256 * 1024;

    public EdgeSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backendHost, "backendHost");
        require(port >= 0 && port <= 65535, "port must be 0 to 65535");
        require(backendPort >= 1 && backendPort <= 65535, "backendPort must be 1 to 65535");
        positive(clientPingInterval, "clientPingInterval");
        positive(pongTimeout, "pongTimeout");
        notNegative(rotationWindow, "rotationWindow");
        notNegative(rotationMargin, "rotationMargin");
        notNegative(drainWindow, "drainWindow");
        notNegative(retryAfter, "retryAfter");
        if (maxLifetime != null) {
            positive(maxLifetime, "maxLifetime");
            require(rotationWindow.plus(rotationMargin).compareTo(maxLifetime) < 0,
                    "rotationWindow + rotationMargin must be shorter than maxLifetime");
        }
        require(CloseCodes.sendable(rotationCode), "rotationCode " + rotationCode
                + " cannot be sent in a close frame; use 1000-1003, 1007-1014 or 3000-4999");
        require(rotationReason != null && rotationReason.getBytes(StandardCharsets.UTF_8).length <= 123,
                "rotationReason must be set and at most 123 bytes in UTF-8");
        require(keepaliveMessage == null || !keepaliveMessage.isEmpty(), "keepaliveMessage must not be empty");
        require(maxConnections >= 1, "maxConnections must be at least 1");
        require(maxFrameSize >= 126, "maxFrameSize must be at least 126 bytes");
        require(maxMessageSize >= maxFrameSize, "maxMessageSize must be at least maxFrameSize");
        require(maxBuffered >= MIN_BUFFERED, "maxBuffered must be at least " + MIN_BUFFERED + " bytes");
    }

    /**
     * Defaults an SRE can start from: pings after 25 s of quiet (inside nginx's and AWS ALB's 60 s), 10 s for the pong,
     * no lifetime cap, rotation 1012 inside a 30 s window ending 5 s before a cap, 1,000 connections (Cloud Run's
     * per-instance maximum), 64 KiB frames and 1 MiB messages, a 5 s drain window (Cloud Run kills 10 s after
     * SIGTERM), Retry-After 2 s, X-Forwarded-Proto and -Host from this hop, 16 MiB held in flight.
     */
    public static EdgeSettings defaults(String host, int port, String backendHost, int backendPort) {
        return new EdgeSettings(host, port, backendHost, backendPort, Duration.ofSeconds(25), Duration.ofSeconds(10),
                null, null, Duration.ofSeconds(30), Duration.ofSeconds(5), DEFAULT_ROTATION_CODE,
                DEFAULT_ROTATION_REASON, false, 1_000, 1024 * 1024, 64 * 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(2), false, 16 * 1024 * 1024);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void positive(Duration d, String name) {
        require(d != null && !d.isNegative() && !d.isZero(), name + " must be a positive duration");
    }

    private static void notNegative(Duration d, String name) {
        require(d != null && !d.isNegative(), name + " must be zero or positive");
    }
}
