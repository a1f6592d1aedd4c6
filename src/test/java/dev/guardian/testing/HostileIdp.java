package dev.guardian.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * An identity provider that misbehaves for real at the two calls of the client-credentials grant: its OIDC
 * discovery document and its token endpoint. Counts the requests each receives.
 */
public final class HostileIdp implements AutoCloseable {
    public enum Mode {
        /** The token endpoint answers 200 and streams a body without end and without Content-Length. */
        ENDLESS_TOKEN_BODY,
        /** The token endpoint refuses the client: 401 {"error":"invalid_client"}, as for a wrong secret. */
        UNAUTHORIZED,
        /**
         * The token endpoint answers 200 and sends its body a byte every {@link HostileIdp#DRIP_EVERY}, without end:
         * never idle long enough for an idle timeout.
         */
        TOKEN_DRIPS,
        /** The token endpoint accepts the request and never answers. */
        TOKEN_HANGS,
        /** The discovery document never comes. */
        DISCOVERY_HANGS
    }

    public static final Duration DRIP_EVERY = Duration.ofMillis(300);
    private static final Buffer CHUNK = Buffer.buffer("a".repeat(64 * 1024));
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private volatile Mode mode;
    private final AtomicLong discoveryRequests = new AtomicLong();
    private final AtomicLong tokenRequests = new AtomicLong();
    private final AtomicLong bytesStreamed = new AtomicLong();
    private final Lifetimes<HttpServerResponse> drips = new Lifetimes<>();

    public HostileIdp(Mode mode) {
        this.mode = mode;
        server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().endsWith("/.well-known/openid-configuration")) {
                discoveryRequests.incrementAndGet();
                if (this.mode != Mode.DISCOVERY_HANGS) {
                    req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                            .put("issuer", base()).put("token_endpoint", tokenEndpoint()).encode());
                }
                return;
            }
            tokenRequests.incrementAndGet();
            switch (this.mode) {
                case ENDLESS_TOKEN_BODY -> {
                    HttpServerResponse resp = req.response().setStatusCode(200).setChunked(true)
                            .putHeader("Content-Type", "application/json");
                    resp.exceptionHandler(gone -> {
                    });
                    resp.write("{\"access_token\":\"");
                    stream(resp);
                }
                case TOKEN_DRIPS -> drip(req.response().setStatusCode(200).setChunked(true)
                        .putHeader("Content-Type", "application/json"));
                case UNAUTHORIZED -> req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"invalid_client\"}");
                default -> {
                    // hang: never answer
                }
            }
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    /** Writes while the client reads (the write queue has room), and again each time it drains. */
    private void stream(HttpServerResponse resp) {
        while (!resp.closed() && !resp.writeQueueFull()) {
            resp.write(CHUNK);
            bytesStreamed.addAndGet(CHUNK.length());
        }
        if (!resp.closed()) {
            resp.drainHandler(v -> stream(resp));
        }
    }

    /** Sends the body's opening, then one more byte every {@link #DRIP_EVERY} for as long as the client stays. */
    private void drip(HttpServerResponse resp) {
        drips.opened(resp);
        resp.exceptionHandler(gone -> {
        });
        resp.write("{\"access_token\":\"");
        long timer = vertx.setPeriodic(DRIP_EVERY.toMillis(), id -> {
            if (!resp.closed()) {
                resp.write("a");
            }
        });
        resp.closeHandler(v -> {
            vertx.cancelTimer(timer);
            drips.closed(resp);
        });
    }

    private String base() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    public String tokenEndpoint() {
        return base() + "/token";
    }

    public String discoveryUrl() {
        return base() + "/realms/chat/.well-known/openid-configuration";
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public long discoveryRequests() {
        return discoveryRequests.get();
    }

    public long tokenRequests() {
        return tokenRequests.get();
    }

    /** Bytes of endless token bodies written so far. */
    public long bytesStreamed() {
        return bytesStreamed.get();
    }

    /** How long the longest dripping answer stayed open, counting those still open up to now. */
    public long longestDripMillis() {
        return drips.longestMillis();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
