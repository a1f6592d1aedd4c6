package dev.guardian.adapters.edge;

/** What every event loop of the edge shares: settings, the gate, meters, the connection cap and the drain flag. */
final class EdgeRuntime {
    final EdgeSettings settings;
    final EdgeGate gate;
    final EdgeMetrics metrics;
    final Capacity capacity;
    volatile boolean draining;

    EdgeRuntime(EdgeSettings settings, EdgeGate gate, EdgeMetrics metrics) {
        this.settings = settings;
        this.gate = gate;
        this.metrics = metrics;
        this.capacity = new Capacity(settings.maxConnections());
    }
}
