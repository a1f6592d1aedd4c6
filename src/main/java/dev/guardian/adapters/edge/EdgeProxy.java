package dev.guardian.adapters.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Edge mode: Guardian in the traffic path. Listens where clients connect and passes every HTTP request and WebSocket
 * to the backend on loopback, refusing new traffic while the gate says so, pinging every client connection that goes
 * quiet, rotating connections before the platform's lifetime cap and draining them on shutdown.
 * <p>
 * Decisions where the issue is silent:
 * <ul>
 * <li>One listening server per event loop (as many as processors); both legs of a connection stay on its loop.</li>
 * <li>A client that does not answer a ping within the pong timeout gets 1011 "keepalive ping timeout" (as Python's
 * websockets library sends); its TCP connection is cut if it does not answer that close either.</li>
 * <li>Drain: new requests and upgrades get 503 with Connection: close; each WebSocket gets 1001 at a random moment
 * inside the drain window (client and backend legs); in-flight HTTP requests finish and their connections close.
 * When nothing is open, or the window plus {@link EdgeLimits#DRAIN_GRACE} has passed (then the rest is cut), the
 * listener closes and {@link #drain()} completes. The edge never starts listening again.</li>
 * <li>Not ready with closeOnNotReady: every WebSocket closes at once with 1013 (try again later); reconnects meet the
 * gate's 503 until READY.</li>
 * <li>The cap counts client WebSockets and in-flight HTTP requests together, like Cloud Run's concurrency. Client TCP
 * connections are capped at twice that from their accept ({@link EdgeLimits#tcpConnections}).</li>
 * <li>Client TCP connections idle for {@link EdgeLimits#clientIdleTimeout} (60 s, or longer with long pings) are
 * closed, as nginx's proxy timeouts would.</li>
 * </ul>
 * Added to the contract: {@link #port()} (the port actually bound, for port 0), {@link #close()}, and the meter
 * {@code guardian_edge_upgrades_total}; the close label {@code by="limit"} for messages over the size limit; the
 * refusal reason {@code invalid} for an upgrade that is no WebSocket handshake (400, or 426 for another version).
 */
public final class EdgeProxy {
    private final Vertx vertx;
    private final EdgeRuntime edge;
    private final List<EdgeLoop> loops = new CopyOnWriteArrayList<>();
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile int port;

    public EdgeProxy(Vertx vertx, EdgeSettings settings, EdgeGate gate, MeterRegistry meters) {
        this.vertx = vertx;
        this.edge = new EdgeRuntime(settings, gate, new EdgeMetrics(meters));
    }

    /**
     * Listens: the first loop binds the port, the others share it (Vert.x spreads accepted connections over them).
     * Port 0 becomes Vert.x's -1, "one free port shared by these servers".
     */
    public Future<Void> start() {
        int count = Math.max(1, Runtime.getRuntime().availableProcessors());
        int listenOn = edge.settings.port() == 0 ? -1 : edge.settings.port();
        long share = edge.settings.maxBuffered() / count;
        Future<Void> chain = deploy(listenOn, share);
        for (int i = 1; i < count; i++) {
            chain = chain.compose(v -> deploy(listenOn, share));
        }
        return chain;
    }

    private Future<Void> deploy(int onPort, long bufferedShare) {
        EdgeLoop loop = new EdgeLoop(edge, onPort, bufferedShare);
        return vertx.deployVerticle(loop).map(id -> {
            deployments.add(id);
            loops.add(loop);
            port = loop.actualPort();
            return null;
        });
    }

    /** The port the edge listens on (the bound one when the settings asked for 0). */
    public int port() {
        return port;
    }

    /** Guardian left READY: with closeOnNotReady every WebSocket closes with 1013; new traffic meets the gate. */
    public void notReady() {
        if (edge.settings.closeOnNotReady()) {
            for (EdgeLoop loop : loops) {
                loop.run(loop::closeAllNotReady);
            }
        }
    }

    /** Stops accepting, closes every WebSocket over the drain window; completes when every connection is closed. */
    public Future<Void> drain() {
        edge.draining = true;
        List<Future<Void>> all = new ArrayList<>();
        for (EdgeLoop loop : loops) {
            Promise<Void> done = Promise.promise();
            loop.run(() -> loop.drain().onComplete(done));
            all.add(done.future());
        }
        return Future.all(all).mapEmpty();
    }

    /** Stops at once: every connection is cut and the listener closed (after drain(), only undeploys). */
    public Future<Void> close() {
        List<Future<Void>> all = new ArrayList<>();
        for (String id : deployments) {
            all.add(vertx.undeploy(id));
        }
        deployments.clear();
        return Future.all(all).mapEmpty();
    }

    /** Flat data for the {@code edge} entry of the health JSON. */
    public Map<String, Object> health() {
        EdgeSettings s = edge.settings;
        EdgeMetrics m = edge.metrics;
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("listening", s.host() + ":" + port);
        h.put("backend", s.backendHost() + ":" + s.backendPort());
        h.put("draining", edge.draining);
        h.put("connections", (long) m.open.get());
        h.put("in_use", (long) edge.capacity.used());
        h.put("max_connections", (long) s.maxConnections());
        h.put("tcp_connections", (long) edge.tcpConnections.used());
        h.put("max_tcp_connections", (long) edge.tcpConnections.max());
        h.put("tcp_connections_refused_total", m.tcpRefusedTotal.sum());
        h.put("buffered_bytes", m.buffered());
        h.put("max_buffered_bytes", (long) s.maxBuffered());
        h.put("upgrades_total", m.upgradesTotal.sum());
        h.put("upgrades_refused_total", m.refusedTotal.sum());
        h.put("http_requests_total", m.httpTotal.sum());
        h.put("closes_total", m.closesTotal.sum());
        h.put("rotations_total", m.rotationsTotal.sum());
        h.put("pings_total", m.pingsTotal.sum());
        h.put("missed_pongs_total", m.missedPongsTotal.sum());
        h.put("client_ping_interval_ms", s.clientPingInterval().toMillis());
        h.put("pong_timeout_ms", s.pongTimeout().toMillis());
        h.put("keepalive_message", s.keepaliveMessage() != null);
        h.put("rotation", s.maxLifetime() != null);
        if (s.maxLifetime() != null) {
            h.put("max_lifetime_ms", s.maxLifetime().toMillis());
            h.put("rotation_window_ms", s.rotationWindow().toMillis());
            h.put("rotation_margin_ms", s.rotationMargin().toMillis());
            h.put("rotation_code", (long) s.rotationCode());
        }
        h.put("close_on_not_ready", s.closeOnNotReady());
        h.put("drain_window_ms", s.drainWindow().toMillis());
        h.put("trust_forwarded_headers", s.trustForwarded());
        return h;
    }
}
