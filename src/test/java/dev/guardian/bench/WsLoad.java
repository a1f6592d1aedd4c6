package dev.guardian.bench;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The WebSocket load driver of the edge benchmark, on Vert.x's client: echo round trips at a fixed message rate over
 * many connections, saturation, upgrades per second, and many idle connections held open. Measures, asserts nothing.
 */
final class WsLoad implements AutoCloseable {
    /** Round-trip times in microseconds. */
    record Latency(long samples, double p50, double p90, double p99, double p999, double max) {
    }

    private static final Buffer MESSAGE = Buffer.buffer("x".repeat(64));
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
            .setMaxConnections(100_000).setConnectTimeout(10_000).setClosingTimeout(5).setTcpNoDelay(true));

    private Future<WebSocket> connect(int port) {
        return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/echo")
                .setTimeout(20_000));
    }

    /** A connection and the event-loop context its events run on. */
    record Conn(WebSocket ws, Context context) {
    }

    /** Opens {@code n} connections, at most {@code parallel} handshakes at a time. */
    List<Conn> open(int port, int n, int parallel) {
        List<Conn> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger started = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (started.getAndIncrement() >= n) {
                return;
            }
            connect(port).onComplete(ar -> {
                if (ar.succeeded()) {
                    ar.result().exceptionHandler(e -> {
                    });
                    sockets.add(new Conn(ar.result(), vertx.getOrCreateContext()));
                } else {
                    failed.incrementAndGet();
                }
                done.countDown();
                next[0].run();
            });
        };
        for (int i = 0; i < Math.min(parallel, n); i++) {
            vertx.runOnContext(v -> next[0].run());
        }
        await(done, Duration.ofMinutes(5));
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + n + " connections failed");
        }
        return sockets;
    }

    /** Closes them all (1000) and waits for the closes to complete. */
    void closeAll(List<Conn> sockets) {
        CountDownLatch closed = new CountDownLatch(sockets.size());
        for (Conn c : sockets) {
            WebSocket ws = c.ws();
            c.context().runOnContext(v -> {
                if (ws.isClosed()) {
                    closed.countDown();
                } else {
                    ws.closeHandler(x -> closed.countDown());
                    ws.close();
                }
            });
        }
        await(closed, Duration.ofMinutes(2));
    }

    /**
     * {@code rate} echo round trips a second spread evenly over {@code connections} (each sends every
     * connections/rate seconds, the starts staggered); round trips are timed from the send.
     */
    Latency fixedRate(int port, int connections, int rate, Duration warmup, Duration measure) {
        List<Conn> sockets = open(port, connections, 50);
        long periodMicros = 1_000_000L * connections / rate;
        long[] samples = new long[(int) Math.min(50_000_000L, (long) rate * (measure.toSeconds() + 5))];
        AtomicInteger count = new AtomicInteger();
        AtomicBoolean measuring = new AtomicBoolean();
        List<CompletableFuture<Long>> timers = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            Conn c = sockets.get(i);
            long offsetMillis = Math.max(1, periodMicros * i / connections / 1_000);
            CompletableFuture<Long> timer = new CompletableFuture<>();
            timers.add(timer);
            // Everything of one connection on its own event loop: no queue shared between threads.
            c.context().runOnContext(v -> {
                ArrayDeque<Long> sent = new ArrayDeque<>();
                c.ws().handler(b -> {
                    Long t = sent.poll();
                    if (t != null && measuring.get()) {
                        int k = count.getAndIncrement();
                        if (k < samples.length) {
                            samples[k] = (System.nanoTime() - t) / 1_000;
                        }
                    }
                });
                vertx.setTimer(offsetMillis, id -> timer.complete(vertx.setPeriodic(Math.max(1, periodMicros / 1_000),
                        p -> {
                            sent.add(System.nanoTime());
                            c.ws().write(MESSAGE);
                        })));
            });
        }
        sleep(warmup);
        measuring.set(true);
        sleep(measure);
        measuring.set(false);
        timers.forEach(t -> vertx.cancelTimer(t.join()));
        closeAll(sockets);
        long[] got = Arrays.copyOf(samples, Math.min(count.get(), samples.length));
        Arrays.sort(got);
        return new Latency(got.length, pct(got, 0.50), pct(got, 0.90), pct(got, 0.99), pct(got, 0.999),
                got.length == 0 ? Double.NaN : got[got.length - 1]);
    }

    /** Saturation: echoes a second over the measured time, and all echoes of the run (warm-up included). */
    record Saturation(double rate, long total) {
    }

    /** Each connection keeps {@code window} messages in flight. */
    Saturation saturation(int port, int connections, int window, Duration warmup, Duration measure) {
        List<Conn> sockets = open(port, connections, 50);
        AtomicLong echoes = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        for (Conn c : sockets) {
            c.context().runOnContext(v -> {
                c.ws().handler(b -> {
                    echoes.incrementAndGet();
                    if (running.get()) {
                        c.ws().write(MESSAGE);
                    }
                });
                for (int i = 0; i < window; i++) {
                    c.ws().write(MESSAGE);
                }
            });
        }
        sleep(warmup);
        long start = echoes.get();
        long t0 = System.nanoTime();
        sleep(measure);
        double rate = (echoes.get() - start) / ((System.nanoTime() - t0) / 1e9);
        running.set(false);
        long total = echoes.get();
        closeAll(sockets);
        return new Saturation(rate, total);
    }

    /** Upgrade, then close (waiting for the close handshake), {@code parallel} at a time: completed upgrades a second. */
    double upgrades(int port, int parallel, Duration warmup, Duration measure) {
        AtomicLong upgraded = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch stopped = new CountDownLatch(parallel);
        Runnable[] cycle = new Runnable[1];
        cycle[0] = () -> {
            if (!running.get()) {
                stopped.countDown();
                return;
            }
            connect(port).onComplete(ar -> {
                if (ar.failed()) {
                    failures.incrementAndGet();
                    vertx.setTimer(10, id -> cycle[0].run());
                    return;
                }
                upgraded.incrementAndGet();
                WebSocket ws = ar.result();
                ws.closeHandler(v -> cycle[0].run());
                ws.close();
            });
        };
        for (int i = 0; i < parallel; i++) {
            vertx.runOnContext(v -> cycle[0].run());
        }
        sleep(warmup);
        long start = upgraded.get();
        long t0 = System.nanoTime();
        sleep(measure);
        double rate = (upgraded.get() - start) / ((System.nanoTime() - t0) / 1e9);
        running.set(false);
        await(stopped, Duration.ofMinutes(1));
        if (failures.get() > 0) {
            System.err.println("upgrades: " + failures.get() + " failed connects");
        }
        return rate;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch, Duration d) {
        try {
            if (!latch.await(d.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("timed out after " + d + " (" + latch.getCount() + " left)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
