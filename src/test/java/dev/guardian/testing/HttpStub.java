package dev.guardian.testing;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

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
    private final String base;

    public HttpStub() {
        this(new HttpServerOptions(), "http://127.0.0.1:");
    }

    /** HTTPS with this certificate and key; its URLs name localhost, as the certificate does. */
    public static HttpStub https(Path certificate, Path key) {
        return new HttpStub(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certificate.toString()).setKeyPath(key.toString())), "https://localhost:");
    }

    private HttpStub(HttpServerOptions options, String base) {
        this.base = base;
        server = vertx.createHttpServer(options).requestHandler(req -> {
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
        return base + server.actualPort() + path;
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
