package dev.guardian.adapters.edge;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The edge's meters (Prometheus names in the comments). Frames are counted per event loop ({@link FrameCounters})
 * and summed at scrape time; counters with tags (who closed and the close code's label, an outcome) are looked up
 * when a connection closes or a request ends, which is rare next to frames. Totals for the health JSON
 * are kept beside them so that health() never walks the registry.
 */
final class EdgeMetrics {
    /** Which way a frame went. */
    enum Direction {
        TO_BACKEND("to_backend"), TO_CLIENT("to_client");

        final String label;

        Direction(String label) {
            this.label = label;
        }
    }

    private final MeterRegistry registry;
    /** guardian_edge_connections: proxied WebSockets open now. Held here: Micrometer keeps gauges weakly. */
    final AtomicInteger open = new AtomicInteger();
    /** guardian_edge_connection_duration_seconds. */
    private final Timer duration;
    /** One per event loop; summed when scraped. */
    private final List<FrameCounters> loops = new CopyOnWriteArrayList<>();
    private final List<Buffered> buffered = new CopyOnWriteArrayList<>();
    private final Counter pings;
    private final Counter missedPongs;
    private final Counter upgrades;
    private Counter tcpRefused;
    final LongAdder tcpRefusedTotal = new LongAdder();
    final LongAdder upgradesTotal = new LongAdder();
    final LongAdder refusedTotal = new LongAdder();
    final LongAdder httpTotal = new LongAdder();
    final LongAdder closesTotal = new LongAdder();
    final LongAdder rotationsTotal = new LongAdder();
    final LongAdder pingsTotal = new LongAdder();
    final LongAdder missedPongsTotal = new LongAdder();

    EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("guardian.edge.connections", open, AtomicInteger::get)
                .description("Proxied WebSocket connections open now").register(registry);
        duration = Timer.builder("guardian.edge.connection.duration")
                .description("Lifetime of proxied WebSocket connections")
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30),
                        Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                        Duration.ofMinutes(60), Duration.ofMinutes(120))
                .register(registry);
        for (Direction d : Direction.values()) {
            FunctionCounter.builder("guardian.edge.messages", loops, l -> sum(l, c -> c.messages(d)))
                    .tag("direction", d.label).description("WebSocket messages passed through the edge")
                    .register(registry);
            FunctionCounter.builder("guardian.edge.bytes", loops, l -> sum(l, c -> c.bytes(d)))
                    .tag("direction", d.label).description("WebSocket payload bytes passed through the edge")
                    .register(registry);
        }
        Gauge.builder("guardian.edge.buffered.bytes", this, EdgeMetrics::buffered)
                .description("Bytes the edge holds in flight towards peers that have not taken them yet")
                .register(registry);
        pings = Counter.builder("guardian.edge.pings").description("Pings sent to clients").register(registry);
        missedPongs = Counter.builder("guardian.edge.missed.pongs")
                .description("Client connections closed because no pong came in time").register(registry);
        upgrades = Counter.builder("guardian.edge.upgrades")
                .description("WebSocket upgrades accepted and proxied").register(registry);
    }

    /** A new event loop's bytes held in flight, {@code limit} its share of max-buffered. */
    Buffered newBuffered(long limit) {
        Buffered b = new Buffered(limit);
        buffered.add(b);
        return b;
    }

    /** Bytes held in flight now, every loop together. */
    long buffered() {
        long total = 0;
        for (Buffered b : buffered) {
            total += b.held();
        }
        return total;
    }

    /** Counters for a new event loop's frames. */
    FrameCounters newLoop() {
        FrameCounters c = new FrameCounters();
        loops.add(c);
        return c;
    }

    private static double sum(List<FrameCounters> loops, ToLongFunction<FrameCounters> f) {
        long total = 0;
        for (FrameCounters c : loops) {
            total += f.applyAsLong(c);
        }
        return total;
    }

    void ping() {
        pings.increment();
        pingsTotal.increment();
    }

    void missedPong() {
        missedPongs.increment();
        missedPongsTotal.increment();
    }

    void upgraded() {
        upgrades.increment();
        upgradesTotal.increment();
    }

    /** guardian_edge_tcp_connections (open now) and guardian_edge_tcp_connections_refused_total (over the cap). */
    void tcpConnections(Capacity tcp) {
        Gauge.builder("guardian.edge.tcp.connections", tcp, Capacity::used)
                .description("Client TCP connections open now (WebSockets, requests, idle keep-alive)")
                .register(registry);
        tcpRefused = Counter.builder("guardian.edge.tcp.connections.refused")
                .description("Client TCP connections closed at accept: over the cap").register(registry);
    }

    void tcpRefused() {
        tcpRefused.increment();
        tcpRefusedTotal.increment();
    }

    /** guardian_edge_upgrades_refused_total{reason}. */
    void upgradeRefused(String reason) {
        registry.counter("guardian.edge.upgrades.refused", "reason", reason).increment();
        refusedTotal.increment();
    }

    /** guardian_edge_http_requests_total{outcome}. */
    void httpRequest(String outcome) {
        registry.counter("guardian.edge.http.requests", "outcome", outcome).increment();
        httpTotal.increment();
    }

    /** guardian_edge_closes_total{by, code}, and the connection's lifetime. */
    void closed(CloseCause by, int code, long lifetimeNanos) {
        registry.counter("guardian.edge.closes", "by", by.label, "code", CloseCodes.label(code)).increment();
        closesTotal.increment();
        open.decrementAndGet();
        if (by == CloseCause.ROTATION) {
            rotationsTotal.increment();
        }
        duration.record(lifetimeNanos, TimeUnit.NANOSECONDS);
    }
}
