package dev.guardian.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** A real HTTP server on loopback standing in for the auth service; its behaviour can be switched at run time. */
public final class HttpStub implements AutoCloseable {
    public enum Mode {
        ANSWER, HANG
    }

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.ANSWER);
    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    private final HttpServer server;

    public HttpStub() {
        server = vertx.createHttpServer().requestHandler(req -> {
            lastAuthorization.set(req.getHeader("Authorization"));
            if (mode.get() == Mode.ANSWER) {
                req.response().setStatusCode(status.get()).end("{\"status\":\"" + status.get() + "\"}");
            }
        });
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    public void answer(int code) {
        status.set(code);
        mode.set(Mode.ANSWER);
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
