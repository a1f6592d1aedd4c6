package dev.guardian.checks.websocket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.guardian.checks.Connections;
import dev.guardian.engine.Check;
import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.WebSocket;

/**
 * The gate: proves over loopback that the backend's WebSocket path works end to end. The upgrade must answer 101,
 * then the scripted exchange (or a ping) must complete on every concurrent session. Each connection is closed with
 * 1000 when done (1001 when Guardian shuts down), whatever happened; a session's next connect waits until its
 * previous one settled.
 */
final class GateCheck implements Check {
    private final Backend backend;
    private final Connector connector;
    private final SessionRegistry registry;
    private final Matching matching;
    private final List<Connections<WebSocket>> slots = new ArrayList<>();
    private final QueuedChars queued = new QueuedChars(Session.MAX_QUEUED_CHARS);
    private final AtomicBoolean goingAway = new AtomicBoolean();

    GateCheck(Backend backend, Connector connector, SessionRegistry registry, Matching matching) {
        this.backend = backend;
        this.connector = connector;
        this.registry = registry;
        this.matching = matching;
        for (int i = 0; i < backend.sessions(); i++) {
            slots.add(new Connections<>(this::close));
        }
    }

    @Override
    public Uni<Map<String, Object>> attempt() {
        return backend.tokens().token().chain(this::sessions);
    }

    @Override
    public void close() {
        goingAway.set(true);
    }

    private void close(WebSocket ws) {
        Connector.close(ws, goingAway.get() ? Connector.GOING_AWAY : Connector.DONE,
                goingAway.get() ? "guardian shutting down" : "guardian probe done");
    }

    private Uni<Map<String, Object>> sessions(String bearer) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Session> byToken = new LinkedHashMap<>();
        for (int i = 1; i <= backend.sessions(); i++) {
            String token = "s" + i + "-" + id;
            byToken.put(token, new Session(token, registry, backend.script() != null, queued));
        }
        registry.begin(id, byToken);
        List<Session> sessions = List.copyOf(byToken.values());
        List<Uni<Void>> runs = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            runs.add(run(slots.get(i), sessions.get(i), bearer));
        }
        Uni<Void> all = runs.size() == 1 ? runs.get(0) : Uni.combine().all().unis(runs).discardItems();
        return all.map(ignored -> merged(sessions)).onTermination().invoke(() -> {
            registry.end(id);
            sessions.forEach(Session::end);
        });
    }

    private Uni<Void> run(Connections<WebSocket> slot, Session session, String bearer) {
        Exchange exchange = new Exchange(backend, bearer, matching);
        return slot.using(() -> connector.connect(session, text -> session.substitute(text, bearer), bearer),
                waiting -> waiting.ifNoItem().after(backend.handshakeDeadline()).failWith(() -> new CheckFailure(
                        "no upgrade response within " + backend.handshakeDeadline().toMillis() + " ms")),
                conn -> {
                    session.upgraded();
                    return exchange.run(conn, session);
                }, conn -> {
                    session.closingByUs();
                    close(conn);
                })
                .onFailure().transform(f -> Connector.classify(f, session.details()));
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
}
