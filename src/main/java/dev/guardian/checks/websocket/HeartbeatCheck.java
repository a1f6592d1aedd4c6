package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.guardian.checks.Connections;
import dev.guardian.config.Setting;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;

/**
 * A kept loopback WebSocket to the backend, apart from the gate's probe connections, pinged by the engine like any
 * check: an attempt is one ping on the kept connection (opened first when there is none), and its pong must come
 * within the pong timeout. After {@code missed-pongs} misses in a row, or when the server closes it, the connection is
 * dropped and a later attempt opens a new one, after the engine's backoff: a backend that closes every connection at
 * once is reconnected to a few times a second at first, then every few seconds, never in a storm.
 *
 * <p>Beside its own pings it watches the backend's: their interval and silence on the kept connection are judged by
 * {@link PingCadence} (warned about, or failing the attempt, as {@code backend-pings} says), one timestamp per ping.
 */
final class HeartbeatCheck implements Check {
    static final String NAME = "heartbeat";
    private static final Logger BALANCER_LOG = Logger.getLogger("dev.guardian.load-balancer");

    private final Backend backend;
    private final Connector connector;
    private final Heartbeat settings;
    private final WebSocketMeters meters;
    private final SessionRegistry registry;
    private final PingCadence cadence;
    private final Connections<WebSocket> connecting = new Connections<>(ws -> {
        // a connection is kept, not released per attempt; one arriving too late is closed by the attempt itself
    });

    private WebSocket connection;
    /** Which connection is current: events of an older one (closing late) are ignored. */
    private long generation;
    /** Why the server closed the kept connection, to report at the next attempt; null when it did not. */
    private String closedBecause;
    private boolean goingAway;
    private boolean everConnected;
    private long sequence;
    private String awaited;
    private long sentNanos;
    private UniEmitter<? super Long> pongWaiter;
    private int consecutiveMissed;
    private long pings;
    private long missedTotal;
    private long reconnects;
    private long rttLast = -1;
    private long rttMin = Long.MAX_VALUE;
    private long rttMax = -1;
    /** The backend's pings on the current connection; null while there is none. */
    private PingObservation backendPings;
    /** The cadence verdict last logged; null: safe, or never judged. */
    private PingCadence.Kind logged;

    HeartbeatCheck(Backend backend, Connector connector, Heartbeat settings, WebSocketMeters meters,
            SessionRegistry registry, PingCadence cadence) {
        this.backend = backend;
        this.connector = connector;
        this.settings = settings;
        this.meters = meters;
        this.registry = registry;
        this.cadence = cadence;
        meters.backendCadence(this::backendPingIntervalSeconds, this::backendPingSilenceSeconds,
                this::backendPingsUnsafe);
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        String closed;
        synchronized (this) {
            closed = closedBecause;
            closedBecause = null;
        }
        if (closed != null) {
            return Uni.createFrom().failure(new CheckFailure(closed, details()));
        }
        return connection().chain(this::ping).map(rtt -> afterPong())
                .onFailure(f -> !(f instanceof CheckFailure))
                .transform(f -> new CheckFailure(Connector.classify(f, Map.of()).getMessage(), details()));
    }

    /** The kept connection, opened first when there is none. */
    private Uni<WebSocket> connection() {
        long gen;
        synchronized (this) {
            if (connection != null) {
                return Uni.createFrom().item(connection);
            }
            gen = ++generation;
        }
        Link link = new Link(gen);
        // The token first, under its own deadline, so that a silent identity provider is named as such.
        return backend.tokens().token().chain(bearer -> connecting.using(() -> connector.connect(link,
                text -> Script.substitute(text, NAME, bearer), bearer),
                waiting -> waiting.ifNoItem().after(backend.handshakeDeadline()).failWith(() -> new CheckFailure(
                        "no upgrade response within " + backend.handshakeDeadline().toMillis() + " ms")),
                ws -> kept(ws, link), this::keptOrClosed))
                .onFailure().transform(f -> new CheckFailure("cannot open the heartbeat connection: "
                        + Connector.classify(f, Map.of()).getMessage(), details()));
    }

