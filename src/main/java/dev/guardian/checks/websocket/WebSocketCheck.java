package dev.guardian.checks.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.guardian.checks.Resources;
import dev.guardian.config.Settings;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import dev.guardian.engine.Failures;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketClientConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.UpgradeRejectedException;

/**
 * Proves over loopback that the backend's WebSocket path works end to end: the upgrade must answer 101, then the
 * scripted exchange (or a ping) must complete on every concurrent session. Each connection is closed with 1000
 * when done, whatever happened.
 */
public final class WebSocketCheck implements Check {
    static final CloseReason DONE = new CloseReason(1000, "guardian probe done");

    private final Settings.Backend target;
    private final TokenSource tokens;

    public WebSocketCheck(Settings.Backend target, TokenSource tokens) {
        this.target = target;
        this.tokens = tokens;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public String target() {
        return target.display();
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return tokens.token().chain(this::sessions);
    }

    private Uni<Map<String, Object>> sessions(String bearer) {
        List<String> sessionTokens = new ArrayList<>();
        String attempt = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 1; i <= target.sessions(); i++) {
            sessionTokens.add("s" + i + "-" + attempt);
        }
        List<Session> sessions = new ArrayList<>();
        List<Uni<Void>> runs = new ArrayList<>();
        for (String token : sessionTokens) {
            Session s = new Session(token, sessionTokens.stream().filter(t -> !t.equals(token)).toList());
            sessions.add(s);
            runs.add(run(s, bearer));
        }
        Uni<Void> all = runs.size() == 1 ? runs.get(0) : Uni.combine().all().unis(runs).discardItems();
        return all.map(ignored -> merged(sessions));
    }

    /** The slowest session's timings: what the backend's worst connection saw. */
    private static Map<String, Object> merged(List<Session> sessions) {
        Map<String, Object> out = new LinkedHashMap<>();
        long unexpected = 0;
        for (Session s : sessions) {
            for (Map.Entry<String, Object> e : s.details().entrySet()) {
                if (e.getValue() instanceof Long l && e.getKey().endsWith("_us")) {
                    out.merge(e.getKey(), l, (a, b) -> Math.max((Long) a, (Long) b));
                } else if (e.getKey().equals("unexpected_frames")) {
                    unexpected += (Long) e.getValue();
                } else {
                    out.put(e.getKey(), e.getValue());
                }
            }
        }
        out.put("unexpected_frames", unexpected);
        out.put("sessions", (long) sessions.size());
        return out;
    }

    private Uni<Void> run(Session session, String bearer) {
        Exchange exchange = new Exchange(target.script(), target.stepTimeout(), target.pingTimeout(), bearer);
        return Resources.using(() -> connect(session, bearer),
                waiting -> waiting.ifNoItem().after(target.connectTimeout().plus(target.upgradeTimeout()))
                        .failWith(() -> new CheckFailure("no upgrade response within "
                                + target.connectTimeout().plus(target.upgradeTimeout()).toMillis() + " ms")),
                conn -> {
                    session.upgraded();
                    return exchange.run(conn, session);
                },
                conn -> {
                    session.closingByUs();
                    conn.close(DONE).subscribe().with(ok -> {
                    }, failure -> {
                    });
                })
                .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> classify(f, session));
    }

    private Uni<WebSocketClientConnection> connect(Session session, String bearer) {
        URI uri = target.uri();
        String query = uri.getRawQuery();
        if (bearer != null && target.auth().queryParam() != null) {
            String param = target.auth().queryParam() + "=" + java.net.URLEncoder.encode(bearer,
                    java.nio.charset.StandardCharsets.UTF_8);
            query = query == null ? param : query + "&" + param;
        }
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (query == null ? "" : "?" + session.substitute(query, bearer));
        BasicWebSocketConnector connector = BasicWebSocketConnector.create()
                .baseUri(URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())))
                .path(path)
                .executionModel(BasicWebSocketConnector.ExecutionModel.NON_BLOCKING)
                .onTextMessage((c, text) -> session.onText(text))
                .onBinaryMessage((c, bytes) -> session.onBinary(bytes.length()))
                .onPong((c, data) -> session.onPong())
                .onClose((c, reason) -> session.onClose(reason))
                .customizeOptions((connectOptions, clientOptions) -> {
                    clientOptions.setConnectTimeout((int) target.connectTimeout().toMillis());
                    clientOptions.setMaxMessageSize(target.maxMessageSize());
                    // A backend that stops reading never answers our close frame: drop TCP after a second.
                    clientOptions.setClosingTimeout(1);
                    clientOptions.setMaxFrameSize(Math.min(target.maxMessageSize(), 65_536));
                    // Vert.x drops a connection whose upgrade does not answer in time, so nothing stays open. For the
                    // handshake Vert.x 4.5 takes the idle timeout over the timeout when it is set: set both.
                    long handshake = target.connectTimeout().plus(target.upgradeTimeout()).toMillis();
                    connectOptions.setTimeout(handshake);
                    connectOptions.setIdleTimeout(handshake);
                });
        for (Map.Entry<String, String> h : target.headers().entrySet()) {
            connector.addHeader(h.getKey(), session.substitute(h.getValue(), bearer));
        }
        if (bearer != null && target.auth().queryParam() == null) {
            connector.addHeader("Authorization", "Bearer " + bearer);
        }
        target.subprotocols().forEach(connector::addSubprotocol);
        return connector.connect();
    }

    private static Throwable classify(Throwable failure, Session session) {
        Throwable t = failure;
        while (t != null && !(t instanceof UpgradeRejectedException)) {
            t = t.getCause();
        }
        if (t instanceof UpgradeRejectedException rejected) {
            return new CheckFailure("upgrade rejected with HTTP " + rejected.getStatus(),
                    Map.of("upgrade_status", (long) rejected.getStatus()));
        }
        String message = String.valueOf(failure.getMessage());
        if (message.startsWith("Invalid subprotocol")) {
            return new CheckFailure("the upgrade answered with none of the offered subprotocols (" + message + ")",
                    session.details());
        }
        return new CheckFailure(Failures.describe(failure), session.details());
    }
}
