package dev.guardian.adapters.edge;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Setting;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * {@code guardian.edge.*}: Guardian in the traffic path. Off by default; sidecar mode needs none of it. The port
 * defaults to Cloud Run's {@code $PORT} in Guardian's properties file.
 */
@ConfigMapping(prefix = "guardian.edge")
public interface EdgeConfig {

    @WithDefault("false")
    @WithConverter(Setting.Flag.class)
    Setting<Boolean> enabled();

    /** Set in application.properties: {@code ${PORT:8080}}. */
    @WithDefault("8080")
    @WithConverter(Setting.Port.class)
    Setting<Integer> port();

    @WithDefault("0.0.0.0")
    String host();

    /** Where the backend listens, {@code http://127.0.0.1:8081}: required in edge mode. */
    Optional<String> backendUrl();

    /** Absent: the balancer's safe envelope, at most 25 s. */
    Optional<String> clientPingInterval();

    @WithDefault("10s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> pongTimeout();

    Optional<String> keepaliveMessage();

    Rotation rotation();

    @WithDefault("false")
    @WithConverter(Setting.Flag.class)
    Setting<Boolean> closeOnNotReady();

    @WithDefault("1000")
    @WithConverter(Setting.AtLeastOne.class)
    Setting<Integer> maxConnections();

    @WithDefault("1MiB")
    @WithConverter(Setting.Size.class)
    Setting<Integer> maxMessageSize();

    @WithDefault("64KiB")
    @WithConverter(Setting.Size.class)
    Setting<Integer> maxFrameSize();

    @WithDefault("5s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> drainWindow();

    @WithDefault("2s")
    @WithConverter(Setting.PositiveDuration.class)
    Setting<Duration> retryAfter();

    @WithDefault("false")
    @WithConverter(Setting.Flag.class)
    Setting<Boolean> trustForwardedHeaders();

    @WithDefault("16MiB")
    @WithConverter(Setting.Size.class)
    Setting<Integer> maxBuffered();

    /** Graceful closes before the balancer's lifetime cap ({@code guardian.load-balancer.max-lifetime}). */
    interface Rotation {
        /** Absent: a quarter of the cap, at most 30 s. */
        Optional<String> window();

        /** Absent: a tenth of the cap, at most 5 s. */
        Optional<String> margin();

        @WithDefault("1012")
        @WithConverter(Setting.Whole.class)
        Setting<Integer> code();

        @WithDefault(EdgeSettings.DEFAULT_ROTATION_REASON)
        String reason();
    }

    String P = "guardian.edge";

    List<PropertyDoc> DOCS = List.of(
            PropertyDoc.of(P + ".enabled", "edge mode: Guardian listens where clients connect and passes every "
                    + "request and WebSocket to the backend (see [Edge mode](#edge-mode))"),
            PropertyDoc.optional(P + ".port", "`$PORT`, else `8080`", "where the edge listens (Cloud Run's "
                    + "ingress port)"),
            PropertyDoc.of(P + ".host", "the edge's listening address"),
            PropertyDoc.optional(P + ".backend-url", "(required in edge mode)", "the backend, "
                    + "`http://127.0.0.1:8081`: scheme http, a host and a port, no path"),
            PropertyDoc.optional(P + ".client-ping-interval", "the balancer's safe envelope, at most `25s`",
                    "ping a client connection after this much quiet; must fit the balancer's envelope like the "
                            + "heartbeat"),
            PropertyDoc.of(P + ".pong-timeout", "no pong within this after a ping: both legs close (1011)"),
            PropertyDoc.optional(P + ".keepalive-message", "(none)", "a text frame sent to the client with each ping, "
                    + "for balancers that do not count control frames"),
            PropertyDoc.optional(P + ".rotation.window", "a quarter of the lifetime cap, at most `30s`", "each "
                    + "connection closes at a random moment inside this window before the cap"),
            PropertyDoc.optional(P + ".rotation.margin", "a tenth of the lifetime cap, at most `5s`", "how long "
                    + "before the cap the rotation window ends"),
            PropertyDoc.of(P + ".rotation.code", "close code a rotated client gets (the backend leg gets 1001)"),
            PropertyDoc.of(P + ".rotation.reason", "close reason a rotated client gets (at most 123 bytes)"),
            PropertyDoc.of(P + ".close-on-not-ready", "`true`: open WebSockets close with 1013 when Guardian leaves "
                    + "READY; `false`: they stay, only new ones meet the gate"),
            PropertyDoc.of(P + ".max-connections", "client WebSockets plus HTTP requests in flight; beyond it 503"),
            PropertyDoc.of(P + ".max-message-size", "largest message (all its frames) either side may send; a larger "
                    + "one ends that connection"),
            PropertyDoc.of(P + ".max-frame-size", "largest single frame either side may send"),
            PropertyDoc.of(P + ".max-buffered", "bytes the edge may hold in flight towards peers that do not keep up, "
                    + "all connections together; past it their senders are paused (see [Edge mode](#edge-mode) for "
                    + "the memory this bounds)"),
            PropertyDoc.of(P + ".drain-window", "after SIGTERM, WebSockets close with 1001 spread over this"),
            PropertyDoc.of(P + ".retry-after", "`Retry-After` of the gate's 503"),
            PropertyDoc.of(P + ".trust-forwarded-headers", "`true`: keep the `X-Forwarded-Proto` a proxy in "
                    + "front set (only where every client comes through one, as on Cloud Run); `false`: the edge "
                    + "sets it from the connection it received. `X-Forwarded-Host` is always the request's `Host`"));
}
