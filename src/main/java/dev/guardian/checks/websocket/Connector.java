package dev.guardian.checks.websocket;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import dev.guardian.netty.Cumulation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;

/**
 * Opens loopback WebSocket connections to the backend as configured (headers, subprotocols, token, deadline), for the
 * gate's probe connections and the heartbeat's kept one alike, on the checks' own Vert.x. Messages up to 1 MiB, in
 * frames up to 1 MiB; no compression. An upgrade that has not answered by the handshake deadline is dropped.
 */
final class Connector {
    static final short DONE = 1000;
    static final short GOING_AWAY = 1001;

    /** What a connection reports back, on the checks' event loop. */
    interface Listener {
        /**
         * The upgrade completed: called as soon as Vert.x reports it, before any other event (also when the caller has
         * given up waiting meanwhile: keep it to a timestamp).
         */
        default void onOpen() {
        }

        void onText(String message);

        void onBinary(int bytes);

        /** @param payload the pong's application data, which echoes the ping's */
        void onPong(Buffer payload);

        /** The backend pinged us (Vert.x answers with the pong itself). */
        default void onPing() {
        }

        /** @param code null when the connection ended without a close frame */
        void onClose(Short code, String reason);

        /** A protocol error on the connection: an oversized message, a corrupt frame. */
        default void onError(Throwable error) {
        }
    }

    private final Backend backend;
    private final WebSocketClient client;

    Connector(Vertx vertx, Backend backend) {
        this.backend = backend;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setConnectTimeout((int) backend.connectTimeout().toMillis())
                .setMaxMessageSize(Backend.MAX_MESSAGE_SIZE).setMaxFrameSize(Backend.MAX_MESSAGE_SIZE)
                .setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false)
                // A backend that stops reading never answers our close frame: drop TCP after a second.
                .setClosingTimeout(1));
    }

    /**
     * @param substitute replaces ${session} and ${token} in headers and the query
     * @param bearer the token, or null
     */
    Uni<WebSocket> connect(Listener listener, UnaryOperator<String> substitute, String bearer) {
        var uri = backend.uri();
        String query = uri.getRawQuery();
        if (bearer != null && backend.tokenQueryParam() != null) {
            String param = backend.tokenQueryParam() + "=" + URLEncoder.encode(bearer, StandardCharsets.UTF_8);
            query = query == null ? param : query + "&" + param;
        }
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (query == null ? "" : "?" + substitute.apply(query));
        boolean tls = "wss".equalsIgnoreCase(uri.getScheme());
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost())
                .setPort(uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort()).setSsl(tls).setURI(path)
                .setSubProtocols(backend.subprotocols().isEmpty() ? null : backend.subprotocols())
                // Vert.x drops a connection whose upgrade has not answered by then, so nothing stays open.
                .setTimeout(backend.handshakeDeadline().toMillis());
        for (Map.Entry<String, String> h : backend.headers().entrySet()) {
            options.addHeader(h.getKey(), substitute.apply(h.getValue()));
        }
        if (bearer != null && backend.tokenQueryParam() == null) {
            options.addHeader("Authorization", "Bearer " + bearer);
        }
        return UniHelper.toUni(client.connect(options).onSuccess(ws -> listener.onOpen()))
                .invoke(ws -> attach(ws, listener));
    }

    private static void attach(WebSocket ws, Listener listener) {
        Cumulation.sized(ws);
        ws.frameHandler(frame -> {
            if (frame.type() == WebSocketFrameType.PING) {
                listener.onPing();
            }
        });
        ws.textMessageHandler(listener::onText);
        ws.binaryMessageHandler(bytes -> listener.onBinary(bytes.length()));
        ws.pongHandler(listener::onPong);
        ws.exceptionHandler(listener::onError);
        ws.closeHandler(v -> listener.onClose(ws.closeStatusCode(), ws.closeReason()));
    }

    static void close(WebSocket ws, short code, String reason) {
        if (!ws.isClosed()) {
            ws.close(code, reason).onFailure(ignored -> {
                // already closing or reset: nothing left to release
            });
        }
    }

    /** The reason an SRE reads for a failed connection attempt. */
    static CheckFailure classify(Throwable failure, Map<String, Object> details) {
        if (failure instanceof CheckFailure cf) {
            return cf;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UpgradeRejectedException rejected) {
                return new CheckFailure("upgrade rejected with HTTP " + rejected.getStatus(),
                        Map.of("upgrade_status", (long) rejected.getStatus()));
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("subprotocol")) {
                return new CheckFailure("the upgrade answered with none of the offered subprotocols (" + message + ")",
                        details);
            }
        }
        return new CheckFailure(Failures.describe(failure), details);
    }
}
