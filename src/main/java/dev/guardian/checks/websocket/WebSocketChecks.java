package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;

import dev.guardian.balancer.Balancer;
import dev.guardian.checks.CheckContext;
import dev.guardian.checks.CheckProvider;
import dev.guardian.checks.ConfiguredCheck;
import dev.guardian.config.ConfigPrefix;
import dev.guardian.config.Problems;
import dev.guardian.config.PropertyDoc;
import dev.guardian.config.Setting;
import dev.guardian.config.Verbatim;
import dev.guardian.engine.CheckSpec;
import dev.guardian.engine.Role;
import dev.guardian.engine.Timing;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The backend's WebSocket path: the gate (check {@code websocket}: upgrade, then the script or a ping, on every
 * session) and the heartbeat (check {@code heartbeat}: pings on a kept connection), both checked against the balancer
 * in front of the backend.
 */
@Singleton
public class WebSocketChecks implements CheckProvider {
    static final String GATE = "websocket";
    private static final ConfigPrefix BACKEND = new ConfigPrefix(BackendSettings.P, false, true);
    private static final ConfigPrefix HEARTBEAT = new ConfigPrefix("guardian.heartbeat", false, false);
    /** Retries of a missed pong or a lost connection: quick at first, then every few seconds. */
    private static final Duration HEARTBEAT_RETRY = Duration.ofMillis(20);
    private static final Duration HEARTBEAT_RETRY_MAX = Duration.ofSeconds(5);

    private final BackendConfig backendConfig;
    private final HeartbeatConfig heartbeatConfig;
    private final MeterRegistry meters;
    private final Config config;

    private final Map<String, Object> facts = new LinkedHashMap<>();

    /** @param config read verbatim for the script and headers, whose ${session} and ${token} are Guardian's own */
    @Inject
    public WebSocketChecks(BackendConfig backendConfig, HeartbeatConfig heartbeatConfig, MeterRegistry meters,
            Config config) {
        this.backendConfig = backendConfig;
        this.heartbeatConfig = heartbeatConfig;
        this.meters = meters;
        this.config = config;
    }

    @Override
    public List<ConfiguredCheck> checks(Problems problems, CheckContext context) {
        Function<String, Optional<String>> verbatim = property -> Verbatim.read(config, property);
        Heartbeat heartbeat = heartbeat(problems, context.balancer());
        BackendPings backendPings = problems.value(HEARTBEAT.prefix() + ".backend-pings",
                heartbeatConfig.backendPings());
        declaredBackendHeartbeat(problems, context.balancer());
        if (backendConfig.url().isEmpty()) {
            return List.of();
        }
        Backend backend = BackendSettings.parse(problems, backendConfig, verbatim, context);
        Timing timing = backendConfig.schedule().timing(problems, BACKEND.prefix(), backendConfig.timeout(),
                context.jitter());
        Role role = backendConfig.schedule().role(problems, BACKEND.prefix());
        if (backend == null || timing == null) {
            return List.of();
        }
        Connector connector = new Connector(context.vertx(), backend);
        SessionRegistry registry = new SessionRegistry();
        List<ConfiguredCheck> checks = new ArrayList<>();
        checks.add(new ConfiguredCheck(BACKEND.prefix(), new CheckSpec(GATE, GATE, backend.display(), role, timing,
                new GateCheck(backend, connector, registry, new Matching(context.vertx()))), backend.uri()));
        if (heartbeat != null && backendPings != null) {
            PingCadence cadence = new PingCadence(context.balancer(), backendPings);
            Timing beat = new Timing(backend.handshakeDeadline().plus(heartbeat.pongTimeout()), heartbeat.interval(),
                    HEARTBEAT_RETRY, HEARTBEAT_RETRY_MAX, heartbeat.missedPongs(), 1, context.jitter());
            checks.add(new ConfiguredCheck(HEARTBEAT.prefix(), new CheckSpec(HeartbeatCheck.NAME, HeartbeatCheck.NAME,
                    backend.display(), role, beat, new HeartbeatCheck(backend, connector, heartbeat,
                            new WebSocketMeters(meters), registry, cadence))));
            facts.put("heartbeat_interval_ms", heartbeat.interval().toMillis());
            Duration safe = context.balancer().largestSafeInterval(heartbeat.pongTimeout());
            if (safe != null) {
                facts.put("largest_safe_heartbeat_interval_ms", safe.toMillis());
            }
            facts.put("backend_pings", backendPings.id());
            if (cadence.largestSafe() != null) {
                facts.put("largest_safe_backend_heartbeat_interval_ms", cadence.largestSafe().toMillis());
            }
        }
        return checks;
    }

