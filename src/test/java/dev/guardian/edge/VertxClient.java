package dev.guardian.edge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;

/**
 * A real client: Vert.x's WebSocket client, recording every data frame ("text:fin:payload", "binary:fin:hex"), pings
 * and text messages received, and how the connection closed.
 */
final class VertxClient implements AutoCloseable {
    private static final Vertx VERTX = Vertx.vertx();

    final WebSocket ws;
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
    /** Payload bytes of every data frame received. */
    final AtomicLong dataBytes = new AtomicLong();
    /** Off for a client that takes a flood: it counts the bytes without keeping every frame. */
    private volatile boolean recording = true;
    final CountDownLatch closed = new CountDownLatch(1);
    final long openedNanos = System.nanoTime();
    volatile long closedNanos;
    volatile Short closeCode;
    volatile String closeReason;
    private String lastDataType;

    /** The 101's headers (Vert.x only keeps them during the connect callback). */
    final MultiMap upgradeHeaders;

    private VertxClient(WebSocket ws, MultiMap upgradeHeaders) {
        this.ws = ws;
        this.upgradeHeaders = upgradeHeaders;
        ws.frameHandler(this::frame);
        ws.closeHandler(v -> {
            closeCode = ws.closeStatusCode();
            closeReason = ws.closeReason();
            closedNanos = System.nanoTime();
            closed.countDown();
        });
        ws.exceptionHandler(e -> {
        });
    }

    /** Connects; an upgrade the server refuses throws {@link UpgradeRejectedException}. */
    static VertxClient connect(String url, List<String> subprotocols, MultiMap headers) {
        WebSocketClient client = VERTX.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 << 20)
                .setMaxMessageSize(16 << 20).setClosingTimeout(2));
        WebSocketConnectOptions o = new WebSocketConnectOptions().setAbsoluteURI(url).setSubProtocols(subprotocols)
                .setTimeout(10_000);
        if (headers != null) {
            o.setHeaders(headers);
        }
        // Handlers are set inside the connect callback: a server may close right after its 101. The callback is given
        // with the connect, not added to its future afterwards: a listener added after the future completed runs later,
        // when Vert.x no longer has the 101's headers.
        java.util.concurrent.CompletableFuture<VertxClient> connected = new java.util.concurrent.CompletableFuture<>();
        client.connect(o, ar -> {
            if (ar.succeeded()) {
                WebSocket w = ar.result();
                connected.complete(new VertxClient(w, MultiMap.caseInsensitiveMultiMap().addAll(w.headers())));
            } else {
                connected.completeExceptionally(ar.cause());
            }
        });
        try {
            return connected.get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code action} on one of the clients' event loops (Vert.x writes from there without a hop). */
    static void run(Runnable action) {
        VERTX.runOnContext(v -> action.run());
    }

    static VertxClient connect(String url) {
        return connect(url, List.of(), null);
    }

    /** The status of a refused upgrade (fails the test if it was accepted). */
    static UpgradeRejectedException refused(String url) {
        try {
            VertxClient c = connect(url);
            c.close();
            throw new AssertionError("upgrade to " + url + " was accepted");
        } catch (UpgradeRejectedException r) {
            return r;
        }
    }

    private void frame(WebSocketFrame f) {
        if (f.isPing()) {
            pings.incrementAndGet();
            return;
        }
        if (!(f.isText() || f.isBinary() || f.isContinuation())) {
            return;
        }
        String type = f.isText() ? "text" : f.isBinary() ? "binary" : lastDataType;
        lastDataType = type;
        Buffer b = f.binaryData();
        dataBytes.addAndGet(b.length());
        if (!recording) {
            return;
        }
        frames.add(type + ":" + f.isFinal() + ":" + ("text".equals(type) ? b.toString(StandardCharsets.UTF_8)
                : HexFormat.of().formatHex(b.getBytes())));
    }

    /** Counts what comes without keeping it (see {@link #dataBytes}). */
    VertxClient countOnly() {
        recording = false;
        return this;
    }

    void send(WebSocketFrame frame) {
        ws.writeFrame(frame);
    }

    void text(String text) {
        ws.writeTextMessage(text);
    }

    /** The next data frame within 10 s; fails when none came. */
    String next() {
        try {
            String f = frames.poll(10, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within 10 s");
            }
            return f;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the close; fails if it does not come within {@code within}. */
    VertxClient awaitClosed(Duration within) {
        try {
            if (!closed.await(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("not closed within " + within);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Milliseconds from connect to close. */
    long lifetimeMillis() {
        return (closedNanos - openedNanos) / 1_000_000;
    }

    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close();
        }
    }
}
