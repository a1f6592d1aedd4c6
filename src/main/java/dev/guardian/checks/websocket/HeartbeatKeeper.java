package dev.guardian.checks.websocket;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.guardian.config.Secrets;
import dev.guardian.config.Settings;
import dev.guardian.engine.Attempt;
import dev.guardian.engine.ReadinessEngine;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketClientConnection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A persistent loopback WebSocket to the backend, apart from the gate's probe connections. Every interval it sends
 * a ping (and, if configured, an application-level keepalive text frame); the pong must come within the pong
 * timeout. Each pong or missed pong is one attempt of the {@code heartbeat} check, so the engine's thresholds apply:
 * {@code missed-pongs} consecutive misses make it fail. After that many misses, or when the connection closes, the
 * keeper reconnects with backoff and jitter. websocets-next's client auto-ping is ignored by
 * BasicWebSocketConnector and has no pong timeout, so the keeper owns its timer.
 */
public final class HeartbeatKeeper {
    public static final String NAME = "heartbeat";
    public static final CloseReason GOING_AWAY = new CloseReason(1001, "guardian shutting down");
    private static final Logger LOG = Logger.getLogger(HeartbeatKeeper.class);

    /** What metrics want to know beyond attempts. */
    public interface Observer {
        void pong(Duration rtt);

        void missedPong();

        void reconnected();
    }

    private final Vertx vertx;
    private final BackendConnector connector;
    private final TokenSource tokens;
    private final Settings.Heartbeat settings;
    private final ReadinessEngine engine;
    private final Observer observer;
    private final Secrets secrets;

    private WebSocketClientConnection connection;
    /** Which connection is current: events from an older one (closing late) are ignored. */
    private long generation;
    private Cancellable connecting;
    private boolean stopped;
    private boolean everConnected;
    private long sequence;
    private String awaited;
    private long sentNanos;
    private long pongTimer = -1;
    private long nextPing = -1;
    private int consecutiveMissed;
    private long pings;
    private long missedTotal;
    private long reconnects;
    private long rttLast = -1;
    private long rttMin = Long.MAX_VALUE;
    private long rttMax = -1;

    public HeartbeatKeeper(Vertx vertx, Settings.Backend backend, Settings.Heartbeat settings, TokenSource tokens,
            ReadinessEngine engine, Observer observer, Secrets secrets) {
        this.vertx = vertx;
        this.connector = new BackendConnector(backend);
        this.settings = settings;
        this.tokens = tokens;
        this.engine = engine;
        this.observer = observer;
        this.secrets = secrets;
    }

    public synchronized void start() {
        connect();
    }

    /** Closes the connection with 1001 (going away) and stops every timer. */
    public synchronized Uni<Void> stop() {
        stopped = true;
        if (connecting != null) {
            connecting.cancel();
        }
        vertx.cancelTimer(pongTimer);
        vertx.cancelTimer(nextPing);
        WebSocketClientConnection c = connection;
        connection = null;
        return c == null || c.isClosed() ? Uni.createFrom().voidItem()
                : c.close(GOING_AWAY).onFailure().recoverWithNull();
    }

    /** Forwards one connection's events, tagged with its generation. */
    private final class Link implements BackendConnector.Listener {
        private final long gen;

        Link(long gen) {
            this.gen = gen;
        }

        @Override
        public void onPong(String payload) {
            HeartbeatKeeper.this.onPong(gen, payload);
        }

        @Override
        public void onClose(CloseReason reason) {
            HeartbeatKeeper.this.onClose(gen, reason);
        }

        @Override
        public void onText(String frame) {
            // The backend may talk on the heartbeat connection; the keeper only cares about pongs.
        }

        @Override
        public void onBinary(int bytes) {
            // as above
        }
    }

    private void connect() {
        String session = "heartbeat";
        long gen = ++generation;
        connecting = Uni.createFrom().deferred(() -> tokens.token()
                .chain(bearer -> connector.connectWithin(new Link(gen), t -> substitute(t, session, bearer), bearer)))
                .onFailure().invoke(f -> report(null, BackendConnector.classify(f, Map.of()).getMessage()
                        .transform(reason -> "cannot open the heartbeat connection: " + reason)))
                .onFailure().retry().withBackOff(settings.timing().retryInterval(), settings.timing().retryMaxInterval())
                .withJitter(settings.timing().jitter()).indefinitely()
                .subscribe().with(this::connected, f -> LOG.errorf("heartbeat keeper stopped: %s", f));
    }

