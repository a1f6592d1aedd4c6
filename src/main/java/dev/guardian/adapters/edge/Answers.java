package dev.guardian.adapters.edge;

import java.time.Duration;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * What the edge itself answers: a status and one line of plain text for a person or a balancer's log, never
 * Guardian's detailed health JSON (that stays on Guardian's own port).
 */
final class Answers {
    private Answers() {
    }

    /** 503 with Retry-After; {@code closeConnection} while draining, so keep-alive connections end too. */
    static void unavailable(HttpServerRequest req, String reason, Duration retryAfter, boolean closeConnection) {
        HttpServerResponse resp = req.response();
        resp.putHeader("Retry-After", Long.toString(ceilSeconds(retryAfter)));
        plain(req, 503, reason, closeConnection);
    }

    /** A status and a one-line reason; the connection is closed afterwards when asked. */
    static void plain(HttpServerRequest req, int status, String reason, boolean closeConnection) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed() || resp.headWritten()) {
            return;
        }
        resp.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store");
        if (closeConnection) {
            resp.putHeader("Connection", "close");
        }
        resp.end(reason + "\n").onComplete(done -> {
            if (closeConnection) {
                req.connection().close();
            }
        });
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }
}