    private Uni<WebSocket> kept(WebSocket ws, Link link) {
        synchronized (this) {
            if (!goingAway && link.gen == generation) {
                connection = ws;
                backendPings = new PingObservation(link.opened != 0 ? link.opened : System.nanoTime());
                consecutiveMissed = 0;
                if (everConnected) {
                    reconnects++;
                    meters.reconnected();
                }
                everConnected = true;
            }
        }
        return Uni.createFrom().item(ws);
    }

    /** Released at the end of the connecting attempt: kept unless it is not the current connection (late, or going away). */
    private void keptOrClosed(WebSocket ws) {
        boolean current;
        synchronized (this) {
            current = ws == connection;
        }
        if (!current) {
            Connector.close(ws, Connector.GOING_AWAY, "guardian heartbeat not needed");
        }
    }

    /** One connection's events, tagged with its generation. */
    private final class Link implements Connector.Listener {
        private final long gen;
        /** When the upgrade completed: a server's first ping is due one interval after it. */
        private volatile long opened;

        Link(long gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen() {
            opened = System.nanoTime();
        }

        @Override
        public void onPong(Buffer payload) {
            HeartbeatCheck.this.onPong(gen, payload);
        }

        @Override
        public void onPing() {
            HeartbeatCheck.this.onBackendPing(gen);
        }

        @Override
        public void onClose(Short code, String reason) {
            HeartbeatCheck.this.onClose(gen, code, reason);
        }

        @Override
        public void onText(String message) {
            registry.heartbeatReceived(message); // a probe session's reply landing here is a cross-session leak
        }

        @Override
        public void onBinary(int bytes) {
            // The backend may talk on the heartbeat connection; only pongs matter here.
        }
    }

    private Uni<Long> ping(WebSocket ws) {
        return Uni.createFrom().<Long> emitter(emitter -> {
            String payload;
            synchronized (this) {
                payload = "guardian-" + (++sequence);
                awaited = payload;
                sentNanos = System.nanoTime();
                pings++;
                pongWaiter = emitter;
            }
            ws.writePing(Buffer.buffer(payload));
            if (settings.keepaliveMessage() != null) {
                ws.writeTextMessage(settings.keepaliveMessage());
            }
        }).ifNoItem().after(settings.pongTimeout()).failWith(() -> missed(ws));
    }

    private void onPong(long gen, Buffer payload) {
        UniEmitter<? super Long> waiter;
        long rtt;
        synchronized (this) {
            if (gen != generation || awaited == null || !awaited.equals(payload.toString())) {
                return; // a late pong for a ping already counted as missed, or an unsolicited one
            }
            awaited = null;
            rtt = System.nanoTime() - sentNanos;
            rttLast = rtt;
            rttMin = Math.min(rttMin, rtt);
            rttMax = Math.max(rttMax, rtt);
            consecutiveMissed = 0;
            waiter = pongWaiter;
            pongWaiter = null;
        }
        meters.pong(rtt);
        if (waiter != null) {
            waiter.complete(rtt);
        }
    }

    private CheckFailure missed(WebSocket ws) {
        int missed;
        boolean drop;
        synchronized (this) {
            awaited = null;
            pongWaiter = null;
            consecutiveMissed++;
            missedTotal++;
            missed = consecutiveMissed;
            drop = missed >= settings.missedPongs() && connection == ws;
            if (drop) {
                connection = null; // the connection may be dead (half-open) or the backend stalled: start afresh
                backendPings = null;
            }
        }
        meters.missedPong();
        if (drop) {
            Connector.close(ws, Connector.DONE, "guardian heartbeat: pongs missed");
        }
        return new CheckFailure("no pong within " + settings.pongTimeout().toMillis() + " ms (" + missed
                + " consecutive missed pong" + (missed == 1 ? "" : "s") + ")", details());
    }

    private void onClose(long gen, Short code, String reason) {
        UniEmitter<? super Long> waiter;
        String because = "heartbeat connection closed by the server" + (code == null ? ""
                : " with code " + code + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")"));
        synchronized (this) {
            if (goingAway || gen != generation || connection == null) {
                return; // our own close, or an old connection's
            }
            connection = null;
            backendPings = null;
            awaited = null;
            waiter = pongWaiter;
            pongWaiter = null;
            if (waiter == null) {
                closedBecause = because; // reported by the next attempt, which then waits its backoff
            }
        }
        if (waiter != null) {
            waiter.fail(new CheckFailure(because, details()));
        }
    }