    private static String substitute(String text, String session, String bearer) {
        String out = text.replace("${session}", session);
        return bearer == null ? out : out.replace("${token}", bearer);
    }

    private void connected(WebSocketClientConnection conn) {
        synchronized (this) {
            if (stopped) {
                conn.close(GOING_AWAY).subscribe().with(ok -> {
                }, f -> {
                });
                return;
            }
            connection = conn;
            consecutiveMissed = 0;
            if (everConnected) {
                reconnects++;
                observer.reconnected();
            }
            everConnected = true;
        }
        ping();
    }

    private void ping() {
        WebSocketClientConnection conn;
        String payload;
        synchronized (this) {
            conn = connection;
            if (stopped || conn == null) {
                return;
            }
            payload = "guardian-" + (++sequence);
            awaited = payload;
            sentNanos = System.nanoTime();
            pings++;
            pongTimer = vertx.setTimer(settings.pongTimeout().toMillis(), id -> missed(payload));
        }
        conn.sendPing(Buffer.buffer(payload)).subscribe().with(ok -> {
        }, f -> {
        });
        if (settings.keepaliveMessage() != null) {
            conn.sendText(settings.keepaliveMessage()).subscribe().with(ok -> {
            }, f -> {
            });
        }
    }

    private void onPong(long gen, String payload) {
        long rtt;
        synchronized (this) {
            if (gen != generation || !payload.equals(awaited)) {
                return; // a late pong for a ping already counted as missed
            }
            awaited = null;
            vertx.cancelTimer(pongTimer);
            rtt = System.nanoTime() - sentNanos;
            rttLast = rtt;
            rttMin = Math.min(rttMin, rtt);
            rttMax = Math.max(rttMax, rtt);
            consecutiveMissed = 0;
            nextPing = vertx.setTimer(Math.max(1, settings.interval().toMillis()), id -> ping());
        }
        observer.pong(Duration.ofNanos(rtt));
        report(rtt, null);
    }

    private void missed(String payload) {
        boolean reconnect;
        int missed;
        synchronized (this) {
            if (!payload.equals(awaited) || stopped) {
                return;
            }
            awaited = null;
            consecutiveMissed++;
            missedTotal++;
            missed = consecutiveMissed;
            reconnect = consecutiveMissed >= settings.missedPongs();
        }
        observer.missedPong();
        report(null, "no pong within " + settings.pongTimeout().toMillis() + " ms (" + missed
                + " consecutive missed pong" + (missed == 1 ? "" : "s") + ")");
        if (reconnect) {
            // The connection may be dead (half-open) or the backend stalled: start afresh.
            WebSocketClientConnection stale;
            synchronized (this) {
                stale = connection;
                connection = null;
            }
            if (stale != null) {
                stale.close(BackendConnector.DONE).subscribe().with(ok -> {
                }, f -> {
                });
            }
            synchronized (this) {
                if (!stopped) {
                    connect();
                }
            }
        } else {
            ping();
        }
    }

    private void onClose(long gen, CloseReason reason) {
        synchronized (this) {
            if (stopped || gen != generation || connection == null) {
                return; // our own close, or an old connection's
            }
            connection = null;
            awaited = null;
            vertx.cancelTimer(pongTimer);
            vertx.cancelTimer(nextPing);
        }
        report(null, "heartbeat connection closed by the server" + (reason == null ? ""
                : " with code " + reason.getCode() + (reason.getMessage() == null || reason.getMessage().isEmpty()
                        ? "" : " (" + reason.getMessage() + ")")));
        synchronized (this) {
            if (!stopped) {
                connect();
            }
        }
    }

    private void report(Long rttNanos, String error) {
        engine.record(new Attempt(NAME, Instant.now(), rttNanos == null ? 0 : rttNanos,
                error == null ? null : secrets.scrub(error), false, details()));
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
        return d;
    }
}
