package dev.guardian.adapters.edge;

/** What every event loop of the edge shares: settings, the gate, meters, the caps and the drain flag. */
final class EdgeRuntime {
    final EdgeSettings settings;
    final EdgeGate gate;
    final EdgeMetrics metrics;
    /** Client WebSockets plus HTTP requests in flight. */
    final Capacity capacity;
    /** Client TCP connections, counted from their accept. */
    final Capacity tcpConnections;
    volatile boolean draining;

    EdgeRuntime(EdgeSettings settings, EdgeGate gate, EdgeMetrics metrics) {
        this.settings = settings;
        this.gate = gate;
        this.metrics = metrics;
        this.capacity = new Capacity(settings.maxConnections());
        this.tcpConnections = new Capacity(EdgeLimits.tcpConnections(settings));
        metrics.tcpConnections(tcpConnections);
    }
}
