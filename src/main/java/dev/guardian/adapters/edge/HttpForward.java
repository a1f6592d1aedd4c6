package dev.guardian.adapters.edge;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * A plain HTTP request passed to the backend and its answer passed back, bodies streamed both ways through pipes:
 * a slow reader on either side pauses the other (nothing is buffered beyond the write queues). A client that leaves
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

    HttpForward(EdgeRuntime edge, HttpClient backends) {
        this.edge = edge;
        this.backends = backends;
    }

    void forward(HttpServerRequest req, Done done) {
        req.pause();
        EdgeSettings s = edge.settings;
        RequestOptions options = new RequestOptions().setMethod(req.method()).setHost(s.backendHost())
                .setPort(s.backendPort()).setURI(req.uri())
                .setHeaders(ForwardedHeaders.towardsBackend(req, false));
        Once once = new Once(done);
        backends.request(options).onComplete(ar -> {
            if (ar.failed()) {
                Answers.plain(req, 502, "backend unreachable", false);
                req.resume();
                once.done("backend_unreachable");
                return;
            }
            HttpClientRequest out = ar.result();
            if (!req.headers().contains("Content-Length") && req.headers().contains("Transfer-Encoding")) {
                out.setChunked(true);
            }
            req.response().closeHandler(v -> {
                out.reset();
                once.done("client_gone");
            });
            out.response().onComplete(resp -> {
                if (resp.succeeded()) {
                    relay(req, resp.result(), once);
                } else {
                    Answers.plain(req, 502, "backend failed before answering", false);
                    once.done("backend_failed");
                }
            });
            req.pipe().endOnFailure(false).to(out).onFailure(failure -> out.reset());
        });
    }

    private void relay(HttpServerRequest req, HttpClientResponse in, Once once) {
        HttpServerResponse out = req.response();
        if (out.closed()) {
            in.request().reset();
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
        in.pipe().endOnFailure(false).to(out).onComplete(piped -> {
            if (piped.succeeded()) {
                if (edge.draining) {
                    req.connection().close();
                }
                once.done("ok");
            } else {
                out.reset();
                once.done("backend_failed");
            }
        });
    }

    private static boolean hasBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    /** The first outcome wins. */
    private static final class Once {
        private Done done;

        Once(Done done) {
            this.done = done;
        }

        void done(String outcome) {
            if (done != null) {
                Done d = done;
                done = null;
                d.done(outcome);
            }
        }
    }
}
