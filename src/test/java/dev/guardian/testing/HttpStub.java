package dev.guardian.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** A real HTTP server on loopback standing in for the auth service; its behaviour can be switched at run time. */
public final class HttpStub implements AutoCloseable {
    public enum Mode {
        ANSWER, HANG,
        /** 200 with a body that goes on for a gigabyte. */
        GIGANTIC_BODY,
        /** A redirect to itself, for ever. */
        REDIRECT_LOOP
    }

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.ANSWER);
    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    private final HttpServer server;

    public HttpStub() {
        server = vertx.createHttpServer().requestHandler(req -> {
            lastAuthorization.set(req.getHeader("Authorization"));
            switch (mode.get()) {
                case ANSWER -> req.response().setStatusCode(status.get()).end("{\"status\":\"" + status.get() + "\"}");
                case GIGANTIC_BODY -> {
                    req.response().setStatusCode(200).setChunked(true);
                    io.vertx.core.buffer.Buffer chunk = io.vertx.core.buffer.Buffer.buffer("z".repeat(64 * 1024));
                    vertx.setPeriodic(1, id -> {
                        if (req.response().closed() || req.response().ended()) {
                            vertx.cancelTimer(id);
                        } else if (!req.response().writeQueueFull()) {
                            req.response().write(chunk);
                        }
                    });
                }
                case REDIRECT_LOOP -> req.response().setStatusCode(302).putHeader("Location", req.uri()).end();
                default -> {
                    // HANG: never answer
                }
            }
        });
        Listen.await(server.listen(0, "127.0.0.1"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    public int port() {
        return server.actualPort();
    }

    public void answer(int code) {
        status.set(code);
        mode.set(Mode.ANSWER);
    }

    public void gigantic() {
        mode.set(Mode.GIGANTIC_BODY);
    }

    public void redirectLoop() {
        mode.set(Mode.REDIRECT_LOOP);
    }

    public void hang() {
        mode.set(Mode.HANG);
    }

    public String lastAuthorization() {
        return lastAuthorization.get();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
