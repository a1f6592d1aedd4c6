package dev.guardian.bench;

import java.time.Duration;

import dev.guardian.adapters.edge.EdgeProxy;
import dev.guardian.adapters.edge.EdgeSettings;
import dev.guardian.testing.QuietLogging;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The edge as its own process for the benchmark, so that its resident memory is its own: EdgeProxy on loopback in
 * front of a backend, gate always open. Until Guardian's edge mode is wired, this stands in for it.
 * Arguments: edge port, backend port, [max connections].
 */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(String[] args) throws Exception {
        QuietLogging.apply();
        int port = Integer.parseInt(args[0]);
        int backendPort = Integer.parseInt(args[1]);
        int max = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        EdgeSettings d = EdgeSettings.defaults("127.0.0.1", port, "127.0.0.1", backendPort);
        EdgeSettings settings = new EdgeSettings(d.host(), d.port(), d.backendHost(), d.backendPort(),
                d.clientPingInterval(), d.pongTimeout(), null, null, d.rotationWindow(), d.rotationMargin(),
                d.rotationCode(), d.rotationReason(), false, max, d.maxMessageSize(), d.maxFrameSize(),
                Duration.ofSeconds(5), d.retryAfter());
        Vertx vertx = Vertx.vertx();
        EdgeProxy edge = new EdgeProxy(vertx, settings, () -> null, new SimpleMeterRegistry());
        edge.start().toCompletionStage().toCompletableFuture().get();
        System.out.println("listening " + edge.port());
        Thread.currentThread().join();
    }
}