    /** Guardian's own heartbeat: interval + pong-timeout must fit half of the balancer's tightest limit. */
    private Heartbeat heartbeat(Problems problems, Balancer balancer) {
        String p = HEARTBEAT.prefix();
        Boolean enabled = problems.value(p + ".enabled", heartbeatConfig.enabled());
        Duration interval = problems.value(p + ".interval", heartbeatConfig.interval());
        Duration pongTimeout = problems.value(p + ".pong-timeout", heartbeatConfig.pongTimeout());
        Integer missed = problems.value(p + ".missed-pongs", heartbeatConfig.missedPongs());
        if (!Boolean.TRUE.equals(enabled) || backendConfig.url().isEmpty() || interval == null || pongTimeout == null
                || missed == null) {
            return null;
        }
        Duration safe = balancer.largestSafeInterval(pongTimeout);
        if (safe != null && interval.compareTo(safe) > 0) {
            problems.refuse(p + ".interval", heartbeatConfig.interval().raw(), balancer.unsafe()
                    + "; interval + pong-timeout (" + Setting.human(pongTimeout) + ") must be at most half of it; "
                    + (safe.isNegative() || safe.isZero() ? "lower " + p + ".pong-timeout first"
                            : "the largest safe value is " + Setting.human(safe)));
        }
        return new Heartbeat(interval, pongTimeout, missed,
                heartbeatConfig.keepaliveMessage().filter(m -> !m.isBlank()).orElse(null));
    }

    /** The incident: a backend pinging every 45 s behind a 30 s limit. */
    private void declaredBackendHeartbeat(Problems problems, Balancer balancer) {
        String property = BACKEND.prefix() + ".heartbeat-interval";
        backendConfig.heartbeatInterval().ifPresent(raw -> {
            Duration interval = problems.value(property, Setting.duration(raw));
            String unsafe = interval == null ? null : balancer.unsafeBackendHeartbeat(interval);
            if (unsafe != null) {
                problems.refuse(property, raw, unsafe);
            }
        });
    }

    @Override
    public Map<String, Object> facts() {
        return Map.copyOf(facts);
    }

