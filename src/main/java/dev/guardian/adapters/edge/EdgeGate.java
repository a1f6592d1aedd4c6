package dev.guardian.adapters.edge;

/** What the edge asks the rest of Guardian: may new traffic pass now? Called once per new request or upgrade. */
public interface EdgeGate {
    /**
     * null when new requests and upgrades may pass; else a short reason for the 503 ("starting", "not ready",
     * "draining"). Must answer at once from cached state: it runs on an event loop for every new request.
     */
    String refusal();
}
