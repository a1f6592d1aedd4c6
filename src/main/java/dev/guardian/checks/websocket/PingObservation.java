package dev.guardian.checks.websocket;

import java.time.Duration;

/**
 * The backend's pings as one kept connection saw them: one timestamp per ping. The first interval is counted from
 * the connection's opening (a server pings one interval after the handshake). Not thread-safe: the heartbeat's lock
 * guards it; a new connection starts a new observation.
 */
final class PingObservation {
    private long last;
    private long pings;
    private long lastGap = -1;

    /** @param openedNanos {@link System#nanoTime()} when the connection opened */
    PingObservation(long openedNanos) {
        this.last = openedNanos;
    }

    void ping(long nowNanos) {
        lastGap = nowNanos - last;
        last = nowNanos;
        pings++;
    }

    long pings() {
        return pings;
    }

    /** The gap before the latest ping; null before the first one. */
    Duration interval() {
        return lastGap < 0 ? null : Duration.ofNanos(lastGap);
    }

    /** Since the latest ping, or since the connection opened. */
    Duration silence(long nowNanos) {
        return Duration.ofNanos(Math.max(0, nowNanos - last));
    }
}
