package dev.guardian.checks.websocket;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.guardian.engine.CheckFailure;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;

/**
 * Runs the script (or, without one, a ping) on one upgraded connection. An expectation that does not match is a
 * failure, never a pass: a frame that matches a later element of a sequence is "out of order"; a frame that matches
 * nothing is recorded as unexpected and waiting goes on until the step's deadline. Without a script only the pong
 * that echoes this attempt's own ping counts.
 */
final class Exchange {
    private final Script script;
    private final Duration stepTimeout;
    private final Duration pingTimeout;
    private final String bearer;
    private final Matching matching;

    Exchange(Backend backend, String bearer, Matching matching) {
        this.script = backend.script();
        this.stepTimeout = backend.stepTimeout();
        this.pingTimeout = backend.pingTimeout();
        this.bearer = bearer;
        this.matching = matching;
    }

    Uni<Void> run(WebSocket conn, Session session) {
        Uni<Void> exchange = script == null ? ping(conn, session) : steps(conn, session, 0);
        return exchange.invoke(session::done);
    }

    private Uni<Void> ping(WebSocket conn, Session session) {
        session.at("the ping");
        String payload = "guardian-" + UUID.randomUUID().toString().substring(0, 8);
        session.expectPong(payload);
        return UniHelper.toUni(conn.writePing(Buffer.buffer(payload))).chain(session::pong)
                .ifNoItem().after(pingTimeout).failWith(() -> new CheckFailure(
                        "ping not answered within " + pingTimeout.toMillis() + " ms", session.details()));
    }

    private Uni<Void> steps(WebSocket conn, Session session, int index) {
        if (index == script.steps().size()) {
            return Uni.createFrom().voidItem();
        }
        Script.Step step = script.steps().get(index);
        String label = "step " + (index + 1) + " (" + step.describe() + ")";
        session.at(label);
        Uni<Void> run = step instanceof Script.Send send
                ? UniHelper.toUni(conn.writeTextMessage(session.substitute(send.text(), bearer)))
                        .onFailure(f -> !(f instanceof CheckFailure)).transform(f -> failed(session,
                                "could not send " + label + ": " + f.getMessage()))
                : expect((Script.Expect) step, label, session);
        return run.chain(() -> steps(conn, session, index + 1));
    }

    private Uni<Void> expect(Script.Expect step, String label, Session session) {
        Duration within = step.timeout() == null ? stepTimeout : step.timeout();
        long deadline = System.nanoTime() + within.toNanos();
        return awaitMatch(step.sequence(), 0, deadline, label, within, session);
    }

    private Uni<Void> awaitMatch(List<Script.Matcher> sequence, int position, long deadline, String label,
            Duration within, Session session) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return Uni.createFrom().failure(() -> timedOut(sequence, position, label, within, session));
        }
        return session.next()
                .ifNoItem().after(Duration.ofNanos(remaining))
                .failWith(() -> timedOut(sequence, position, label, within, session))
                .chain(frame -> matching.classify(sequence, position, frame, t -> session.substitute(t, bearer), label)
                        .onFailure(CheckFailure.class::isInstance).transform(f -> failed(session, f.getMessage()))
                        .chain(outcome -> switch (outcome) {
                            case MATCH -> position + 1 == sequence.size() ? Uni.createFrom().voidItem()
                                    : awaitMatch(sequence, position + 1, deadline, label, within, session);
                            case LATER -> Uni.createFrom().failure(failed(session, label + " expected "
                                    + sequence.get(position).describe() + " next but got " + Frames.shorten(frame)
                                    + " out of order"));
                            case NONE -> {
                                session.unexpected(frame);
                                CheckFailure flood = session.terminal();
                                yield flood != null ? Uni.createFrom().failure(flood)
                                        : awaitMatch(sequence, position, deadline, label, within, session);
                            }
                        }));
    }

    private static CheckFailure timedOut(List<Script.Matcher> sequence, int position, String label,
            Duration within, Session session) {
        String got = session.lastUnexpected() == null ? "nothing" : session.lastUnexpected();
        String which = sequence.size() == 1 ? "" : " (element " + (position + 1) + " of " + sequence.size() + ")";
        return failed(session, label + " expected " + sequence.get(position).describe() + which + " within "
                + within.toMillis() + " ms and got " + got);
    }

    private static CheckFailure failed(Session session, String reason) {
        return new CheckFailure(reason, session.details());
    }
}
