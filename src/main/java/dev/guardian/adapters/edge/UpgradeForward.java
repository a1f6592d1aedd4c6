package dev.guardian.adapters.edge;

import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A client's upgrade: the backend is asked first, with the client's headers and offered subprotocols, and the client
 * gets what the backend answered.
 * <p>
 * Subprotocols: the server's handshake (Netty) picks the first offered protocol its list supports, and the edge's
 * list is the wildcard "*". Once the backend has chosen, the request's Sec-WebSocket-Protocol is rewritten to that
 * one choice (or removed when the backend chose none) before the client's handshake, so the client gets exactly the
 * backend's choice. The backend's other 101 headers (Set-Cookie, custom ones) are passed on too.
 * <p>
 * The backend leg's handshake (Netty) fails when the client offered subprotocols and the backend accepted without
 * choosing one; the client then gets 502 with that reason. Browsers fail such a handshake themselves, so backends
 * that serve browsers choose one; a non-browser client that relies on it would need to offer none.
 * <p>
 * Refusals: a status other than 101 reaches the client with the backend's status, headers and body (up to
 * {@link EdgeLimits#REFUSAL_BODY_BYTES}); a backend that cannot be reached gives 502, one that does not answer the
 * upgrade within {@link EdgeLimits#BACKEND_UPGRADE_TIMEOUT_MS} 504.
 * <p>
 * permessage-deflate is negotiated on neither leg: frames pass as the application wrote them, and neither a
 * compression context per connection (tens of kilobytes each) nor the CPU to inflate and deflate every message is
 * spent.
 */
final class UpgradeForward {
    private final EdgeRuntime edge;
    private final WebSocketClient backends;
    private final Tunnels tunnels;
    /** Told when a proxied WebSocket has closed on both legs (the loop may have finished draining). */
    private final Runnable afterClose;

    UpgradeForward(EdgeRuntime edge, WebSocketClient backends, Tunnels tunnels, Runnable afterClose) {
        this.edge = edge;
        this.backends = backends;
        this.tunnels = tunnels;
        this.afterClose = afterClose;
    }

    void forward(HttpServerRequest req, Capacity.Slot slot) {
        req.pause();
        EdgeSettings s = edge.settings;
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(s.backendHost())
                .setPort(s.backendPort()).setURI(req.uri()).setHeaders(ForwardedHeaders.towardsBackend(req, true, s.trustForwarded()))
                .setAllowOriginHeader(false)
                .setTimeout(EdgeLimits.BACKEND_UPGRADE_TIMEOUT_MS);
        List<String> offered = offered(req);
        if (!offered.isEmpty()) {
            options.setSubProtocols(offered);
        }
        long started = System.nanoTime();
        backends.connect(options).onComplete(ar -> {
            if (ar.succeeded()) {
                accepted(req, ar.result(), slot);
            } else {
                refused(req, ar.cause(), started);
                req.resume();
                slot.release();
            }
        });
    }

    private void accepted(HttpServerRequest req, WebSocket backend, Capacity.Slot slot) {
        // Vert.x resumed it for this callback; its frames wait until the client's leg is ready.
        backend.pause();
        // The backend's 101 headers are only readable now, inside the connect callback.
        ForwardedHeaders.towardsClient(backend.headers(), req.response().headers(), true);
        Tunnel tunnel = new Tunnel(backend, edge, tunnels, () -> {
            slot.release();
            afterClose.run();
        });
        tunnel.watchBackend();
        String chosen = backend.subProtocol(); // "" when none was offered
        if (chosen == null || chosen.isEmpty()) {
            req.headers().remove("Sec-WebSocket-Protocol");
        } else {
            req.headers().set("Sec-WebSocket-Protocol", chosen);
        }
        req.toWebSocket().onComplete(ar -> {
            if (ar.succeeded()) {
                edge.metrics.upgraded();
                edge.metrics.open.incrementAndGet();
                tunnel.attach(ar.result());
            } else {
                // The client left meanwhile, or its handshake was refused by Netty.
                Answers.plain(req, 400, "invalid WebSocket upgrade", true);
                tunnel.abandon();
                slot.release();
            }
        });
    }

    private void refused(HttpServerRequest req, Throwable cause, long started) {
        if (cause instanceof UpgradeRejectedException rejected) {
            edge.metrics.upgradeRefused("backend_refused");
            relayRefusal(req, rejected);
            return;
        }
        if (cause instanceof WebSocketClientHandshakeException invalid) {
            edge.metrics.upgradeRefused("backend_refused");
            // Netty's message would quote the offered subprotocols, which some clients use to carry a token.
            Answers.plain(req, 502, invalid.getMessage() != null && invalid.getMessage().contains("subprotocol")
                    ? "backend accepted the upgrade but chose none of the offered subprotocols"
                    : "backend answered the upgrade with an invalid handshake", false);
            return;
        }
        edge.metrics.upgradeRefused("backend_unreachable");
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        if (waitedMillis >= EdgeLimits.BACKEND_UPGRADE_TIMEOUT_MS) {
            Answers.plain(req, 504, "backend did not answer the upgrade within "
                    + EdgeLimits.BACKEND_UPGRADE_TIMEOUT_MS + " ms", false);
        } else {
            Answers.plain(req, 502, "backend unreachable", false);
        }
    }

    private static void relayRefusal(HttpServerRequest req, UpgradeRejectedException rejected) {
        var resp = req.response();
        if (resp.headWritten() || resp.closed()) {
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.towardsClient(rejected.getHeaders(), headers, false);
        headers.remove("Content-Length");
        resp.headers().addAll(headers);
        Buffer body = rejected.getBody() == null ? Buffer.buffer() : rejected.getBody();
        if (body.length() > EdgeLimits.REFUSAL_BODY_BYTES) {
            body = body.getBuffer(0, EdgeLimits.REFUSAL_BODY_BYTES);
        }
        resp.setStatusCode(rejected.getStatus()).end(body);
    }

    /** The client's offered subprotocols, in its order (Sec-WebSocket-Protocol may be repeated or comma-separated). */
    private static List<String> offered(HttpServerRequest req) {
        List<String> protocols = new ArrayList<>();
        for (String header : req.headers().getAll("Sec-WebSocket-Protocol")) {
            for (String p : header.split(",")) {
                String t = p.trim();
                if (!t.isEmpty()) {
                    protocols.add(t);
                }
            }
        }
        return protocols;
    }
}
