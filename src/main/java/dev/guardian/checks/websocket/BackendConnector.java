package dev.guardian.checks.websocket;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import dev.guardian.config.Settings;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketClientConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.UpgradeRejectedException;

/**
 * Opens a loopback WebSocket connection to the backend as configured (headers, subprotocols, token, deadlines),
 * for the gate's probe connections and for the heartbeat keeper alike.
 */
public final class BackendConnector {
    public static final CloseReason DONE = new CloseReason(1000, "guardian probe done");

    /** What a connection reports back. Called on the event loop. */
    public interface Listener {
        void onText(String frame);

        void onBinary(int bytes);

        /** @param payload the pong's application data, which echoes the ping's */
        void onPong(String payload);

        void onClose(CloseReason reason);

        /** A protocol error on the connection: an oversized message, a corrupt frame. */
        default void onError(Throwable error) {
        }
    }

    private final Settings.Backend target;

    public BackendConnector(Settings.Backend target) {
        this.target = target;
    }

    /** connect-timeout + upgrade-timeout: by then the 101 must have arrived. */
    public Duration handshakeDeadline() {
        return target.connectTimeout().plus(target.upgradeTimeout());
    }

    /**
     * @param substitute replaces ${session} and ${token} in headers and the query
     * @param bearer the token, or null
     */
    public Uni<WebSocketClientConnection> connect(Listener listener, UnaryOperator<String> substitute, String bearer) {
        URI uri = target.uri();
        String query = uri.getRawQuery();
        if (bearer != null && target.auth().queryParam() != null) {
            String param = target.auth().queryParam() + "=" + URLEncoder.encode(bearer, StandardCharsets.UTF_8);
            query = query == null ? param : query + "&" + param;
        }
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (query == null ? "" : "?" + substitute.apply(query));
        long handshake = handshakeDeadline().toMillis();
        BasicWebSocketConnector connector = BasicWebSocketConnector.create()
                .baseUri(URI.create(uri.getScheme() + "://" + uri.getHost()
                        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())))
                .path(path)
                .executionModel(BasicWebSocketConnector.ExecutionModel.NON_BLOCKING)
                .onTextMessage((c, text) -> listener.onText(text))
                .onBinaryMessage((c, bytes) -> listener.onBinary(bytes.length()))
                .onPong((c, data) -> listener.onPong(data.toString()))
                .onClose((c, reason) -> listener.onClose(reason))
                .onError((c, error) -> listener.onError(error))
                .customizeOptions((connectOptions, clientOptions) -> {
                    clientOptions.setConnectTimeout((int) target.connectTimeout().toMillis());
                    clientOptions.setMaxMessageSize(target.maxMessageSize());
                    clientOptions.setMaxFrameSize(Math.min(target.maxMessageSize(), 65_536));
                    // A backend that stops reading never answers our close frame: drop TCP after a second.
                    clientOptions.setClosingTimeout(1);
                    // Vert.x drops a connection whose upgrade does not answer in time, so nothing stays open. For the
                    // handshake Vert.x 4.5 takes the idle timeout over the timeout when it is set: set both.
                    connectOptions.setTimeout(handshake);
                    connectOptions.setIdleTimeout(handshake);
                });
        for (Map.Entry<String, String> h : target.headers().entrySet()) {
            connector.addHeader(h.getKey(), substitute.apply(h.getValue()));
        }
        if (bearer != null && target.auth().queryParam() == null) {
            connector.addHeader("Authorization", "Bearer " + bearer);
        }
        target.subprotocols().forEach(connector::addSubprotocol);
        return connector.connect();
    }

    /**
     * Connects with the handshake deadline. A connection that arrives after the deadline is closed on arrival, so
     * a slow upgrade cannot leave a connection open behind a failed attempt.
     */
    public Uni<WebSocketClientConnection> connectWithin(Listener listener, UnaryOperator<String> substitute,
            String bearer) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<WebSocketClientConnection> arrived = new CompletableFuture<>();
            AtomicBoolean abandoned = new AtomicBoolean();
            connect(listener, substitute, bearer).subscribe().with(conn -> {
                if (abandoned.get()) {
                    conn.close(DONE).subscribe().with(ok -> {
                    }, failure -> {
                    });
                } else {
                    arrived.complete(conn);
                }
            }, arrived::completeExceptionally);
            return Uni.createFrom().completionStage(arrived).ifNoItem().after(handshakeDeadline())
                    .failWith(() -> {
                        abandoned.set(true);
                        arrived.thenAccept(conn -> conn.close(DONE).subscribe().with(ok -> {
                        }, failure -> {
                        }));
                        return new CheckFailure("no upgrade response within " + handshakeDeadline().toMillis() + " ms");
                    });
        });
    }

    /** The reason an SRE reads for a failed connection attempt. */
    public static CheckFailure classify(Throwable failure, Map<String, Object> details) {
        if (failure instanceof CheckFailure cf) {
            return cf;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UpgradeRejectedException rejected) {
                return new CheckFailure("upgrade rejected with HTTP " + rejected.getStatus(),
                        Map.of("upgrade_status", (long) rejected.getStatus()));
            }
        }
        String message = String.valueOf(failure.getMessage());
        if (message.startsWith("Invalid subprotocol")) {
            return new CheckFailure("the upgrade answered with none of the offered subprotocols (" + message + ")",
                    details);
        }
        return new CheckFailure(Failures.describe(failure), details);
    }
}
