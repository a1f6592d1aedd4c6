package dev.guardian.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * The demo's chat user: one WebSocket through Guardian's edge, a chat message every few seconds, one line per thing
 * worth seeing (a round trip, a ping from the edge, the close and its code). Exits when the connection closes.
 * Arguments: the edge's ws:// URL, seconds between messages.
 */
public final class DemoClient {
    private DemoClient() {
    }

    public static void main(String[] args) throws Exception {
        QuietLogging.apply();
        String url = args[0];
        long every = Duration.ofSeconds(Long.parseLong(args[1])).toMillis();
        Vertx vertx = Vertx.vertx();
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket ws;
        try {
            ws = vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setAbsoluteURI(url)
                    .setSubProtocols(List.of("chat.v1"))).toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UpgradeRejectedException r) {
                System.out.println("refused: HTTP " + r.getStatus() + " " + r.getBody().toString().trim());
            } else {
                System.out.println("could not connect: " + e.getCause());
            }
            vertx.close();
            return;
        }
        System.out.println("connected through the edge");
        AtomicInteger round = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        AtomicLong sentAt = new AtomicLong();
        ws.frameHandler(f -> {
            if (f.isPing()) {
                System.out.println("ping from the edge (the client sent nothing for a while)");
            }
        });
        ws.textMessageHandler(text -> {
            if (events.incrementAndGet() == ChatBackend.AGENT_EVENTS.size()) {
                System.out.printf("round trip %d: %d agent events in %d ms%n", round.get(), events.get(),
                        (System.nanoTime() - sentAt.get()) / 1_000_000);
            }
        });
        ws.closeHandler(v -> {
            System.out.println("closed with " + ws.closeStatusCode() + " \"" + ws.closeReason() + "\"");
            closed.countDown();
        });
        vertx.setPeriodic(0, every, id -> {
            if (ws.isClosed()) {
                return;
            }
            events.set(0);
            sentAt.set(System.nanoTime());
            ws.writeTextMessage(new JsonObject().put("type", "chat").put("session", "demo-" + round.incrementAndGet())
                    .encode());
        });
        closed.await();
        vertx.close();
    }
}
