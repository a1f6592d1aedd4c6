package dev.guardian.checks.websocket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.guardian.checks.Resources;
import dev.guardian.config.Settings;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;

/**
 * Proves over loopback that the backend's WebSocket path works end to end: the upgrade must answer 101, then the
 * scripted exchange (or a ping) must complete on every concurrent session. Each connection is closed with 1000
 * when done, whatever happened.
 */
public final class WebSocketCheck implements Check {
    private final Settings.Backend target;
    private final TokenSource tokens;
    private final BackendConnector connector;

    private final AtomicBoolean goingAway;

    /** @param goingAway set when Guardian shuts down: connections then close with 1001 */
    public WebSocketCheck(Settings.Backend target, TokenSource tokens, AtomicBoolean goingAway) {
        this.target = target;
        this.tokens = tokens;
        this.goingAway = goingAway;
        this.connector = new BackendConnector(target);
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
        return Resources.using(() -> connector.connect(session, text -> session.substitute(text, bearer), bearer),
                waiting -> waiting.ifNoItem().after(connector.handshakeDeadline()).failWith(() -> new CheckFailure(
                        "no upgrade response within " + connector.handshakeDeadline().toMillis() + " ms")),
                conn -> {
                    session.upgraded();
                    return exchange.run(conn, session);
                },
                conn -> {
                    session.closingByUs();
                    conn.close(goingAway.get() ? HeartbeatKeeper.GOING_AWAY : BackendConnector.DONE).subscribe().with(ok -> {
                    }, failure -> {
                    });
                })
                .onFailure().transform(f -> BackendConnector.classify(f, session.details()));
    }

}