    @Override
    public List<PropertyDoc> properties() {
        String b = BACKEND.prefix();
        String a = b + ".auth";
        String h = HEARTBEAT.prefix();
        return List.of(
                PropertyDoc.configuresACheck(b + ".url", "`ws://` or `wss://` URL of the backend's "
                        + "WebSocket endpoint, e.g. `ws://127.0.0.1:8080/ws`"),
                PropertyDoc.optional(b + ".headers", "(none)", "extra upgrade headers, `Name: value` pairs separated by "
                        + "`;`; `${session}` and `${token}` are replaced; values are treated as secrets"),
                PropertyDoc.optional(b + ".subprotocols", "(none)", "subprotocols to offer, comma separated; the upgrade "
                        + "must pick one of them"),
                PropertyDoc.optional(b + ".script", "(none: ping)", "the exchange after the upgrade, a JSON array of "
                        + "steps (below)"),
                PropertyDoc.optional(b + ".script-file", "(none)", "the same, from a file"),
                PropertyDoc.of(b + ".sessions", "concurrent connections per attempt (1 to 100), each with its own "
                        + "`${session}` token"),
                PropertyDoc.of(b + ".timeout", "deadline of one attempt, all sessions together"),
                PropertyDoc.of(b + ".connect-timeout", "TCP connect deadline"),
                PropertyDoc.of(b + ".upgrade-timeout", "added to the connect deadline: the 101 must have arrived by then"),
                PropertyDoc.of(b + ".step-timeout", "deadline of an expect step without its own `timeout`"),
                PropertyDoc.of(b + ".ping-timeout", "without a script: how long the pong may take"),
                PropertyDoc.optional(b + ".heartbeat-interval", "(none)", "the backend's own heartbeat interval, "
                        + "declared so that Guardian checks it against the balancer too"),
                PropertyDoc.of(a + ".mode", "`none`, `bearer`, `jwt` or `client-credentials`"),
                PropertyDoc.optional(a + ".query-param", "(none)", "send the token as this query parameter instead of "
                        + "`Authorization: Bearer`"),
                PropertyDoc.optional(a + ".token-env", "(none)", "bearer: name of the environment variable holding the "
                        + "token"),
                PropertyDoc.optional(a + ".token-file", "(none)", "bearer: file holding the token, read at every "
                        + "attempt (rotation is followed)"),
                PropertyDoc.optional(a + ".jwt-secret", "(none)", "jwt: HS256 secret, at least 32 bytes"),
                PropertyDoc.optional(a + ".jwt-key-file", "(none)", "jwt: RS256 private key, PEM PKCS#8"),
                PropertyDoc.optional(a + ".jwt-issuer", "(none)", "jwt: `iss`"),
                PropertyDoc.optional(a + ".jwt-audience", "(none)", "jwt: `aud`"),
                PropertyDoc.of(a + ".jwt-subject", "jwt: `sub`"),
                PropertyDoc.optional(a + ".jwt-claims", "(none)", "jwt: extra claims, `name=value` pairs separated by "
                        + "commas"),
                PropertyDoc.of(a + ".jwt-lifetime", "jwt: lifetime, at most `5m`; minted again before it runs out"),
                PropertyDoc.optional(a + ".discovery-url", "(none)", "client-credentials: the OIDC discovery "
                        + "document; its `token_endpoint` is used"),
                PropertyDoc.optional(a + ".client-id", "(none)", "client-credentials: client id"),
                PropertyDoc.optional(a + ".client-secret", "(none)", "client-credentials: client secret (sent as HTTP "
                        + "Basic)"),
                PropertyDoc.optional(a + ".scope", "(none)", "client-credentials: scope"),
                PropertyDoc.of(h + ".enabled", "keep a persistent loopback WebSocket to the backend (only when "
                        + "`guardian.backend.url` is set)"),
                PropertyDoc.of(h + ".interval", "a ping every interval on that connection"),
                PropertyDoc.of(h + ".pong-timeout", "the pong must come within this"),
                PropertyDoc.of(h + ".missed-pongs", "consecutive missed pongs that fail the `heartbeat` check; the "
                        + "connection is then opened afresh"),
                PropertyDoc.optional(h + ".keepalive-message", "(none)", "a text frame sent with every ping, for "
                        + "balancers that do not count ping control frames as traffic"),
                PropertyDoc.of(h + ".backend-pings", "the backend's own pings on that connection, when the balancer's "
                        + "limits are known: an interval or a silence longer than the largest safe backend heartbeat "
                        + "is `warn`: logged and shown (`backend_ping_warning`); `fail`: fails the `heartbeat` check; "
                        + "`none`: the backend never pings by design, silence is not flagged (pings that come too far "
                        + "apart still are)"));
    }

    @Override
    public List<ConfigPrefix> prefixes() {
        return List.of(BACKEND, HEARTBEAT);
    }
}
