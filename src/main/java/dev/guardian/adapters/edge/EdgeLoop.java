package dev.guardian.adapters.edge;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

/**
 * The edge on one event loop: its own listening server (Vert.x spreads accepted connections over the servers
 * sharing a port), its own clients to the backend, so both legs of a connection live on this loop, and its own
 * sweep. Requests pass the gate, then the cap, then go to the backend.
 */
final class EdgeLoop extends AbstractVerticle {
    private final EdgeRuntime edge;
    private final int port;
    private final Tunnels tunnels;
    private HttpServer server;
    private UpgradeForward upgrades;
    private HttpForward requests;
    private int httpInFlight;
    private long sweepTimer = -1;
    private long drainDeadlineNanos;
    private Promise<Void> drained;

    /** {@code bufferedShare}: this loop's part of max-buffered. */
    EdgeLoop(EdgeRuntime edge, int port, long bufferedShare) {
        this.edge = edge;
        this.port = port;
        this.tunnels = new Tunnels(edge.metrics.newLoop(), edge.metrics.newBuffered(bufferedShare));
    }

    @Override
    public void start(Promise<Void> started) {
        EdgeSettings s = edge.settings;
        WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(s.maxConnections()).setMaxFrameSize(s.maxFrameSize())
                .setMaxMessageSize(s.maxMessageSize()).setClosingTimeout(EdgeLimits.CLOSING_TIMEOUT_SECONDS)
                .setConnectTimeout(EdgeLimits.BACKEND_CONNECT_TIMEOUT_MS).setTryUsePerMessageCompression(false)
                .setTryUsePerFrameCompression(false).setTcpNoDelay(true));
        HttpClient httpClient = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                // Shorter than common backends' keep-alive (uvicorn: 5 s), so a reused connection is not one the
                // backend is closing.
                .setKeepAliveTimeout(4).setMaxPoolSize(EdgeLimits.BACKEND_HTTP_POOL)
                .setMaxWaitQueueSize(s.maxConnections()).setConnectTimeout(EdgeLimits.BACKEND_CONNECT_TIMEOUT_MS)
                .setDecompressionSupported(false).setTcpNoDelay(true));
        upgrades = new UpgradeForward(edge, wsClient, tunnels, this::drainedYet);
        requests = new HttpForward(edge, httpClient, tunnels.buffered);
        server = vertx.createHttpServer(serverOptions(s)).connectionHandler(this::accepted)
                .requestHandler(this::handle);
        server.listen(port, s.host()).onComplete(ar -> {
            if (ar.succeeded()) {
                sweepTimer = vertx.setPeriodic(EdgeLimits.sweepMillis(s), id -> sweep());
                started.complete();
            } else {
                started.fail(ar.cause());
            }
        });
    }

    private static HttpServerOptions serverOptions(EdgeSettings s) {
        return new HttpServerOptions()
                // The backend chooses; see UpgradeForward.
                .setWebSocketSubProtocols(List.of("*"))
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
                .setMaxWebSocketFrameSize(s.maxFrameSize()).setMaxWebSocketMessageSize(s.maxMessageSize())
                .setWebSocketClosingTimeout(EdgeLimits.CLOSING_TIMEOUT_SECONDS)
                // HTTP/1.1 only: Cloud Run's guidance is not to use end-to-end HTTP/2 with WebSockets.
                .setHttp2ClearTextEnabled(false).setHandle100ContinueAutomatically(true)
                .setIdleTimeout((int) EdgeLimits.clientIdleTimeout(s).toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true).setReuseAddress(true);
    }

    int actualPort() {
        return server.actualPort();
    }

    /** A client's TCP connection is counted from its accept; one over the cap is closed before it is read. */
    private void accepted(HttpConnection conn) {
        Capacity.Slot slot = edge.tcpConnections.acquire();
        if (slot == null) {
            edge.metrics.tcpRefused();
            conn.close();
            return;
        }
        conn.closeHandler(v -> slot.release());
        Reads.small(conn);
    }

    private void handle(HttpServerRequest req) {
        boolean upgrade = ForwardedHeaders.isWebSocketUpgrade(req);
        boolean draining = edge.draining;
        String refusal = draining ? "draining" : edge.gate.refusal();
        if (refusal != null) {
            refuse(req, upgrade, draining ? "draining" : "not_ready", refusal, draining);
            return;
        }
        Capacity.Slot slot = edge.capacity.acquire();
        if (slot == null) {
            refuse(req, upgrade, "capacity", "at capacity (" + edge.capacity.max() + " connections)", false);
            return;
        }
        if (upgrade) {
            String invalid = ForwardedHeaders.invalidUpgrade(req);
            if (invalid != null) {
                slot.release();
                edge.metrics.upgradeRefused("invalid");
                if (invalid.startsWith("unsupported")) {
                    req.response().putHeader("Sec-WebSocket-Version", "13");
                }
                Answers.plain(req, invalid.startsWith("unsupported") ? 426 : 400, invalid, false);
                return;
            }
            upgrades.forward(req, slot);
        } else {
            httpInFlight++;
            requests.forward(req, outcome -> {
                httpInFlight--;
                slot.release();
                edge.metrics.httpRequest(outcome);
                drainedYet();
            });
        }
    }

    private void refuse(HttpServerRequest req, boolean upgrade, String label, String reason, boolean close) {
        if (upgrade) {
            edge.metrics.upgradeRefused(label);
        } else {
            edge.metrics.httpRequest(label);
        }
        Answers.unavailable(req, reason, edge.settings.retryAfter(), close);
    }

    private void sweep() {
        long now = System.nanoTime();
        tunnels.sweep(now);
        if (drained != null && now - drainDeadlineNanos >= 0) {
            // The window and the grace are over: whatever is still open is cut, in-flight requests with it.
            tunnels.cutAll();
            finishDrain();
        } else {
            drainedYet();
        }
    }

    /** Not ready with closeOnNotReady: every WebSocket closes with 1013 (try again later). */
    void closeAllNotReady() {
        tunnels.closeAll(CloseCause.NOT_READY, CloseCodes.TRY_AGAIN_LATER, "not ready, reconnect later",
                "edge not ready");
    }

    /** Runs on this loop: spreads the closes over the window, completes when nothing is open any more. */
    Future<Void> drain() {
        if (drained == null) {
            drained = Promise.promise();
            long now = System.nanoTime();
            EdgeSettings s = edge.settings;
            tunnels.scheduleDrain(now, s.drainWindow().toNanos());
            drainDeadlineNanos = now + s.drainWindow().plus(EdgeLimits.DRAIN_GRACE).toNanos();
            drainedYet();
        }
        return drained.future();
    }

    private void drainedYet() {
        if (drained != null && tunnels.size() == 0 && httpInFlight == 0) {
            finishDrain();
        }
    }

    /** Closes the listener and every connection left (idle keep-alive ones, or what the deadline cut). */
    private void finishDrain() {
        if (sweepTimer != -1) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
            server.close().onComplete(closed -> drained.tryComplete());
        }
    }

    /** Runs {@code action} on this loop's event loop. */
    void run(Runnable action) {
        context.runOnContext(v -> action.run());
    }

    int openTunnels() {
        return tunnels.size();
    }

    int httpInFlight() {
        return httpInFlight;
    }

    @Override
    public void stop(Promise<Void> stopped) {
        if (sweepTimer != -1) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
        }
        tunnels.cutAll();
        server.close().onComplete(ar -> stopped.complete());
    }
}