    @Override
    public void close() {
        WebSocket ws;
        synchronized (this) {
            goingAway = true;
            ws = connection;
            connection = null;
            backendPings = null;
        }
        if (ws != null) {
            Connector.close(ws, Connector.GOING_AWAY, "guardian shutting down");
        }
    }

    /** The backend pinged the kept connection (Vert.x has answered it): one timestamp, and the verdict if it moved. */
    private void onBackendPing(long gen) {
        PingCadence.Finding finding;
        synchronized (this) {
            if (gen != generation || backendPings == null) {
                return; // an older connection's
            }
            long now = System.nanoTime();
            backendPings.ping(now);
            finding = cadenceNow(now);
        }
        meters.backendPing();
        logIfChanged(finding);
    }

    /** The pong came: the attempt passes, unless the backend's cadence is unsafe and configured to fail it. */
    private Map<String, Object> afterPong() {
        PingCadence.Finding finding;
        synchronized (this) {
            finding = cadenceNow(System.nanoTime());
        }
        logIfChanged(finding);
        if (finding != null && cadence.mode() == BackendPings.FAIL) {
            throw new CheckFailure(finding.text(), details());
        }
        return details();
    }

    /** Under the lock. Null when safe, unknown, or there is no connection. */
    private PingCadence.Finding cadenceNow(long now) {
        return backendPings == null ? null : cadence.judge(backendPings.interval(), backendPings.silence(now));
    }

    /**
     * One WARN line per change of verdict (safe, unsafe interval, unsafe silence), not per attempt. Back to safe is
     * said only on evidence, a ping at a safe interval, not because a new connection has seen nothing yet.
     */
    private void logIfChanged(PingCadence.Finding finding) {
        PingCadence.Kind kind = finding == null ? null : finding.kind();
        Duration interval;
        synchronized (this) {
            interval = backendPings == null ? null : backendPings.interval();
            if (kind == logged || (kind == null && interval == null)) {
                return;
            }
            logged = kind;
        }
        if (finding != null) {
            BALANCER_LOG.warnf("%s (%s): %s", NAME, backend.display(), finding.text());
        } else {
            BALANCER_LOG.infof("%s (%s): the backend's pings fit the balancer again: they came %d ms apart, the "
                    + "largest safe value is %s", NAME, backend.display(), interval.toMillis(),
                    Setting.human(cadence.largestSafe()));
        }
    }

    private synchronized Number backendPingIntervalSeconds() {
        Duration interval = backendPings == null ? null : backendPings.interval();
        return interval == null ? Double.NaN : interval.toNanos() / 1e9;
    }

    private synchronized Number backendPingSilenceSeconds() {
        return backendPings == null ? Double.NaN : backendPings.silence(System.nanoTime()).toNanos() / 1e9;
    }

    private synchronized Number backendPingsUnsafe() {
        return cadenceNow(System.nanoTime()) == null ? 0 : 1;
    }

    private synchronized Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("connected", connection != null);
        d.put("pings", pings);
        d.put("missed_pongs_total", missedTotal);
        d.put("consecutive_missed_pongs", (long) consecutiveMissed);
        d.put("reconnects", reconnects);
        d.put("interval_ms", settings.interval().toMillis());
        d.put("pong_timeout_ms", settings.pongTimeout().toMillis());
        if (rttLast >= 0) {
            d.put("rtt_last_us", rttLast / 1_000);
            d.put("rtt_min_us", rttMin / 1_000);
            d.put("rtt_max_us", rttMax / 1_000);
        }
        if (backendPings != null) {
            long now = System.nanoTime();
            d.put("backend_pings", backendPings.pings());
            Duration interval = backendPings.interval();
            if (interval != null) {
                d.put("backend_ping_interval_ms", interval.toMillis());
            }
            d.put("backend_ping_silence_ms", backendPings.silence(now).toMillis());
            PingCadence.Finding finding = cadenceNow(now);
            if (finding != null) {
                d.put("backend_ping_warning", finding.text());
            }
        }
        return d;
    }
}
