package dev.guardian.edge;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.guardian.adapters.edge.EdgeProxy;
import dev.guardian.adapters.edge.EdgeSettings;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * An EdgeProxy in the test JVM on its own Vert.x, in front of a real backend, with a gate the test opens and closes
 * and a Prometheus registry the test scrapes.
 */
final class RunningEdge implements AutoCloseable {
    final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** null: open; else the refusal reason. */
    final AtomicReference<String> refusal = new AtomicReference<>();
    final EdgeProxy proxy;

    RunningEdge(EdgeSettings settings) {
        proxy = new EdgeProxy(vertx, settings, refusal::get, meters);
        await(proxy.start());
    }

    static RunningEdge open(SettingsBuilder settings) {
        return new RunningEdge(settings.build());
    }

    int port() {
        return proxy.port();
    }

    String ws(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    String http(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    Map<String, Object> health() {
        return proxy.health();
    }

    /**
     * The sum of the Prometheus samples named {@code name} whose labels include {@code labels} (name, value, ...);
     * 0 when there is none.
     */
    double metric(String name, String... labels) {
        double sum = 0;
        for (String line : meters.scrape().split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + " ") || line.startsWith(name + "{"))) {
                continue;
            }
            String labelPart = line.startsWith(name + "{") ? line.substring(name.length() + 1, line.lastIndexOf('}')) : "";
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= labelPart.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    String scrape() {
        return meters.scrape();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        await(vertx.close());
    }
}
