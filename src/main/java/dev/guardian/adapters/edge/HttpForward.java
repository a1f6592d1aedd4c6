package dev.guardian.adapters.edge;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * A plain HTTP request passed to the backend and its answer passed back, bodies streamed both ways ({@link BodyFlow}):
 * a slow reader on either side pauses the other, and the bytes in flight count against max-buffered. A client that leaves
 * mid-way resets the backend request; a backend that fails mid-way resets the client's response. While draining, the
 * answer carries Connection: close so keep-alive connections end after it.
 */
final class HttpForward {
    /** Reports how the request ended, once (the http_requests_total outcome). */
    interface Done {
        void done(String outcome);
    }

    private final EdgeRuntime edge;
    private final HttpClient backends;
    private final Buffered buffered;

    HttpForward(EdgeRuntime edge, HttpClient backends, Buffered buffered) {
        this.edge = edge;
        this.backends = backends;
        this.buffered = buffered;
    }

    void forward(HttpServerRequest req, Done done) {
        req.pause();
        EdgeSettings s = edge.settings;
        RequestOptions options = new RequestOptions().setMethod(req.method()).setHost(s.backendHost())
                .setPort(s.backendPort()).setURI(req.uri())
                .setHeaders(ForwardedHeaders.towardsBackend(req, false, s.trustForwarded()));
        Exchange exchange = new Exchange(req, done);
        // Watched from the start: a client may leave while its request waits for a pooled backend connection, and a
        // close handler set later would never hear of it.
        req.response().closeHandler(v -> exchange.clientGone());
        if (req.response().closed()) {
            exchange.clientGone();
            return;
        }
        backends.request(options).onComplete(ar -> {
            if (ar.failed()) {
                Answers.plain(req, 502, "backend unreachable", false);
                req.resume();
                exchange.done("backend_unreachable");
                return;
            }
            HttpClientRequest out = ar.result();
            if (!exchange.toBackend(out)) {
                return;
            }
            if (!req.headers().contains("Content-Length") && req.headers().contains("Transfer-Encoding")) {
                out.setChunked(true);
            }
            out.response().onComplete(resp -> {
                if (resp.succeeded()) {
                    relay(req, resp.result(), exchange);
                } else {
                    Answers.plain(req, 502, "backend failed before answering", false);
                    exchange.done("backend_failed");
                }
            });
            BodyFlow.stream(req, out, buffered).onFailure(failure -> out.reset());
        });
    }

    private void relay(HttpServerRequest req, HttpClientResponse in, Exchange exchange) {
        HttpServerResponse out = req.response();
        if (out.closed()) {
            exchange.clientGone();
            return;
        }
        out.setStatusCode(in.statusCode()).setStatusMessage(in.statusMessage());
        ForwardedHeaders.towardsClient(in.headers(), out.headers(), false);
        if (!in.headers().contains("Content-Length") && hasBody(req.method(), in.statusCode())) {
            out.setChunked(true);
        }
        if (edge.draining) {
            out.putHeader("Connection", "close");
        }
        BodyFlow.stream(in, out, buffered).onComplete(piped -> {
            if (piped.succeeded()) {
                if (edge.draining) {
                    req.connection().close();
                }
                exchange.done("ok");
            } else {
                out.reset();
                exchange.done("backend_failed");
            }
        });
    }

    private static boolean hasBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    /**
     * One request's way through the edge. Its outcome is reported exactly once, whichever path ends it first: the
     * answer relayed, the backend failing, or the client leaving (at any moment, even before a backend connection
     * was there to be reset).
     */
    private static final class Exchange {
        private final HttpServerRequest req;
        private Done done;
        private HttpClientRequest toBackend;

        Exchange(HttpServerRequest req, Done done) {
            this.req = req;
            this.done = done;
        }

        /** The backend request, once there is one; false (and it is reset) when the exchange is already over. */
        boolean toBackend(HttpClientRequest out) {
            if (done == null) {
                out.reset();
                return false;
            }
            toBackend = out;
            return true;
        }

        void clientGone() {
            if (done == null) {
                return;
            }
            if (toBackend != null) {
                toBackend.reset();
            }
            done("client_gone");
        }

        /** The first outcome wins; a backend failure seen after the client left is the client's leaving. */
        void done(String outcome) {
            if (done != null) {
                Done d = done;
                done = null;
                d.done(outcome.equals("backend_failed") && req.response().closed() ? "client_gone" : outcome);
            }
        }
    }
}
