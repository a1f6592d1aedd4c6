package dev.guardian.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;

/**
 * The local demo's world on loopback: a real Postgres and Redis, an auth endpoint and a sample chat backend, plus
 * a small control endpoint through which deploy/local/demo.sh injects faults. Writes Guardian's environment to
 * the file given as first argument, then runs until killed.
 */
public final class DemoServices {
    public static void main(String[] args) throws Exception {
        Path envFile = Path.of(args[0]);
        PostgresServer pg = PostgresServer.started();
        pg.createUser("chat", "demo-password", "chat");
        RedisServer redis = RedisServer.started();
        HttpStub auth = new HttpStub();
        ChatBackend backend = new ChatBackend();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            backend.close();
            auth.close();
            redis.close();
            pg.close();
        }));

        Vertx vertx = Vertx.vertx();
        int control = Ports.free();
        vertx.createHttpServer().requestHandler(req -> {
            String path = req.path();
            switch (path) {
                case "/postgres/freeze" -> pg.freeze();
                case "/postgres/resume" -> pg.resume();
                case "/backend/silent" -> backend.mode(ChatBackend.Mode.SILENT);
                case "/backend/healthy" -> backend.mode(ChatBackend.Mode.HEALTHY);
                default -> {
                    req.response().setStatusCode(404).end();
                    return;
                }
            }
            req.response().end("ok\n");
        }).listen(control, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        String script = "[{\"send\":{\"type\":\"chat\",\"session\":\"${session}\"}},{\"expectSequence\":["
                + "{\"type\":\"agent_started\"},{\"type\":\"agent_thinking\"},{\"type\":\"tool_executing\"},"
                + "{\"type\":\"tool_completed\"},{\"type\":\"agent_completed\"}]}]";
        Files.writeString(envFile, String.join("\n",
                "export GUARDIAN_POSTGRES_URL='" + pg.url("chat", "demo-password", "chat") + "'",
                "export GUARDIAN_REDIS_URL='" + redis.url() + "'",
                "export GUARDIAN_AUTH_URL='" + auth.url("/health") + "'",
                "export GUARDIAN_BACKEND_URL='" + backend.url("/ws") + "'",
                "export GUARDIAN_EDGE_BACKEND_URL='http://127.0.0.1:" + backend.port() + "'",
                "export GUARDIAN_BACKEND_SCRIPT='" + script + "'",
                "export GUARDIAN_BACKEND_SESSIONS=3",
                "export DEMO_CONTROL=http://127.0.0.1:" + control,
                "") + "\n");
        System.out.println("demo services ready: postgres :" + pg.port() + ", redis :" + redis.port()
                + ", auth " + auth.url("/health") + ", chat backend " + backend.url("/ws"));
        new CountDownLatch(1).await();
    }
}
